package io.javisor.emulation.device.virtioblk;

/**
 * Counters of one virtio-blk device: requests by type, bytes moved, errors. {@link #ios()} over the
 * transport's register exits gives the exits per IO.
 * <p>
 * Single writer: the vCPU thread that processes the queue. Other threads read recent values.
 */
public final class VirtioBlkStatistics
{
    volatile long reads;
    volatile long writes;
    volatile long flushes;
    volatile long getIds;
    volatile long discards;
    volatile long writeZeroes;
    volatile long unsupported;
    volatile long ioErrors;
    volatile long bytesRead;
    volatile long bytesWritten;

    /** @return every request completed, whatever its type and status. */
    public long ios()
    {
        return reads + writes + flushes + getIds + discards + writeZeroes + unsupported;
    }

    public long reads()
    {
        return reads;
    }

    public long writes()
    {
        return writes;
    }

    public long flushes()
    {
        return flushes;
    }

    public long getIds()
    {
        return getIds;
    }

    public long discards()
    {
        return discards;
    }

    public long writeZeroes()
    {
        return writeZeroes;
    }

    /** @return requests of a type the device does not know or did not offer (answered UNSUPP). */
    public long unsupported()
    {
        return unsupported;
    }

    /** @return requests answered IOERR (bad sector, read-only image, image failure, bad length). */
    public long ioErrors()
    {
        return ioErrors;
    }

    public long bytesRead()
    {
        return bytesRead;
    }

    public long bytesWritten()
    {
        return bytesWritten;
    }

    @Override
    public String toString()
    {
        return "ios=" + ios() + " reads=" + reads + " writes=" + writes + " flushes=" + flushes + " discards=" + discards +
            " writeZeroes=" + writeZeroes + " ioErrors=" + ioErrors + " unsupported=" + unsupported;
    }
}
