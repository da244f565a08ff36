package io.javisor.netback.wire;

import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

import static io.javisor.netback.wire.NetifDescriptor.*;

/**
 * Flyweight over one {@code netif_tx_request} of {@link NetifDescriptor#TX_REQUEST_LENGTH} bytes.
 * u16 fields come back as non-negative ints, the grant reference as the raw u32 bits.
 * <p>
 * A back end wraps its private copy of the slot, never the shared ring, so that a guest cannot
 * change a field between validation and use. When {@link #flags()} of the previous request had
 * {@link NetifDescriptor#NETTXF_EXTRA_INFO}, the slot holds a {@link NetifExtraInfo} instead.
 */
public final class NetifTxRequest
{
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private MutableDirectBuffer buffer;
    private int offset;

    public NetifTxRequest wrap(final MutableDirectBuffer buffer, final int offset)
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
     * Writes the whole request, as a front end does: gref, page offset and flags as one u64,
     * then id and size as one u32.
     */
    public NetifTxRequest set(final int gref, final int pageOffset, final int flags, final int id, final int size)
    {
        final long head = (gref & 0xFFFF_FFFFL) | (long)(pageOffset & 0xFFFF) << 32 | (long)(flags & 0xFFFF) << 48;
        buffer.putLong(offset + TX_REQ_GREF_OFFSET, head, LE);
        buffer.putInt(offset + TX_REQ_ID_OFFSET, (id & 0xFFFF) | (size & 0xFFFF) << 16, LE);
        return this;
    }

    public int gref()
    {
        return buffer.getInt(offset + TX_REQ_GREF_OFFSET, LE);
    }

    public NetifTxRequest gref(final int gref)
    {
        buffer.putInt(offset + TX_REQ_GREF_OFFSET, gref, LE);
        return this;
    }

    /**
     * Where the fragment starts in its granted page (the {@code offset} field).
     */
    public int pageOffset()
    {
        return buffer.getShort(offset + TX_REQ_OFFSET_OFFSET, LE) & 0xFFFF;
    }

    public NetifTxRequest pageOffset(final int pageOffset)
    {
        buffer.putShort(offset + TX_REQ_OFFSET_OFFSET, (short)pageOffset, LE);
        return this;
    }

    public int flags()
    {
        return buffer.getShort(offset + TX_REQ_FLAGS_OFFSET, LE) & 0xFFFF;
    }

    public NetifTxRequest flags(final int flags)
    {
        buffer.putShort(offset + TX_REQ_FLAGS_OFFSET, (short)flags, LE);
        return this;
    }

    public boolean hasMoreData()
    {
        return (flags() & NETTXF_MORE_DATA) != 0;
    }

    public boolean hasExtraInfo()
    {
        return (flags() & NETTXF_EXTRA_INFO) != 0;
    }

    /**
     * The front end's cookie, echoed in the response.
     */
    public int id()
    {
        return buffer.getShort(offset + TX_REQ_ID_OFFSET, LE) & 0xFFFF;
    }

    public NetifTxRequest id(final int id)
    {
        buffer.putShort(offset + TX_REQ_ID_OFFSET, (short)id, LE);
        return this;
    }

    /**
     * The whole packet's size in the first request of a packet, the fragment's in later ones.
     */
    public int size()
    {
        return buffer.getShort(offset + TX_REQ_SIZE_OFFSET, LE) & 0xFFFF;
    }

    public NetifTxRequest size(final int size)
    {
        buffer.putShort(offset + TX_REQ_SIZE_OFFSET, (short)size, LE);
        return this;
    }
}
