package io.javisor.netback.bridge;

import io.javisor.netback.spec.MacAddress;
import io.javisor.netback.wire.EthernetDescriptor;

import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

/**
 * Ethernet frames for the tests, written into a reusable buffer.
 */
final class Frames
{
    static final int LENGTH = 60;
    static final long BROADCAST = MacAddress.BROADCAST;
    /** 01:00:5e:00:00:01, all-hosts IPv4 multicast. */
    static final long MULTICAST = 0x01_00_5E_00_00_01L;

    private Frames()
    {
    }

    /**
     * A locally administered unicast address ending in {@code n}.
     */
    static long mac(final long n)
    {
        return 0x02_00_00_00_00_00L | (n & 0xFF_FFFF_FFFFL);
    }

    static UnsafeBuffer frame(final long destination, final long source)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[LENGTH]);
        write(buffer, destination, source);
        return buffer;
    }

    static void write(final UnsafeBuffer buffer, final long destination, final long source)
    {
        MacAddress.write(destination, buffer, 0);
        MacAddress.write(source, buffer, EthernetDescriptor.ADDRESS_LENGTH);
        buffer.putShort(12, (short)0x0800, ByteOrder.BIG_ENDIAN);
    }
}
