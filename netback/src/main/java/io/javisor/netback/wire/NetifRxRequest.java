package io.javisor.netback.wire;

import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

import static io.javisor.netback.wire.NetifDescriptor.*;

/**
 * Flyweight over one {@code netif_rx_request} of {@link NetifDescriptor#RX_REQUEST_LENGTH} bytes:
 * the front end lends the back end a page to receive into. A back end reads its private copy.
 */
public final class NetifRxRequest
{
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private MutableDirectBuffer buffer;
    private int offset;

    public NetifRxRequest wrap(final MutableDirectBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    public MutableDirectBuffer buffer()
    {
        return buffer;
    }

    public int offset()
    {
        return offset;
    }

    /**
     * Writes the whole request, its 2 padding bytes as zero, in one store.
     */
    public NetifRxRequest set(final int id, final int gref)
    {
        final long entry = (id & 0xFFFFL) | (gref & 0xFFFF_FFFFL) << (RX_REQ_GREF_OFFSET * 8);
        buffer.putLong(offset + RX_REQ_ID_OFFSET, entry, LE);
        return this;
    }

    public int id()
    {
        return buffer.getShort(offset + RX_REQ_ID_OFFSET, LE) & 0xFFFF;
    }

    /**
     * The granted page to receive into, as the raw u32 bits.
     */
    public int gref()
    {
        return buffer.getInt(offset + RX_REQ_GREF_OFFSET, LE);
    }
}
