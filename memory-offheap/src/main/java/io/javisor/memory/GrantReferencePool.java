package io.javisor.memory;

/**
 * The free list of grant references a front end hands out from its own grant table, as Linux's
 * gnttab free list. Thread-safe: the front ends of one domain share its pool (control plane and
 * request set-up, not per-byte work).
 */
public final class GrantReferencePool
{
    private final int firstRef;
    private final int count;
    /** References below firstRef + handedOut have been handed out at least once; the rest never were. */
    private int handedOut;
    /** References given back, reused first (last in, first out); grows with the most ever given back. */
    private int[] released = new int[0];
    private int releasedCount;

    /**
     * A pool of the references {@code firstRef .. firstRef + count - 1}. It holds no array of them:
     * a domain that uses a dozen of its hundreds of references keeps a counter and what it gave back.
     */
    public GrantReferencePool(final int firstRef, final int count)
    {
        if (firstRef < 0 || count < 0)
        {
            throw new IllegalArgumentException("bad reference range " + firstRef + "+" + count);
        }
        this.firstRef = firstRef;
        this.count = count;
    }

    /**
     * @return a free reference (one given back if any, else the lowest never handed out), or -1
     * when none is left.
     */
    public synchronized int claim()
    {
        if (releasedCount > 0)
        {
            return released[--releasedCount];
        }
        return handedOut == count ? -1 : firstRef + handedOut++;
    }

    public synchronized void release(final int ref)
    {
        if (available() == count)
        {
            throw new IllegalStateException("reference " + ref + " released to a full pool");
        }
        if (releasedCount == released.length)
        {
            released = java.util.Arrays.copyOf(released, Math.max(8, 2 * releasedCount));
        }
        released[releasedCount++] = ref;
    }

    public synchronized int available()
    {
        return count - handedOut + releasedCount;
    }
}
