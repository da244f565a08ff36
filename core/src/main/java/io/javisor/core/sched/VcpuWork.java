package io.javisor.core.sched;

/**
 * What the {@link CreditScheduler} runs for one vCPU: guest code that can run for a bounded time on
 * whichever worker thread calls it and say what it wants next. {@link #run} and
 * {@link #wakeDeadline()} are called by one worker at a time (the scheduler hands the vCPU from worker
 * to worker with a happens-before edge); {@link #preempt()} from any thread.
 * <p>
 * The contract that keeps the pool healthy: {@link #run} never parks, sleeps or waits for another
 * thread; a vCPU with nothing to do returns {@link Step#WAITING} and is woken through
 * {@link Vcpu#wake()} (or by its deadline) instead. A call that may block in the host kernel (a disk
 * image's file IO) is made inside a {@link io.javisor.memory.blocking.BlockingSection}, during which
 * a spare worker takes the blocked one's place.
 */
public interface VcpuWork
{
    /** {@link #wakeDeadline()} when only a {@link Vcpu#wake()} ends the wait. */
    long NO_DEADLINE = Long.MAX_VALUE;

    /** What the vCPU wants after a run. */
    enum Step
    {
        /** It has more to run: it goes back on a run queue (or on running). */
        RUNNABLE,
        /** It waits for a {@link Vcpu#wake()} or its {@link #wakeDeadline()}; it costs nothing meanwhile. */
        WAITING,
        /** It is finished; the scheduler forgets it and calls nothing more. */
        DONE
    }

    /**
     * Run for about {@code maxNanos} (a little more is fine: the end of the guest's current instruction
     * slice) on the calling worker thread.
     */
    Step run(long maxNanos);

    /**
     * @return after {@link Step#WAITING}: the {@link System#nanoTime()} at which to run it again even if
     * nothing wakes it, or {@link #NO_DEADLINE}
     */
    long wakeDeadline();

    /** End the current {@link #run} soon, with {@link Step#RUNNABLE}, so that its worker can switch. Any thread. */
    void preempt();

    /**
     * After a run returned {@link Step#DONE}, once the scheduler has forgotten the vCPU (it is in no
     * view any more): on the worker, the last call. Whoever waits for the vCPU's end is told here.
     */
    default void retired()
    {
    }
}
