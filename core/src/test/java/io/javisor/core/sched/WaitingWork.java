package io.javisor.core.sched;

import java.util.concurrent.atomic.AtomicLong;

/** Test work: a vCPU that runs for a moment and waits, for a wake or for the deadline set for its next wait. */
final class WaitingWork implements VcpuWork
{
    private final AtomicLong runs = new AtomicLong();
    private volatile long lastRunNanos;
    private volatile long nextDeadline = NO_DEADLINE;
    private volatile boolean finish;

    @Override
    public Step run(final long maxNanos)
    {
        lastRunNanos = System.nanoTime();
        runs.incrementAndGet();
        return finish ? Step.DONE : Step.WAITING;
    }

    @Override
    public long wakeDeadline()
    {
        final long deadline = nextDeadline;
        nextDeadline = NO_DEADLINE;
        return deadline;
    }

    @Override
    public void preempt()
    {
    }

    long runs()
    {
        return runs.get();
    }

    /** @return the {@link System#nanoTime()} its last run began */
    long lastRunNanos()
    {
        return lastRunNanos;
    }

    /** Its next wait ends by itself at {@code deadline} (once). */
    void nextDeadline(final long deadline)
    {
        nextDeadline = deadline;
    }

    void finish()
    {
        finish = true;
    }
}
