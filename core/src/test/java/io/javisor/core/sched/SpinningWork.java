package io.javisor.core.sched;

/** Test work: a vCPU that never waits; each run spins on its worker for the time given, or until preempted. */
final class SpinningWork implements VcpuWork
{
    private volatile boolean preempted;
    private volatile boolean finish;

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

    /** Its next run ends it. */
    void finish()
    {
        finish = true;
    }
}
