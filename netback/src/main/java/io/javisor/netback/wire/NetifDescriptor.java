package io.javisor.netback.wire;

import io.javisor.memory.PageDescriptor;

/**
 * Layout of Xen's netif ring entries ({@code xen/include/public/io/netif.h}), little-endian.
 * Unlike blkif, nothing here depends on the guest's word size: every field is at most 32 bits.
 * <p>
 * Transmit ring (front end to back end), 12-byte slots, 256 on a 4 KiB ring page:
 * <pre>
 *   request  0      4        6       8    10     12        response  0    2        4 ....... 12
 *            | gref | offset | flags | id | size |                   | id | status | unused  |
 * </pre>
 * The first request of a packet carries the whole packet size, each later one (after
 * {@link #NETTXF_MORE_DATA}) its own fragment size, so the first fragment's length is the packet
 * size less the others. {@link #NETTXF_EXTRA_INFO} puts one or more {@code netif_extra_info}
 * entries in the following slots; they consume requests but get {@link #NETIF_RSP_NULL} responses.
 * <p>
 * Receive ring (back end to front end), 8-byte slots, 256 on a page:
 * <pre>
 *   request  0    2     4      8            response  0    2        4       6        8
 *            | id | pad | gref |                      | id | offset | flags | status |
 * </pre>
 * A positive response status is the byte count of the fragment. Linux netfront ignores the
 * response id and takes each response from the slot of the request it answers, so a back end
 * must answer in place; an extra-info entry written into an rx slot overlays the id.
 * <p>
 * Extra info ({@code netif_extra_info}): 8 bytes, so that it fits an rx slot; in a 12-byte tx
 * slot bytes 8..11 are padding. u8 type at 0, u8 flags at 1, then by type:
 * <pre>
 *   GSO        2 u16 size (MSS)   4 u8 gso type   5 pad   6 u16 features
 *   MCAST_*    2 six-byte MAC address, network order
 *   HASH       2 u8 hash type     3 u8 algorithm   4 u32 hash value
 *   XDP        2 u16 headroom (later headers only, type 5)
 * </pre>
 * A fragment's data may not cross the end of its granted page.
 */
public final class NetifDescriptor
{
    public static final int TX_REQUEST_LENGTH = 12;
    public static final int TX_RESPONSE_LENGTH = 4;
    /** The ring entry is the union of request and response. */
    public static final int TX_SLOT_LENGTH = 12;
    public static final int RX_REQUEST_LENGTH = 8;
    public static final int RX_RESPONSE_LENGTH = 8;
    public static final int RX_SLOT_LENGTH = 8;
    /** (4096 − 64) / 12 = 336, rounded down to a power of two. */
    public static final int TX_RING_SIZE = 256;
    /** (4096 − 64) / 8 = 504, rounded down to a power of two. */
    public static final int RX_RING_SIZE = 256;

    public static final int TX_REQ_GREF_OFFSET = 0;
    public static final int TX_REQ_OFFSET_OFFSET = 4;
    public static final int TX_REQ_FLAGS_OFFSET = 6;
    public static final int TX_REQ_ID_OFFSET = 8;
    public static final int TX_REQ_SIZE_OFFSET = 10;

    public static final int TX_RSP_ID_OFFSET = 0;
    public static final int TX_RSP_STATUS_OFFSET = 2;

    public static final int RX_REQ_ID_OFFSET = 0;
    public static final int RX_REQ_PAD_OFFSET = 2;
    public static final int RX_REQ_GREF_OFFSET = 4;

    public static final int RX_RSP_ID_OFFSET = 0;
    public static final int RX_RSP_OFFSET_OFFSET = 2;
    public static final int RX_RSP_FLAGS_OFFSET = 4;
    public static final int RX_RSP_STATUS_OFFSET = 6;

    /** Checksum field left blank for the receiver to fill (checksum offload). */
    public static final int NETTXF_CSUM_BLANK = 1;
    public static final int NETTXF_DATA_VALIDATED = 1 << 1;
    public static final int NETTXF_MORE_DATA = 1 << 2;
    public static final int NETTXF_EXTRA_INFO = 1 << 3;

