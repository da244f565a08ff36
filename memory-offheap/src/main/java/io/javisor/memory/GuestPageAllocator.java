package io.javisor.memory;

import java.util.BitSet;

/**
 * Hands out free guest frames of one domain to the Java code that plays its kernel (a Java guest's
 * front ends need pages for rings and data). Thread-safe; not on any hot path.
 */
public final class GuestPageAllocator
{
    private final GuestMemory memory;
    private final BitSet used;
    private int searchFrom;

    /**
     * @param reservedFrames frames 0..reservedFrames-1 are never handed out (kept for the guest's own use).
     */
    public GuestPageAllocator(final GuestMemory memory, final int reservedFrames)
    {
        this.memory = memory;
        this.used = new BitSet(memory.frameCount());
        used.set(0, Math.min(reservedFrames, memory.frameCount()));
        searchFrom = 0;
    }

    /**
     * @return a free guest frame number, or -1 when the domain has none left.
     */
    public synchronized long allocate()
    {
        int gpfn = used.nextClearBit(searchFrom);
        if (gpfn >= memory.frameCount())
        {
            gpfn = used.nextClearBit(0);
            if (gpfn >= memory.frameCount())
            {
                return -1;
            }
        }
        used.set(gpfn);
        searchFrom = gpfn + 1;
        return gpfn;
    }

    /**
     * @return the first of {@code count} consecutive free guest frames, now allocated, or -1.
     */
    public synchronized long allocateContiguous(final int count)
    {
        int start = used.nextClearBit(0);
        while (start + count <= memory.frameCount())
        {
            final int nextUsed = used.nextSetBit(start);
            if (nextUsed < 0 || nextUsed >= start + count)
            {
                used.set(start, start + count);
                return start;
            }
            start = used.nextClearBit(nextUsed);
        }
        return -1;
    }

    public synchronized void free(final long gpfn)
    {
        if (!memory.isValidFrame(gpfn) || !used.get((int)gpfn))
        {
            throw new IllegalArgumentException("guest frame " + gpfn + " is not allocated");
        }
        used.clear((int)gpfn);
        if (memory.isClosed())
        {
            return; // the domain is gone and its frames went back to the pool scrubbed
        }
        memory.putBytes(gpfn << PageDescriptor.PAGE_SHIFT, ZERO_PAGE, 0, PageDescriptor.PAGE_SIZE);
    }

    public synchronized int freeFrames()
    {
        return memory.frameCount() - used.cardinality();
    }

    private static final byte[] ZERO_PAGE = new byte[PageDescriptor.PAGE_SIZE];
}
