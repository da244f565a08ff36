package io.javisor.netback.bridge;

import io.javisor.netback.spec.MacAddress;
import io.javisor.netback.wire.EthernetDescriptor;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static io.javisor.netback.bridge.Frames.BROADCAST;
import static io.javisor.netback.bridge.Frames.MULTICAST;
import static io.javisor.netback.bridge.Frames.frame;
import static io.javisor.netback.bridge.Frames.mac;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BridgeAllocationTest
{
    private static final int FORWARDS = 1_000_000;

    @Test
    void forwardAllocatesNothing()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final Bridge bridge = new Bridge("xenbr0", 50_000, 64);
        final TestPort a = new TestPort("a");
        final TestPort b = new TestPort("b");
        final TestPort c = new TestPort("c");
        b.refuse = true;
        final int pa = bridge.attach(a);
        final int pb = bridge.attach(b);
        final int pc = bridge.attach(c);
        final int[] ingress = {pa, pb, pc, pa, pc, pa, pa, pb};
        // Unicast, broadcast, multicast, unknown, filtered, refused, invalid source, and a rotating
        // source that keeps the table full, so learning, refusing, ageing and sweeping all run.
        final UnsafeBuffer[] frames = {
            frame(mac(2), mac(1)), frame(BROADCAST, mac(2)), frame(MULTICAST, mac(3)), frame(mac(99), mac(1)),
            frame(mac(3), mac(3)), frame(mac(2), mac(1)), frame(mac(2), MULTICAST), frame(mac(1), mac(100))};
        final UnsafeBuffer rotating = frames[7];

        forwardAll(bridge, ingress, frames, rotating, 0);
        final long before = threads.getCurrentThreadAllocatedBytes();
        forwardAll(bridge, ingress, frames, rotating, FORWARDS);
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        assertTrue(bridge.statistics().tableFull() > 0 && bridge.statistics().aged() > 0, bridge.toString());
        assertTrue(allocated < 4096, allocated + " bytes allocated in " + FORWARDS + " forwards");
    }

    private static void forwardAll(
        final Bridge bridge, final int[] ingress, final UnsafeBuffer[] frames, final UnsafeBuffer rotating, final long start)
    {
        for (int i = 0; i < FORWARDS; i++)
        {
            final int k = i & 7;
            final long now = (start + i) * 10;
            if (k == 7)
            {
                MacAddress.write(mac(100 + ((i >>> 3) & 1023)), rotating, EthernetDescriptor.ADDRESS_LENGTH);
            }
            bridge.forward(ingress[k], frames[k], 0, Frames.LENGTH, now);
            if ((i & 0xFFFF) == 0)
            {
                bridge.sweep(now);
            }
        }
    }
}
