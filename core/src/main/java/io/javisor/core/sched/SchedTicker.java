package io.javisor.core.sched;

import io.javisor.memory.log.HostLog;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
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
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final boolean cpuClock = threads.isThreadCpuTimeSupported() && threads.isThreadCpuTimeEnabled();
    private SchedWorker[] workers;
    /** Per worker, its CPU time and idle time at the last pass. */
    private long[] workerCpu;
    private long[] workerIdle;
    /** When the next accounting pass is due, {@link VcpuWork#NO_DEADLINE} while no vCPU is active. */
    private long nextAccounting = VcpuWork.NO_DEADLINE;
    private long lastAccounting;
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
        this.accounting = new CreditAccounting(config.timeSliceNanos());
    }

    /** Before it starts: the thread it runs on and the workers whose capacity it measures. */
    void start(final Thread t, final SchedWorker[] pool)
    {
        thread = t;
        workers = pool;
        workerCpu = new long[pool.length];
        workerIdle = new long[pool.length];
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

    /** A worker entered a blocking section: wake the ticker if it would sleep past {@code when}. Any thread. */
    void lookBy(final long when)
    {
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
        while (!scheduler.isClosed())
        {
            try
            {
                tick();
            }
            catch (final RuntimeException ex)
            {
                HostLog.log("credit-ticker", "a tick failed; the ticker goes on", ex);
            }
        }
    }

    /** One round: the inbox, the due timers, the accounting when due; then sleep until the next of those. */
    private void tick()
    {
        drainInbox();
        final long now = System.nanoTime();
        final int armed = timers.size();
        timers.fireDue(now);
        timersFired = timersFired + (armed - timers.size());
        if (!accounting.hasActive())
        {
            nextAccounting = VcpuWork.NO_DEADLINE;
        }
        else if (nextAccounting == VcpuWork.NO_DEADLINE)
        {
            nextAccounting = now + period; // the first share goes out a period after a vCPU started running
            lastAccounting = now;
            capacity(0);
        }
        else if (now - nextAccounting >= 0)
        {
            accounting.account(now - lastAccounting, capacity(now - lastAccounting));
            accountingPasses = accountingPasses + 1;
            lastAccounting = now;
            nextAccounting += period;
            if (now - nextAccounting >= 0)
            {
                nextAccounting = now + period; // late (a GC pause, a busy host): no burst of passes
            }
        }
        long until = earliest(timers.earliest(), nextAccounting);
        if (scheduler.anyBlocking())
        {
            scheduler.handOffBlockedSince(now - CreditScheduler.HAND_OFF_NANOS);
            // A section is handed off between one and one and a half hand-off times after it began.
            until = earliest(until, now + CreditScheduler.HAND_OFF_NANOS / 2);
        }
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

    private static long earliest(final long a, final long b)
    {
        return a == VcpuWork.NO_DEADLINE ? b : b == VcpuWork.NO_DEADLINE || a - b < 0 ? a : b;
    }

    /**
     * What the workers could have run in the last {@code elapsed}: each worker's CPU time plus its idle
     * time (time the host gave its thread or it did not want), at most {@code elapsed} each; the rest
     * the host gave to other threads. Without a thread CPU clock, {@code elapsed} per worker.
     */
    private long capacity(final long elapsed)
    {
        long capacity = 0;
        for (int i = 0; i < workers.length; i++)
        {
            if (!cpuClock)
            {
                capacity += elapsed;
                continue;
            }
            final long cpu = threads.getThreadCpuTime(workers[i].thread().threadId());
            final long idle = workers[i].idleNanos(System.nanoTime());
            capacity += Math.min(elapsed, Math.max(0, cpu - workerCpu[i]) + Math.max(0, idle - workerIdle[i]));
            workerCpu[i] = cpu;
            workerIdle[i] = idle;
        }
        return capacity;
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
