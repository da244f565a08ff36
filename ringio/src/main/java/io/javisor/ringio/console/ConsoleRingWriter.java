package io.javisor.ringio.console;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The producer of one direction of the console page: it copies bytes into the ring and publishes
 * them by advancing the producer index.
 * <p>
 * It keeps its producer index privately and only ever writes the shared one, so a peer scribbling
 * on the page cannot make it overwrite unread bytes through that index. The consumer index it does
 * read belongs to the peer: it is read once per call and, when it claims more bytes in flight than
 * the ring holds, the ring is broken and stays so. Single-threaded: one writer per ring.
 */
public final class ConsoleRingWriter
{
    /** Returned instead of a byte count once the peer has corrupted the ring's indices. */
    public static final int BROKEN = -1;

    private final UnsafeBuffer arrayView = new UnsafeBuffer(0, 0);
    private final AtomicBuffer page;
    private final int dataOffset;
    private final int capacity;
    private final int consumerIndexOffset;
    private final int producerIndexOffset;
    private int producerIndex;
    private boolean broken;

    ConsoleRingWriter(
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
        this.producerIndex = page.getIntVolatile(producerIndexOffset);
    }

    /**
     * Copy as many bytes as there is room for.
     *
     * @return the number of bytes written, 0 when the ring is full, or {@link #BROKEN}.
     */
    public int write(final DirectBuffer source, final int offset, final int length)
    {
        final int writable = reserve(length);
        if (writable > 0)
        {
            final int index = producerIndex & (capacity - 1);
            final int firstChunk = Math.min(writable, capacity - index);
            page.putBytes(dataOffset + index, source, offset, firstChunk);
            if (writable > firstChunk)
            {
                page.putBytes(dataOffset, source, offset + firstChunk, writable - firstChunk);
            }
            publish(writable);
        }
        return writable;
    }

    /**
     * As {@link #write(DirectBuffer, int, int)}, for a byte array (through a reused view: no allocation).
     */
    public int write(final byte[] source, final int offset, final int length)
    {
        arrayView.wrap(source);
        return write(arrayView, offset, length);
    }

    /**
     * @return true once the peer's consumer index has been seen out of range.
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

    private int reserve(final int length)
    {
        if (length < 0)
        {
            throw new IllegalArgumentException("negative length " + length);
        }
        if (broken)
        {
            return BROKEN;
        }
        // Acquire: the consumer released these slots after it finished reading them.
        final int consumerIndex = page.getIntVolatile(consumerIndexOffset);
        final int inFlight = producerIndex - consumerIndex;
        if (Integer.compareUnsigned(inFlight, capacity) > 0)
        {
            broken = true;
            return BROKEN;
        }
        return Math.min(length, capacity - inFlight);
    }

    private void publish(final int written)
    {
        producerIndex += written;
        // Release: the bytes are in the ring before the consumer can see the index that covers them.
        page.putIntOrdered(producerIndexOffset, producerIndex);
    }
}
