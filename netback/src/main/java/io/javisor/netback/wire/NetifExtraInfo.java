package io.javisor.netback.wire;

import io.javisor.netback.spec.MacAddress;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

import static io.javisor.netback.wire.NetifDescriptor.*;

/**
 * Flyweight over one {@code netif_extra_info} of {@link NetifDescriptor#EXTRA_INFO_LENGTH} bytes,
 * found in the tx slots after a request with {@link NetifDescriptor#NETTXF_EXTRA_INFO} and in the
 * rx slots after a response with {@link NetifDescriptor#NETRXF_EXTRA_INFO}. Which union member
 * applies is decided by {@link #type()}; the accessors do not check it.
 * <p>
 * The writers store all 8 bytes in one go, unused union bytes as zero. In a 12-byte tx slot the
 * 4 bytes after the entry belong to no field: {@link #zeroTxSlotTail()} clears them.
 */
public final class NetifExtraInfo
{
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private MutableDirectBuffer buffer;
    private int offset;

    public NetifExtraInfo wrap(final MutableDirectBuffer buffer, final int offset)
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

    public int type()
    {
        return buffer.getByte(offset + EXTRA_TYPE_OFFSET) & 0xFF;
    }

    public int flags()
    {
        return buffer.getByte(offset + EXTRA_FLAGS_OFFSET) & 0xFF;
    }

    /**
     * Another extra-info entry follows in the next slot.
     */
    public boolean hasMore()
    {
        return (flags() & XEN_NETIF_EXTRA_FLAG_MORE) != 0;
    }

    /**
     * Maximum segment payload (the MSS for TCP) of a {@link NetifDescriptor#XEN_NETIF_EXTRA_TYPE_GSO} entry.
     */
    public int gsoSize()
    {
        return buffer.getShort(offset + EXTRA_GSO_SIZE_OFFSET, LE) & 0xFFFF;
    }

    /**
     * One of the {@code XEN_NETIF_GSO_TYPE_*} values.
     */
    public int gsoType()
    {
        return buffer.getByte(offset + EXTRA_GSO_TYPE_OFFSET) & 0xFF;
    }

    public int gsoFeatures()
    {
        return buffer.getShort(offset + EXTRA_GSO_FEATURES_OFFSET, LE) & 0xFFFF;
    }

    /**
     * The address of a MCAST_ADD or MCAST_DEL entry, as {@link MacAddress} encodes it.
     */
    public long mcastAddress()
    {
        return MacAddress.read(buffer, offset + EXTRA_MCAST_ADDR_OFFSET);
    }

    /**
     * One of Xen's {@code _XEN_NETIF_CTRL_HASH_TYPE_*} bit numbers.
     */
    public int hashType()
    {
        return buffer.getByte(offset + EXTRA_HASH_TYPE_OFFSET) & 0xFF;
    }

    public int hashAlgorithm()
    {
        return buffer.getByte(offset + EXTRA_HASH_ALGORITHM_OFFSET) & 0xFF;
    }

    /**
     * The u32 hash value as raw bits (stored least significant byte first).
     */
    public int hashValue()
    {
        return buffer.getInt(offset + EXTRA_HASH_VALUE_OFFSET, LE);
    }

    public int xdpHeadroom()
    {
        return buffer.getShort(offset + EXTRA_XDP_HEADROOM_OFFSET, LE) & 0xFFFF;
    }

    /**
     * Writes a GSO entry whole: the pad byte 5 as zero.
     */
    public NetifExtraInfo writeGso(final int flags, final int size, final int gsoType, final int features)
    {
        final long entry = XEN_NETIF_EXTRA_TYPE_GSO |
            (flags & 0xFFL) << (EXTRA_FLAGS_OFFSET * 8) |
            (size & 0xFFFFL) << (EXTRA_GSO_SIZE_OFFSET * 8) |
            (gsoType & 0xFFL) << (EXTRA_GSO_TYPE_OFFSET * 8) |
            (features & 0xFFFFL) << (EXTRA_GSO_FEATURES_OFFSET * 8);
        buffer.putLong(offset, entry, LE);
        return this;
    }

    /**
     * Writes a MCAST_ADD or MCAST_DEL entry whole.
     */
    public NetifExtraInfo writeMcast(final int type, final int flags, final long mac)
    {
        buffer.putByte(offset + EXTRA_TYPE_OFFSET, (byte)type);
        buffer.putByte(offset + EXTRA_FLAGS_OFFSET, (byte)flags);
        MacAddress.write(mac, buffer, offset + EXTRA_MCAST_ADDR_OFFSET);
        return this;
    }

    /**
     * Writes a HASH entry whole.
     */
    public NetifExtraInfo writeHash(final int flags, final int hashType, final int algorithm, final int value)
    {
        final long entry = XEN_NETIF_EXTRA_TYPE_HASH |
            (flags & 0xFFL) << (EXTRA_FLAGS_OFFSET * 8) |
            (hashType & 0xFFL) << (EXTRA_HASH_TYPE_OFFSET * 8) |
            (algorithm & 0xFFL) << (EXTRA_HASH_ALGORITHM_OFFSET * 8) |
            (value & 0xFFFF_FFFFL) << (EXTRA_HASH_VALUE_OFFSET * 8);
        buffer.putLong(offset, entry, LE);
        return this;
    }

    /**
     * Writes an XDP entry whole: bytes 4..7 as zero.
     */
    public NetifExtraInfo writeXdp(final int flags, final int headroom)
    {
        final long entry = XEN_NETIF_EXTRA_TYPE_XDP |
            (flags & 0xFFL) << (EXTRA_FLAGS_OFFSET * 8) |
            (headroom & 0xFFFFL) << (EXTRA_XDP_HEADROOM_OFFSET * 8);
        buffer.putLong(offset, entry, LE);
        return this;
    }

    /**
     * Zeroes bytes 8..11 of the tx slot the entry sits in.
     */
    public NetifExtraInfo zeroTxSlotTail()
    {
        buffer.putInt(offset + EXTRA_INFO_LENGTH, 0, LE);
        return this;
    }
}
