package io.javisor.netback.wire;

import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

import static io.javisor.netback.wire.NetifDescriptor.*;

/**
 * Flyweight over one {@code netif_rx_response} of {@link NetifDescriptor#RX_RESPONSE_LENGTH}
 * bytes, which is the whole rx slot. Written only whole, by {@link #write}, so that nothing of
 * the request it replaces (or of an earlier extra-info entry) stays visible to the guest.
 */
public final class NetifRxResponse
{
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private MutableDirectBuffer buffer;
    private int offset;

    public NetifRxResponse wrap(final MutableDirectBuffer buffer, final int offset)
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
     * Writes all 8 bytes in one store.
     *
     * @param status a byte count (> 0), or a {@code NETIF_RSP_*} code.
     */
    public NetifRxResponse write(final int id, final int pageOffset, final int flags, final int status)
    {
        final long entry = (id & 0xFFFFL) |
            (pageOffset & 0xFFFFL) << (RX_RSP_OFFSET_OFFSET * 8) |
            (flags & 0xFFFFL) << (RX_RSP_FLAGS_OFFSET * 8) |
            (status & 0xFFFFL) << (RX_RSP_STATUS_OFFSET * 8);
        buffer.putLong(offset + RX_RSP_ID_OFFSET, entry, LE);
        return this;
    }

    public int id()
    {
        return buffer.getShort(offset + RX_RSP_ID_OFFSET, LE) & 0xFFFF;
    }

    /**
     * Where the data starts in the page the request lent (the {@code offset} field).
     */
    public int pageOffset()
    {
        return buffer.getShort(offset + RX_RSP_OFFSET_OFFSET, LE) & 0xFFFF;
    }

    public int flags()
    {
        return buffer.getShort(offset + RX_RSP_FLAGS_OFFSET, LE) & 0xFFFF;
    }

    /**
     * Signed: the fragment's byte count when positive, else a {@code NETIF_RSP_*} code.
     */
    public int status()
    {
        return buffer.getShort(offset + RX_RSP_STATUS_OFFSET, LE);
    }
}
