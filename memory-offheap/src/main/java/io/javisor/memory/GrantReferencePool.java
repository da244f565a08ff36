package io.javisor.memory;

/**
 * The free list of grant references a front end hands out from its own grant table, as Linux's
 * gnttab free list. Thread-safe: the front ends of one domain share its pool (control plane and
 * request set-up, not per-byte work).
 */
public final class GrantReferencePool
{
    private final int[] free;
    private int freeCount;

    /**
     * A pool of the references {@code firstRef .. firstRef + count - 1}.
     */
    public GrantReferencePool(final int firstRef, final int count)
    {
        if (firstRef < 0 || count < 0)
        {
            throw new IllegalArgumentException("bad reference range " + firstRef + "+" + count);
        }
        free = new int[count];
        for (int i = 0; i < count; i++)
        {
            free[i] = firstRef + count - 1 - i;
        }
        freeCount = count;
    }

    /**
     * @return a free reference, or -1 when none is left.
     */
    public synchronized int claim()
    {
        return freeCount == 0 ? -1 : free[--freeCount];
    }

    public synchronized void release(final int ref)
    {
        if (freeCount == free.length)
        {
            throw new IllegalStateException("reference " + ref + " released to a full pool");
        }
        free[freeCount++] = ref;
    }

    public synchronized int available()
    {
        return freeCount;
    }
}
