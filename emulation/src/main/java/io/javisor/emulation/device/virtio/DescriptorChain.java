package io.javisor.emulation.device.virtio;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * One validated descriptor chain, copied out of guest memory by {@link SplitVirtqueue#pop}: the
 * head index, and per segment its RAM offset, its length and whether the device may write it.
 * Every segment lies inside RAM; the readable segments come first, then the writable ones; the
 * chain was read once, so later guest writes to the descriptor table cannot change it.
 * <p>
 * The readable segments form one logical byte stream starting at 0 (the request the driver wrote),
 * and so do the writable ones (what the device answers); {@link #readOut} and {@link #writeIn}
 * address them by those logical offsets. Not thread-safe: reused by one device on the vCPU thread.
 */
public final class DescriptorChain
{
    private final long[] offset;
    private final int[] length;
    private int head;
    private int count;
    private int readableCount;
    private long readableBytes;
    private long writableBytes;

    public DescriptorChain(final int capacity)
    {
        this.offset = new long[capacity];
        this.length = new int[capacity];
    }

    public int capacity()
    {
        return offset.length;
    }

    void reset(final int head)
    {
        this.head = head;
        this.count = 0;
        this.readableCount = 0;
        this.readableBytes = 0;
        this.writableBytes = 0;
    }

    /** Appends a segment; the queue checked the capacity, RAM bounds and read-before-write order. */
    void add(final long ramOffset, final int len, final boolean writable)
    {
        offset[count] = ramOffset;
        length[count] = len;
        count++;
        if (writable)
        {
            writableBytes += len & 0xFFFF_FFFFL;
        }
        else
        {
            readableCount++;
            readableBytes += len & 0xFFFF_FFFFL;
        }
    }

    /** @return the descriptor index the driver made available, for the used ring. */
    public int head()
    {
        return head;
    }

    public int segmentCount()
    {
        return count;
    }

    /** @return the segments {@code [0, readableCount())} are device-readable, the rest device-writable. */
    public int readableCount()
    {
        return readableCount;
    }

    public long readableBytes()
    {
        return readableBytes;
    }

    public long writableBytes()
    {
        return writableBytes;
    }

    public long segmentOffset(final int i)
    {
        return offset[i];
    }

    /** @return the segment's length in bytes (a u32 from the guest; read it unsigned). */
    public long segmentLength(final int i)
    {
        return length[i] & 0xFFFF_FFFFL;
    }

    /**
     * Copies {@code len} bytes of the readable stream from logical {@code at} into {@code dst}.
     *
     * @return false, copying nothing, if the stream is shorter than {@code at + len}
     */
    public boolean readOut(final GuestRam ram, final long at, final MutableDirectBuffer dst, final int dstIndex, final int len)
    {
        if (at < 0 || len < 0 || at > readableBytes - len)
        {
            return false;
        }
        long skip = at;
        int done = 0;
        for (int i = 0; i < readableCount && done < len; i++)
        {
            final long segLen = segmentLength(i);
            if (skip >= segLen)
            {
                skip -= segLen;
                continue;
            }
            final int n = (int)Math.min(segLen - skip, len - done);
            ram.getBytes(offset[i] + skip, dst, dstIndex + done, n);
            done += n;
            skip = 0;
        }
        return true;
    }

    /**
     * Copies {@code len} bytes of {@code src} into the writable stream at logical {@code at}.
     *
     * @return false, copying nothing, if the writable stream is shorter than {@code at + len}
     */
    public boolean writeIn(final GuestRam ram, final long at, final DirectBuffer src, final int srcIndex, final int len)
    {
        if (at < 0 || len < 0 || at > writableBytes - len)
        {
            return false;
        }
        long skip = at;
        int done = 0;
        for (int i = readableCount; i < count && done < len; i++)
        {
            final long segLen = segmentLength(i);
            if (skip >= segLen)
            {
                skip -= segLen;
                continue;
            }
            final int n = (int)Math.min(segLen - skip, len - done);
            ram.putBytes(offset[i] + skip, src, srcIndex + done, n);
            done += n;
            skip = 0;
        }
        return true;
    }

    /** @return the RAM offset of writable stream byte {@code at}, or -1 past its end. */
    public long writableOffset(final long at)
    {
        long skip = at;
        for (int i = readableCount; i < count; i++)
        {
            final long segLen = segmentLength(i);
            if (skip < segLen)
            {
                return offset[i] + skip;
            }
            skip -= segLen;
        }
        return -1;
    }
}
