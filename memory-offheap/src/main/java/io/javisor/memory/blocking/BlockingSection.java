package io.javisor.memory.blocking;

/**
 * Marks a call that may block the calling thread in the host kernel (a file read, write or
 * {@code fsync}) so that a thread pool whose threads must not block (the credit scheduler's workers,
 * which stand for physical CPUs) can lend another thread the blocked one's place while it waits, as
 * Go's runtime hands a processor on when a goroutine enters a system call.
 * <p>
 * A pool runs its threads' work inside {@link #runCompensated}; code anywhere below brackets each
 * blocking call with {@link #begin()} and {@link #end(Compensator)}. On threads no pool runs this way
 * (agents, tests, the main thread) both are a no-op. Thread safety: the binding is the calling
 * thread's own (a {@link ScopedValue}); what {@link Compensator} does with the calls is its business.
 */
public final class BlockingSection
{
    /** What a pool does when one of its threads is about to block, and when it is back. */
    public interface Compensator
    {
        /** The calling thread (one of the pool's) is about to block. */
        void beginBlocking();

        /** The calling thread is back from the call that {@link #beginBlocking()} announced. */
        void endBlocking();
    }

    private static final ScopedValue<Compensator> COMPENSATOR = ScopedValue.newInstance();

    private BlockingSection()
    {
    }

    /**
     * Runs {@code work} on the calling thread with {@code compensator} told of every blocking section in it.
     */
    public static void runCompensated(final Compensator compensator, final Runnable work)
    {
        ScopedValue.where(COMPENSATOR, compensator).run(work);
    }

    /**
     * Announces a call that may block.
     *
     * @return the compensator told, to hand to {@link #end}, or null on a thread no pool compensates.
     */
    public static Compensator begin()
    {
        if (!COMPENSATOR.isBound())
        {
            return null;
        }
        final Compensator compensator = COMPENSATOR.get();
        compensator.beginBlocking();
        return compensator;
    }

    /**
     * The call announced by the {@link #begin()} that returned {@code compensator} is over.
     */
    public static void end(final Compensator compensator)
    {
        if (compensator != null)
        {
            compensator.endBlocking();
        }
    }
}
