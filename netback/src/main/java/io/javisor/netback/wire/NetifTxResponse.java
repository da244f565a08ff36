package io.javisor.netback.wire;

import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

import static io.javisor.netback.wire.NetifDescriptor.*;

/**
 * Flyweight over one {@code netif_tx_response} in a {@link NetifDescriptor#TX_SLOT_LENGTH}-byte
 * ring slot.
 * <p>
 * Responses are written only whole, by {@link #write}, and the whole slot with them: the slot
 * held a 12-byte request a moment ago, and bytes 4..11 left as they were would hand the guest
 * whatever was there (XSA-216 leaked back end memory through exactly such bytes).
 */
public final class NetifTxResponse
{
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private MutableDirectBuffer buffer;
    private int offset;

    public NetifTxResponse wrap(final MutableDirectBuffer buffer, final int offset)
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
     * Writes all 12 bytes of the slot: id and status as the low half of one u64 whose high half
     * is zero, then a zero u32.
     */
    public NetifTxResponse write(final int id, final int status)
    {
        final long head = (id & 0xFFFFL) | (status & 0xFFFFL) << (TX_RSP_STATUS_OFFSET * 8);
        buffer.putLong(offset + TX_RSP_ID_OFFSET, head, LE);
        buffer.putInt(offset + 8, 0, LE);
        return this;
    }

    public int id()
    {
        return buffer.getShort(offset + TX_RSP_ID_OFFSET, LE) & 0xFFFF;
    }

    /**
     * Signed: one of the {@code NETIF_RSP_*} codes.
     */
    public int status()
    {
        return buffer.getShort(offset + TX_RSP_STATUS_OFFSET, LE);
    }
}
