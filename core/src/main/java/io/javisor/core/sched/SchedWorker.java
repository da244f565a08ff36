package io.javisor.core.sched;

import io.javisor.memory.blocking.BlockingSection;
import io.javisor.memory.log.HostLog;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * One worker thread of the pool, as one physical CPU under Xen's credit scheduler: it polls the
 * highest-priority vCPU from the {@link RunQueues} and runs it for a turn, then polls again; with
 * nothing queued it parks until a dispatcher signals it. The only place it blocks is that park.
 * <p>
 * A turn runs the vCPU in pieces of at most a time slice ({@link VcpuWork#run}) and after each piece
 * decides as Xen's {@code csched_schedule} does at a slice's end: the vCPU goes on here while nothing
 * of its priority or higher waits (so one busy guest alone runs without any queue traffic), else it
 * goes to the back of its priority's queue. A woken vCPU runs boosted until it has run a third of a
 * slice; a vCPU preempted for a woken one keeps the worker for the rate limit first; a vCPU whose
 * domain is over its cap is parked; one that waits becomes IDLE with its deadline posted to the ticker.
 * <p>
 * Threading: the thread {@code credit-worker-N} runs this. {@link #current} and {@link #currentPriority}
 * are written by it and read by dispatchers choosing a worker to preempt; {@link #idleState} is set to
 * PARKED by it and to SIGNALLED by a dispatcher (compare-and-set), so that one signal wakes one worker.
 * <p>
 * A spare ({@link #spareRank} 0, 1, ...) is the same loop, run only while more workers than its rank
 * are blocked in a {@link BlockingSection}; otherwise it stands by, parked, and hands on any signal it
 * took meanwhile.
 */
final class SchedWorker implements Runnable, BlockingSection.Compensator
{
    static final int BUSY = 0;
    static final int PARKED = 1;
    static final int SIGNALLED = 2;
    /** The {@link #spareRank} of one of the pool's workers proper. */
    static final int PRIMARY = -1;
    private static final int NOT_BLOCKING = 0;
    private static final int BLOCKING = 1;
    private static final int HANDED_OFF = 2;
    private static final VarHandle BLOCKING_STATE;

    private static final VarHandle IDLE_STATE;
    /** A run this long is a busy guest's even if it ends in a wait: its next run is charged by the worker's CPU clock. */
    private static final long LONG_RUN_NANOS = 1_000_000L;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final boolean CPU_CLOCK = THREADS.isCurrentThreadCpuTimeSupported();

    static
    {
        try
        {
            IDLE_STATE = MethodHandles.lookup().findVarHandle(SchedWorker.class, "idleState", int.class);
            BLOCKING_STATE = MethodHandles.lookup().findVarHandle(SchedWorker.class, "blockingState", int.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final int index;
    /** {@link #PRIMARY}, or the number of blocked workers this spare needs before it runs, less one. */
    private final int spareRank;
    private final CreditScheduler scheduler;
    private final RunQueues queues;
    private final SchedTicker ticker;
    private final long timeSlice;
    private final long boost;
    private final long rateLimit;
    private volatile Thread thread;
    private volatile int idleState = BUSY;
    /**
     * NOT_BLOCKING, or BLOCKING (set by this worker as it enters a section), or HANDED_OFF (set from
     * BLOCKING by the ticker, compare-and-set, once the section has lasted); this worker sets it back.
     */
    private volatile int blockingState = NOT_BLOCKING;
    /** When the current blocking section began; written by this worker before it sets BLOCKING. */
    private volatile long blockingSince;
    private volatile Vcpu current;
    private volatile int currentPriority;
    // Statistics, written by this worker:
    private volatile long turns;
    private volatile long parks;
    /** Time spent parked for lack of work (past idles), for the ticker's measure of what the workers could run. */
    private volatile long idleNanos;
    /** When the current idle began, or {@link VcpuWork#NO_DEADLINE} while busy. */
    private volatile long idleSince = VcpuWork.NO_DEADLINE;

    SchedWorker(final int index, final int spareRank, final CreditScheduler scheduler, final RunQueues queues,
        final SchedTicker ticker, final SchedulerConfig config)
    {
        this.index = index;
        this.spareRank = spareRank;
        this.scheduler = scheduler;
        this.queues = queues;
        this.ticker = ticker;
        this.timeSlice = config.timeSliceNanos();
        this.boost = config.boostNanos();
        this.rateLimit = config.rateLimitNanos();
    }

    void thread(final Thread t)
    {
        thread = t;
    }

    Thread thread()
    {
        return thread;
    }

    @Override
    public void run()
    {
        BlockingSection.runCompensated(this, this::loop);
    }

    private void loop()
    {
        while (!scheduler.isClosed())
        {
            if (surplus())
            {
                standBy();
                continue;
            }
            final Vcpu vcpu = queues.poll();
            if (vcpu == null)
            {
                idle();
                continue;
            }
            if (!queues.isEmpty())
            {
                scheduler.signalParkedWorker(); // more queued than this worker takes: another one joins
            }
            turns = turns + 1;
            try
            {
                runTurn(vcpu);
            }
            catch (final RuntimeException ex)
            {
                HostLog.log("credit-worker", "worker " + index + " failed in a turn of vCPU " + vcpu, ex);
            }
        }
    }

    private void runTurn(final Vcpu vcpu)
    {
        if (!vcpu.beginRun(index))
        {
            if (!vcpu.isExiting()) // else: an entry left behind by a vCPU the control plane finished itself
            {
                HostLog.log("credit-worker", "vCPU " + vcpu + " was on a run queue but not QUEUED; left alone");
            }
            return;
        }
        if (vcpu.overCap())
        {
            vcpu.park(); // it overran its cap since it was queued (woken while in debt)
            return;
        }
        boolean boosted = vcpu.priority() == RunQueues.BOOST;
        currentPriority = vcpu.priority();
        current = vcpu;
        try
        {
            long ran = 0; // in the current time slice
            long sliceEnd = timeSlice; // the run time at which this slice ends (sooner when only the rate limit holds it)
            while (true)
            {
                long max = sliceEnd - ran;
                if (boosted)
                {
                    max = Math.min(max, boost - ran);
                }
                final long allowance = vcpu.capAllowanceNanos();
                if (allowance > 0)
                {
                    max = Math.min(max, vcpu.credit() + allowance); // stop about where the cap parks it
                }
                // A busy guest is charged the CPU its worker got: the host time-slices the workers too, and
                // wall time would charge it for the host's other threads. The clock costs about a
                // microsecond, nothing against a busy guest's runs; a guest whose runs are short and end in a
                // wait (IO-bound) is charged its wall time, about the same at that length.
                final boolean cpuClock = CPU_CLOCK && vcpu.longRunner();
                final long cpuStart = cpuClock ? THREADS.getCurrentThreadCpuTime() : 0;
                final long start = System.nanoTime();
                final VcpuWork.Step step = runOnce(vcpu, Math.max(max, 0));
                final long wall = System.nanoTime() - start;
                final long spent = cpuClock ? THREADS.getCurrentThreadCpuTime() - cpuStart : wall;
                // Busy while it has work (RUNNABLE), or once a run of it is long; short and ending in a wait: IO-bound.
                vcpu.longRunner(step == VcpuWork.Step.RUNNABLE || wall >= LONG_RUN_NANOS);
                ran += spent;
                vcpu.charge(spent);
                if (step == VcpuWork.Step.DONE)
                {
                    vcpu.finish();
                    scheduler.retire(vcpu);
                    ticker.post(vcpu, start + timeSlice);
                    retired(vcpu);
                    return;
                }
                if (!vcpu.isActive())
                {
                    ticker.post(vcpu, start + timeSlice); // it consumes CPU: it shares in the next period's credit
                }
                if (step == VcpuWork.Step.WAITING)
                {
                    final boolean hadTimer = vcpu.armedDeadline() != VcpuWork.NO_DEADLINE;
                    final long deadline = vcpu.work().wakeDeadline();
                    if (vcpu.beginWait(deadline))
                    {
                        if (deadline != VcpuWork.NO_DEADLINE || hadTimer)
                        {
                            ticker.post(vcpu, deadline);
                        }
                        return;
                    }
                    if (scheduler.isClosed())
                    {
                        return;
                    }
                    continue; // woken while it ran: it looks again at once
                }
                if (boosted && ran >= boost)
                {
                    boosted = false; // it ran a tick's worth: no longer a quick waker
                }
                if (vcpu.overCap())
                {
                    vcpu.park();
                    return;
                }
                if (ran < rateLimit && !scheduler.isClosed())
                {
                    sliceEnd = rateLimit; // preempted early: it keeps the worker for the rate limit, no longer
                    continue;
                }
                final int priority = boosted ? RunQueues.BOOST : vcpu.credit() >= 0 ? RunQueues.UNDER : RunQueues.OVER;
                currentPriority = priority;
                if (queues.hasAtLeast(priority) || surplus())
                {
                    vcpu.requeue(priority); // a spare no longer needed gives its vCPU back to the workers
                    return;
                }
                if (scheduler.isClosed())
                {
                    return; // the pool stops: the vCPU stays where it is, run no more
                }
                if (ran >= timeSlice)
                {
                    ran = 0; // nothing of its priority waits: another slice here
                }
                sliceEnd = timeSlice;
            }
        }
        finally
        {
            current = null;
        }
    }

    private VcpuWork.Step runOnce(final Vcpu vcpu, final long max)
    {
        try
        {
            return vcpu.work().run(max);
        }
        catch (final Throwable ex)
        {
            // The work's own failures are its guest's business (a crash it records); this is a bug.
            HostLog.log("credit-worker", "vCPU " + vcpu + " failed in its run; it is dropped", ex);
            return VcpuWork.Step.DONE;
        }
    }

    private static void retired(final Vcpu vcpu)
    {
        try
        {
            vcpu.work().retired();
        }
        catch (final Throwable ex)
        {
            HostLog.log("credit-worker", "vCPU " + vcpu + " failed as it retired", ex);
        }
    }

    /** Park until signalled, or until the queues turn out not to be empty. */
    private void idle()
    {
        final long start = System.nanoTime();
        idleSince = start;
        idleState = PARKED;
        scheduler.workerParking();
        try
        {
            // A dispatcher offers, then looks for PARKED workers; this worker sets PARKED, then looks
            // at the queues: one of the two sees the other.
            while (idleState == PARKED && queues.isEmpty() && !scheduler.isClosed() && !surplus())
            {
                parks = parks + 1;
                LockSupport.park(this);
            }
        }
        finally
        {
            idleState = BUSY;
            scheduler.workerUnparked();
            idleNanos = idleNanos + (System.nanoTime() - start);
            idleSince = VcpuWork.NO_DEADLINE;
        }
    }

    /** A spare while no more workers than its rank are handed off. */
    private boolean surplus()
    {
        return spareRank != PRIMARY && scheduler.blocked() <= spareRank;
    }

    /**
     * A spare not needed: parked until enough workers block. A signal it took on the way (as an idle
     * worker) is handed on, so that queued work is not left for a spare that will not run it.
     */
    private void standBy()
    {
        if (!queues.isEmpty())
        {
            scheduler.signalParkedWorker();
        }
        while (surplus() && !scheduler.isClosed())
        {
            LockSupport.park(this);
        }
    }

    @Override
    public void beginBlocking()
    {
        final long now = System.nanoTime();
        blockingSince = now;
        blockingState = BLOCKING;
        scheduler.blockingBegun(now);
    }

    @Override
    public void endBlocking()
    {
        final boolean handedOff = !BLOCKING_STATE.compareAndSet(this, BLOCKING, NOT_BLOCKING);
        if (handedOff)
        {
            blockingState = NOT_BLOCKING; // the ticker had marked it HANDED_OFF: only this worker moves it on
        }
        scheduler.blockingEnded(handedOff);
    }

    /** The ticker: @return whether this worker is in a section that began at or before {@code before} */
    boolean blockedSince(final long before)
    {
        return blockingState == BLOCKING && blockingSince - before <= 0;
    }

    /** The ticker, after {@link #blockedSince}: @return whether it marked this worker handed off (it may have left since) */
    boolean markHandedOff(final long before)
    {
        return blockedSince(before) && BLOCKING_STATE.compareAndSet(this, BLOCKING, HANDED_OFF);
    }

    /** The ticker has handed a blocked worker off: this spare is needed (it may not be parked yet; the unpark is kept). */
    void wakeSpare()
    {
        final Thread t = thread;
        if (t != null)
        {
            LockSupport.unpark(t);
        }
    }

    /** A dispatcher: wake this worker if it is parked. @return whether this call woke it */
    boolean signal()
    {
        if (idleState == PARKED && IDLE_STATE.compareAndSet(this, PARKED, SIGNALLED))
        {
            LockSupport.unpark(thread);
            return true;
        }
        return false;
    }

    /**
     * A dispatcher with a vCPU queued at {@code priority} and no idle worker: if this worker runs a
     * vCPU of lower priority, ask that vCPU to end its run so that the worker picks again.
     *
     * @return whether this worker was asked
     */
    boolean preemptBelow(final int priority)
    {
        final Vcpu running = current;
        if (running != null && currentPriority < priority)
        {
            running.work().preempt();
            return true;
        }
        return false;
    }

    int currentPriority()
    {
        return current == null ? Integer.MAX_VALUE : currentPriority;
    }

    void unparkToStop()
    {
        final Thread t = thread;
        if (t != null)
        {
            LockSupport.unpark(t);
        }
    }

    /** @return time spent idle so far, the current idle up to {@code now} included (racy by at most one idle) */
    long idleNanos(final long now)
    {
        final long since = idleSince;
        return idleNanos + (since == VcpuWork.NO_DEADLINE ? 0 : Math.max(0, now - since));
    }

    long turns()
    {
        return turns;
    }

    long parks()
    {
        return parks;
    }
}
