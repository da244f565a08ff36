package io.javisor.memory;

/**
 * The free list of grant references a front end hands out from its own grant table, as Linux's
 * gnttab free list. Not thread-safe: one front end (one thread) owns a pool.
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
    public int claim()
    {
        return freeCount == 0 ? -1 : free[--freeCount];
    }

    public void release(final int ref)
    {
        if (freeCount == free.length)
        {
            throw new IllegalStateException("reference " + ref + " released to a full pool");
        }
        free[freeCount++] = ref;
    }

    public int available()
    {
        return freeCount;
    }
}