    /** Note the order: the two checksum bits are swapped relative to the tx flags. */
    public static final int NETRXF_DATA_VALIDATED = 1;
    public static final int NETRXF_CSUM_BLANK = 1 << 1;
    public static final int NETRXF_MORE_DATA = 1 << 2;
    public static final int NETRXF_EXTRA_INFO = 1 << 3;
    /** Deprecated by Xen; kept so that a response carrying it can be recognised. */
    public static final int NETRXF_GSO_PREFIX = 1 << 4;

    public static final int NETIF_RSP_DROPPED = -2;
    public static final int NETIF_RSP_ERROR = -1;
    public static final int NETIF_RSP_OKAY = 0;
    /** The response to a slot that held an extra-info entry rather than a fragment. */
    public static final int NETIF_RSP_NULL = 1;

    /**
     * Slots a back end must accept for one packet without negotiation: the MAX_SKB_FRAGS of old
     * Linux front ends.
     */
    public static final int XEN_NETIF_NR_SLOTS_MIN = 18;
    /** {@code XEN_NETIF_MAX_TX_SIZE}: the u16 size field of the first tx request. */
    public static final int MAX_PACKET_SIZE = 0xFFFF;

    public static final int EXTRA_INFO_LENGTH = 8;
    public static final int EXTRA_TYPE_OFFSET = 0;
    public static final int EXTRA_FLAGS_OFFSET = 1;
    public static final int EXTRA_GSO_SIZE_OFFSET = 2;
    public static final int EXTRA_GSO_TYPE_OFFSET = 4;
    public static final int EXTRA_GSO_PAD_OFFSET = 5;
    public static final int EXTRA_GSO_FEATURES_OFFSET = 6;
    public static final int EXTRA_MCAST_ADDR_OFFSET = 2;
    public static final int EXTRA_HASH_TYPE_OFFSET = 2;
    public static final int EXTRA_HASH_ALGORITHM_OFFSET = 3;
    public static final int EXTRA_HASH_VALUE_OFFSET = 4;
    public static final int EXTRA_XDP_HEADROOM_OFFSET = 2;

    /** Type 0 is never valid on the wire. */
    public static final int XEN_NETIF_EXTRA_TYPE_NONE = 0;
    public static final int XEN_NETIF_EXTRA_TYPE_GSO = 1;
    public static final int XEN_NETIF_EXTRA_TYPE_MCAST_ADD = 2;
    public static final int XEN_NETIF_EXTRA_TYPE_MCAST_DEL = 3;
    public static final int XEN_NETIF_EXTRA_TYPE_HASH = 4;
    /** Added after the other types; absent from older netif.h. */
    public static final int XEN_NETIF_EXTRA_TYPE_XDP = 5;
    /** One past the highest type this layout knows. */
    public static final int XEN_NETIF_EXTRA_TYPE_MAX = 6;

    /** Another extra-info entry follows in the next slot. */
    public static final int XEN_NETIF_EXTRA_FLAG_MORE = 1;

    public static final int XEN_NETIF_GSO_TYPE_NONE = 0;
    public static final int XEN_NETIF_GSO_TYPE_TCPV4 = 1;
    public static final int XEN_NETIF_GSO_TYPE_TCPV6 = 2;

    private NetifDescriptor()
    {
    }

    /**
     * A fragment of {@code size} bytes at {@code pageOffset} lies wholly inside one 4 KiB page;
     * both values are taken as unsigned u16 wire values.
     */
    public static boolean fitsInPage(final int pageOffset, final int size)
    {
        return pageOffset >= 0 && size >= 0 && pageOffset + size <= PageDescriptor.PAGE_SIZE;
    }

    /**
     * Extra-info types this layout describes, {@link #XEN_NETIF_EXTRA_TYPE_NONE} excluded.
     */
    public static boolean isKnownExtraType(final int type)
    {
        return type > XEN_NETIF_EXTRA_TYPE_NONE && type < XEN_NETIF_EXTRA_TYPE_MAX;
    }
}
