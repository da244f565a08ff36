package io.javisor.perf.sched;

import io.javisor.core.sched.VcpuWork;

import java.util.concurrent.locks.LockSupport;

/**
 * A vCPU that does nothing but note when a worker runs it, tell the measuring thread, and wait again:
 * the time from a wake to that note is what the scheduler adds to a blocked vCPU's response to an
 * event. Its runs are on the pool's workers; the measuring thread parks until told (so that it takes
 * no CPU from the workers meanwhile) and reads {@link #lastRunNanos()}.
 */
final class WakeProbe implements VcpuWork
{
    private final Thread measurer;
    private volatile long lastRunNanos;

    WakeProbe(final Thread measurer)
    {
        this.measurer = measurer;
    }

    @Override
    public Step run(final long maxNanos)
    {
        lastRunNanos = System.nanoTime();
        LockSupport.unpark(measurer);
        return Step.WAITING;
    }

    @Override
    public long wakeDeadline()
    {
        return NO_DEADLINE;
    }

    @Override
    public void preempt()
    {
    }

    long lastRunNanos()
    {
        return lastRunNanos;
    }
}
