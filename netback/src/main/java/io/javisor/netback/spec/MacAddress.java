package io.javisor.netback.spec;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * Ethernet MAC addresses as plain {@code long}s: the six bytes in the low 48 bits, the first
 * byte on the wire the most significant ({@code 00:16:3e:12:34:56} is {@code 0x00163e123456L}),
 * so that a bridge's forwarding table keys on a primitive and the data path allocates nothing.
 * <p>
 * In that encoding the I/G (group) bit of the first byte is bit 40 and the U/L (locally
 * administered) bit is bit 41.
 */
public final class MacAddress
{
    public static final long BROADCAST = 0xFFFF_FFFF_FFFFL;
    /** The organisationally unique identifier assigned to Xen: 00:16:3e. */
    public static final long XEN_OUI = 0x00_16_3EL;
    public static final long MASK = 0xFFFF_FFFF_FFFFL;
    public static final long GROUP_BIT = 1L << 40;
    public static final long LOCAL_BIT = 1L << 41;

    private static final int BYTES = 6;
    private static final int TEXT_LENGTH = BYTES * 3 - 1;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private MacAddress()
    {
    }

    /**
     * Six groups of two hexadecimal digits, either case, separated all by ':' or all by '-'.
     *
     * @throws IllegalArgumentException with a one-line message quoting the text.
     */
    public static long parse(final String text)
    {
        if (text == null || text.length() != TEXT_LENGTH)
        {
            throw bad(text);
        }
        final char separator = text.charAt(2);
        if (separator != ':' && separator != '-')
        {
            throw bad(text);
        }
        long mac = 0;
        for (int i = 0; i < BYTES; i++)
        {
            final int at = i * 3;
            final int high = hexDigit(text.charAt(at));
            final int low = hexDigit(text.charAt(at + 1));
            if (high < 0 || low < 0 || (i < BYTES - 1 && text.charAt(at + 2) != separator))
            {
                throw bad(text);
            }
            mac = mac << 8 | high << 4 | low;
        }
        return mac;
    }

    /**
     * ASCII only: {@link Character#digit} would also take full-width and other Unicode digits.
     */
    static int hexDigit(final char c)
    {
        if (c >= '0' && c <= '9')
        {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f')
        {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F')
        {
            return c - 'A' + 10;
        }
        return -1;
    }

    private static IllegalArgumentException bad(final String text)
    {
        return new IllegalArgumentException(
            "bad MAC address '" + text + "': expected six hex byte pairs like 00:16:3e:12:34:56");
    }

    /**
     * Lower-case, colon-separated: {@code 00:16:3e:12:34:56}.
     */
    public static String toString(final long mac)
    {
        final char[] text = new char[TEXT_LENGTH];
        for (int i = 0; i < BYTES; i++)
        {
            final int value = (int)(mac >>> ((BYTES - 1 - i) * 8)) & 0xFF;
            final int at = i * 3;
            text[at] = HEX[value >>> 4];
            text[at + 1] = HEX[value & 0xF];
            if (i < BYTES - 1)
            {
                text[at + 2] = ':';
            }
        }
        return new String(text);
    }

    /**
     * The six bytes at {@code offset}, in network order.
     */
    public static long read(final DirectBuffer buffer, final int offset)
    {
        final long high = buffer.getShort(offset, ByteOrder.BIG_ENDIAN) & 0xFFFFL;
        final long low = buffer.getInt(offset + 2, ByteOrder.BIG_ENDIAN) & 0xFFFF_FFFFL;
        return high << 32 | low;
    }

    public static void write(final long mac, final MutableDirectBuffer buffer, final int offset)
    {
        buffer.putShort(offset, (short)(mac >>> 32), ByteOrder.BIG_ENDIAN);
        buffer.putInt(offset + 2, (int)mac, ByteOrder.BIG_ENDIAN);
    }

    /**
     * A group address: multicast, broadcast included.
     */
    public static boolean isMulticast(final long mac)
    {
        return (mac & GROUP_BIT) != 0;
    }

    public static boolean isBroadcast(final long mac)
    {
        return (mac & MASK) == BROADCAST;
    }

    public static boolean isLocallyAdministered(final long mac)
    {
        return (mac & LOCAL_BIT) != 0;
    }

    /**
     * A unicast address a NIC may own: not a group address and not all zeroes.
     */
    public static boolean isValidUnicast(final long mac)
    {
        return (mac & ~MASK) == 0 && !isMulticast(mac) && mac != 0;
    }

    public static boolean isXen(final long mac)
    {
        return (mac >>> 24) == XEN_OUI;
    }

    /**
     * A random address in Xen's OUI, as libxl gives a vif without mac=: 00:16:3e, then three
     * random bytes of which the first has its top bit cleared (libxl takes them from a fresh
     * UUID and masks byte 3 with 0x7f). The OUI makes it unicast and globally administered, so
     * only 23 bits vary: give guests that share a network segment explicit addresses.
     */
    public static long randomXen()
    {
        return randomXen(ThreadLocalRandom.current());
    }

    public static long randomXen(final RandomGenerator random)
    {
        return XEN_OUI << 24 | (random.nextInt() & 0x7F_FFFF);
    }
}
