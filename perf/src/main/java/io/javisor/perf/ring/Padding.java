package io.javisor.perf.ring;

/**
 * Keeps objects that one thread writes on the hot path off the cache lines of objects the other
 * thread uses: allocated right before and after such an object (same thread, same allocation
 * buffer), a block of this size puts at least two cache lines between it and its neighbours,
 * which also defeats the adjacent-line prefetcher. The benchmarks allocate nothing while they
 * measure, so no collection moves the objects during a run.
 */
final class Padding
{
    private static final int LONGS = 32;
    @SuppressWarnings("unused")
    private static volatile long[] sink;

    private Padding()
    {
    }

    /**
     * Allocates a padding block; it escapes (so that no compiler removes it) and is returned for
     * callers that want to hold on to it.
     */
    static long[] block()
    {
        final long[] block = new long[LONGS];
        sink = block;
        return block;
    }
}
