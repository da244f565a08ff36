package io.javisor.core.sched;

/** Test work: a vCPU that never waits; each run spins on its worker for the time given, or until preempted. */
final class SpinningWork implements VcpuWork
{
    private volatile boolean preempted;
    private volatile boolean finish;
    private volatile long runs;

    @Override
    public Step run(final long maxNanos)
    {
        if (finish)
        {
            return Step.DONE;
        }
        final long end = System.nanoTime() + maxNanos;
        while (System.nanoTime() - end < 0 && !preempted)
        {
            Thread.onSpinWait();
        }
        preempted = false;
        runs = runs + 1; // one worker at a time runs it
        return Step.RUNNABLE;
    }

    @Override
    public long wakeDeadline()
    {
        return NO_DEADLINE;
    }

    @Override
    public void preempt()
    {
        preempted = true;
    }

    long runs()
    {
        return runs;
    }

    /** Its next run ends it. */
    void finish()
    {
        finish = true;
    }
}
