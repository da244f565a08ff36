package io.javisor.netback.wire;

import io.javisor.netback.spec.MacAddress;
import org.agrona.DirectBuffer;

import java.nio.ByteOrder;

/**
 * Layout of an Ethernet II frame as it crosses a vif: no preamble and no frame check sequence
 * (neither netif nor pcap carries the FCS), fields in network byte order.
 * <pre>
 *   0             6             12          14
 *   | destination | source      | ethertype | payload ...
 * </pre>
 * The I/G bit (bit 0 of the first address byte, the first bit on the wire) marks a group
 * address: multicast, of which broadcast is the all-ones case. The U/L bit (bit 1) marks a
 * locally administered address.
 */
public final class EthernetDescriptor
{
    public static final int ADDRESS_LENGTH = 6;
    public static final int DESTINATION_OFFSET = 0;
    public static final int SOURCE_OFFSET = 6;
    public static final int ETHERTYPE_OFFSET = 12;
    public static final int HEADER_LENGTH = 14;
    /** ETH_ZLEN: a shorter frame is padded to this by the sender. */
    public static final int MIN_FRAME_LENGTH = 60;
    /** ETH_FRAME_LEN: a 1500-byte MTU plus the header, untagged. */
    public static final int MAX_FRAME_LENGTH = 1514;
    public static final int VLAN_TAG_LENGTH = 4;

    public static final int GROUP_BIT = 0x01;
    public static final int LOCAL_BIT = 0x02;

    public static final int ETHERTYPE_IPV4 = 0x0800;
    public static final int ETHERTYPE_ARP = 0x0806;
    public static final int ETHERTYPE_VLAN = 0x8100;
    public static final int ETHERTYPE_IPV6 = 0x86DD;
    /** Values below this in the type field are 802.3 lengths, not ethertypes. */
    public static final int ETHERTYPE_MIN = 0x0600;

    private EthernetDescriptor()
    {
    }

    /**
     * The destination address of the frame at {@code frameOffset}, in the low 48 bits.
     */
    public static long destination(final DirectBuffer buffer, final int frameOffset)
    {
        return MacAddress.read(buffer, frameOffset + DESTINATION_OFFSET);
    }

    public static long source(final DirectBuffer buffer, final int frameOffset)
    {
        return MacAddress.read(buffer, frameOffset + SOURCE_OFFSET);
    }

    public static int etherType(final DirectBuffer buffer, final int frameOffset)
    {
        return buffer.getShort(frameOffset + ETHERTYPE_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF;
    }

    /**
     * The frame goes to a group (multicast or broadcast): a bridge floods it.
     */
    public static boolean isMulticast(final DirectBuffer buffer, final int frameOffset)
    {
        return (buffer.getByte(frameOffset + DESTINATION_OFFSET) & GROUP_BIT) != 0;
    }

    public static boolean isBroadcast(final DirectBuffer buffer, final int frameOffset)
    {
        return destination(buffer, frameOffset) == MacAddress.BROADCAST;
    }
}
