package io.javisor.core.hypercall;

/**
 * Counts of one domain's hypercalls: per function id, errors returned, blocks and the wake-ups
 * that ended them. Single writer (the domain's vCPU thread); other threads read racily.
 */
public final class HypercallStatistics
{
    /** Function ids below this have a counter of their own; the rest share {@link #unknown()}. */
    public static final int FID_SLOTS = 128;

    private final long[] calls = new long[FID_SLOTS];
    private long unknown;
    private long errors;
    private long blocks;
    private long timeouts;

    void count(final int fid)
    {
        if (fid >= 0 && fid < FID_SLOTS)
        {
            calls[fid]++;
        }
        else
        {
            unknown++;
        }
    }

    void error()
    {
        errors++;
    }

    void blocked()
    {
        blocks++;
    }

    void timedOut()
    {
        timeouts++;
    }

    /** @return calls of {@code fid} so far */
    public long calls(final int fid)
    {
        return fid >= 0 && fid < FID_SLOTS ? calls[fid] : 0;
    }

    /** @return every hypercall so far, known or not */
    public long total()
    {
        long sum = unknown;
        for (final long n : calls)
        {
            sum += n;
        }
        return sum;
    }

    public long unknown()
    {
        return unknown;
    }

    /** @return calls answered with a negative error in a0 */
    public long errors()
    {
        return errors;
    }

    /** @return block and poll calls that slept */
    public long blocks()
    {
        return blocks;
    }

    /** @return polls that ended at their deadline */
    public long timeouts()
    {
        return timeouts;
    }
}
