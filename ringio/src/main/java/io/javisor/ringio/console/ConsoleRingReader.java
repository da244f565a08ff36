package io.javisor.ringio.console;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The consumer of one direction of the console page: it copies published bytes out of the ring and
 * frees their slots by advancing the consumer index.
 * <p>
 * Hostile-proof: it keeps its consumer index privately and only ever writes the shared one; the
 * producer index belongs to the peer and is read exactly once per call. When that index claims more
 * than a ring's worth of unread bytes (including an index behind the consumer, which as u32 arithmetic
 * is a huge count), the ring is broken: the reader copies nothing, returns {@link #BROKEN}, and does so
 * from then on. Every slot it touches is masked into the ring, so it never reads outside it.
 * Single-threaded: one reader per ring.
 */
public final class ConsoleRingReader
{
    /** Returned instead of a byte count once the peer has corrupted the ring's indices. */
    public static final int BROKEN = -1;

    private final UnsafeBuffer arrayView = new UnsafeBuffer(0, 0);
    private final AtomicBuffer page;
    private final int dataOffset;
    private final int capacity;
    private final int consumerIndexOffset;
    private final int producerIndexOffset;
    private int consumerIndex;
    private boolean broken;

    ConsoleRingReader(
        final AtomicBuffer page,
        final int dataOffset,
        final int capacity,
        final int consumerIndexOffset,
        final int producerIndexOffset)
    {
        this.page = page;
        this.dataOffset = dataOffset;
        this.capacity = capacity;
        this.consumerIndexOffset = consumerIndexOffset;
        this.producerIndexOffset = producerIndexOffset;
        this.consumerIndex = page.getIntVolatile(consumerIndexOffset);
    }

    /**
     * Copy out as many published bytes as are available and fit.
     *
     * @return the number of bytes read, 0 when the ring is empty, or {@link #BROKEN}.
     */
    public int read(final MutableDirectBuffer destination, final int offset, final int length)
    {
        final int readable = claim(length);
        if (readable > 0)
        {
            final int index = consumerIndex & (capacity - 1);
            final int firstChunk = Math.min(readable, capacity - index);
            page.getBytes(dataOffset + index, destination, offset, firstChunk);
            if (readable > firstChunk)
            {
                page.getBytes(dataOffset, destination, offset + firstChunk, readable - firstChunk);
            }
            release(readable);
        }
        return readable;
    }

    /**
     * As {@link #read(MutableDirectBuffer, int, int)}, for a byte array (through a reused view: no allocation).
     */
    public int read(final byte[] destination, final int offset, final int length)
    {
        arrayView.wrap(destination);
        return read(arrayView, offset, length);
    }

    /**
     * @return true once the peer's producer index has been seen out of range.
     */
    public boolean isBroken()
    {
        return broken;
    }

    /**
     * @return the ring's capacity in bytes.
     */
    public int capacity()
    {
        return capacity;
    }

    private int claim(final int length)
    {
        if (length < 0)
        {
            throw new IllegalArgumentException("negative length " + length);
        }
        if (broken)
        {
            return BROKEN;
        }
        // Acquire, and the only read of the peer's index in this call: the bytes it covers were
        // written before it was published, and what is validated here is what is used below.
        final int producerIndex = page.getIntVolatile(producerIndexOffset);
        final int unread = producerIndex - consumerIndex;
        if (Integer.compareUnsigned(unread, capacity) > 0)
        {
            broken = true;
            return BROKEN;
        }
        return Math.min(length, unread);
    }

    private void release(final int read)
    {
        consumerIndex += read;
        // Release: the bytes have been copied out before the producer may reuse their slots.
        page.putIntOrdered(consumerIndexOffset, consumerIndex);
    }
}
