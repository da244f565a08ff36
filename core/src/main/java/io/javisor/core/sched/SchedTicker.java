package io.javisor.core.sched;

import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

import java.util.concurrent.locks.LockSupport;

/**
 * The scheduler's clock thread, as Xen's master ticker and timer softirq: it fires the deadlines of
 * waiting vCPUs (a WFI timer, a blocking hypercall's timeout, a console poll) and runs the
 * {@link CreditAccounting} once per period while any vCPU is active. It sleeps until the earliest of
 * those, indefinitely when there is neither: with every vCPU blocked on events the pool's threads use
 * no CPU at all.
 * <p>
 * Threading: one thread, {@code credit-ticker}, owns the timer heap and the accounting. Workers tell it
 * about a vCPU only by posting the vCPU to its inbox (a many-to-one queue, each vCPU in it at most once
 * thanks to {@link Vcpu#claimTickerMail()}); the ticker then reads what it needs from the vCPU itself
 * (its armed deadline, whether it finished), so that a vCPU posted twice is read once, at its latest.
 */
final class SchedTicker implements Runnable
{
    private final CreditScheduler scheduler;
    private final long period;
    private final ManyToOneConcurrentArrayQueue<Vcpu> inbox;
    private final TimerHeap timers = new TimerHeap();
    private final CreditAccounting accounting;
    /** Written by the ticker: it is parked, or about to park, until {@link #sleepingUntil}. */
    private volatile boolean sleeping;
    private volatile long sleepingUntil = VcpuWork.NO_DEADLINE;
    private volatile Thread thread;
    // Statistics, written by the ticker:
    private volatile long accountingPasses;
    private volatile long timersFired;

    SchedTicker(final CreditScheduler scheduler, final SchedulerConfig config)
    {
        this.scheduler = scheduler;
        this.period = config.timeSliceNanos();
        this.inbox = new ManyToOneConcurrentArrayQueue<>(config.maxVcpus());
        this.accounting = new CreditAccounting(config.timeSliceNanos(), config.workers());
    }

    void thread(final Thread t)
    {
        thread = t;
    }

    /**
     * Tell the ticker to look at {@code vcpu} (its armed deadline, its activity, its end) by
     * {@code when} (a {@link System#nanoTime()}): it is woken only if it would sleep past that. Any
     * thread; never blocks.
     */
    void post(final Vcpu vcpu, final long when)
    {
        if (vcpu.claimTickerMail() && !inbox.offer(vcpu))
        {
            throw new IllegalStateException("ticker inbox full with vCPU " + vcpu + ": more vCPUs than the scheduler holds");
        }
        if (sleeping)
        {
            final long until = sleepingUntil;
            if (until == VcpuWork.NO_DEADLINE || when - until < 0)
            {
                LockSupport.unpark(thread);
            }
        }
    }

    /** Wake it now (to stop). */
    void nudge()
    {
        final Thread t = thread;
        if (t != null)
        {
            LockSupport.unpark(t);
        }
    }

    long accountingPasses()
    {
        return accountingPasses;
    }

    long timersFired()
    {
        return timersFired;
    }

    @Override
    public void run()
    {
        long nextAccounting = VcpuWork.NO_DEADLINE;
        while (!scheduler.isClosed())
        {
            drainInbox();
            final long now = System.nanoTime();
            final int armed = timers.size();
            timers.fireDue(now);
            if (armed != timers.size())
            {
                timersFired = timersFired + (armed - timers.size());
            }
            if (!accounting.hasActive())
            {
                nextAccounting = VcpuWork.NO_DEADLINE;
            }
            else if (nextAccounting == VcpuWork.NO_DEADLINE)
            {
                nextAccounting = now + period; // the first share goes out a period after a vCPU started running
            }
            else if (now - nextAccounting >= 0)
            {
                accounting.account();
                accountingPasses = accountingPasses + 1;
                nextAccounting += period;
                if (now - nextAccounting >= 0)
                {
                    nextAccounting = now + period; // late (a GC pause, a busy host): no burst of passes
                }
            }
            final long timer = timers.earliest();
            final long until = timer == VcpuWork.NO_DEADLINE ? nextAccounting :
                nextAccounting == VcpuWork.NO_DEADLINE || timer - nextAccounting < 0 ? timer : nextAccounting;
            sleepingUntil = until;
            sleeping = true;
            // A post after this check sees sleeping and unparks; one before it is in the inbox now.
            if (inbox.isEmpty() && !scheduler.isClosed())
            {
                if (until == VcpuWork.NO_DEADLINE)
                {
                    LockSupport.park(this);
                }
                else
                {
                    final long left = until - System.nanoTime();
                    if (left > 0)
                    {
                        LockSupport.parkNanos(this, left);
                    }
                }
            }
            sleeping = false;
        }
    }

    private void drainInbox()
    {
        Vcpu vcpu;
        while ((vcpu = inbox.poll()) != null)
        {
            vcpu.releaseTickerMail();
            if (vcpu.isDone())
            {
                timers.remove(vcpu);
                accounting.remove(vcpu);
                continue;
            }
            timers.set(vcpu, vcpu.armedDeadline(), vcpu.armedGeneration());
            accounting.activate(vcpu);
        }
    }
}
