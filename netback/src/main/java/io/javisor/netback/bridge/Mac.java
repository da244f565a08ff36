package io.javisor.netback.bridge;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * A 48-bit MAC address held in the low bits of a long, the first byte on the wire most
 * significant, so that the I/G bit (bit 0 of the first byte) is bit 40.
 */
final class Mac
{
    static final int LENGTH = 6;
    static final long BROADCAST = 0xFFFF_FFFF_FFFFL;
    /** Never a 48-bit address, so free to mark an empty slot. */
    static final long NONE = -1L;

    private static final long GROUP_BIT = 1L << 40;

    private Mac()
    {
    }

    static long read(final DirectBuffer buffer, final int offset)
    {
        final long high = buffer.getShort(offset, ByteOrder.BIG_ENDIAN) & 0xFFFFL;
        return (high << 32) | (buffer.getInt(offset + 2, ByteOrder.BIG_ENDIAN) & 0xFFFF_FFFFL);
    }

    static void write(final MutableDirectBuffer buffer, final int offset, final long mac)
    {
        buffer.putShort(offset, (short)(mac >>> 32), ByteOrder.BIG_ENDIAN);
        buffer.putInt(offset + 2, (int)mac, ByteOrder.BIG_ENDIAN);
    }

    /**
     * Multicast or broadcast.
     */
    static boolean isGroup(final long mac)
    {
        return (mac & GROUP_BIT) != 0;
    }

    /**
     * What a station may send from, as Linux's is_valid_ether_addr(): a group address or the
     * all-zero address as a source is a forged or broken frame.
     */
    static boolean isValidSource(final long mac)
    {
        return mac != 0 && !isGroup(mac);
    }

    static String format(final long mac)
    {
        final StringBuilder text = new StringBuilder(17);
        for (int shift = 40; shift >= 0; shift -= 8)
        {
            final int octet = (int)(mac >>> shift) & 0xFF;
            text.append(Character.forDigit(octet >>> 4, 16)).append(Character.forDigit(octet & 0xF, 16));
            if (shift > 0)
            {
                text.append(':');
            }
        }
        return text.toString();
    }
}
