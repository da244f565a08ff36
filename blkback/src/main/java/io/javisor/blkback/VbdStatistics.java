package io.javisor.blkback;

/**
 * Counters of one virtual block device's back end, written only by the serving agent (plain stores:
 * no fence on the request path); other threads read them racily, which is fine for monitoring.
 */
public final class VbdStatistics
{
    long requests;
    long errors;
    long unsupported;
    long sectorsRead;
    long sectorsWritten;
    long flushes;
    long discards;
    long persistentGrantsMapped;
    long transientMaps;

    public long requests()
    {
        return requests;
    }

    public long errors()
    {
        return errors;
    }

    public long unsupported()
    {
        return unsupported;
    }

    public long sectorsRead()
    {
        return sectorsRead;
    }

    public long sectorsWritten()
    {
        return sectorsWritten;
    }

    public long flushes()
    {
        return flushes;
    }

    public long discards()
    {
        return discards;
    }

    public long persistentGrantsMapped()
    {
        return persistentGrantsMapped;
    }

    public long transientMaps()
    {
        return transientMaps;
    }

    @Override
    public String toString()
    {
        return "requests=" + requests + " errors=" + errors + " unsupported=" + unsupported +
            " sectorsRead=" + sectorsRead + " sectorsWritten=" + sectorsWritten + " flushes=" + flushes +
            " discards=" + discards + " persistentGrants=" + persistentGrantsMapped + " transientMaps=" + transientMaps;
    }
}
