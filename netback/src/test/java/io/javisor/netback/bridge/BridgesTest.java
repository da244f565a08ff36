package io.javisor.netback.bridge;

import org.junit.jupiter.api.Test;

import java.util.List;

import static io.javisor.netback.bridge.Frames.BROADCAST;
import static io.javisor.netback.bridge.Frames.frame;
import static io.javisor.netback.bridge.Frames.mac;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class BridgesTest
{
    private final Bridges bridges = new Bridges();

    @Test
    void getOrCreateNamesOneBridgePerName()
    {
        final Bridge xenbr0 = bridges.getOrCreate("xenbr0");

        assertSame(xenbr0, bridges.getOrCreate("xenbr0"));
        assertSame(xenbr0, bridges.get("xenbr0"));
        assertNull(bridges.get("xenbr1"));
        bridges.getOrCreate("xenbr1");
        assertEquals(List.of("xenbr0", "xenbr1"), List.copyOf(bridges.names()));
        assertEquals("xenbr0", xenbr0.name());
        assertEquals(Bridge.DEFAULT_AGEING_NANOS, xenbr0.ageingNanos());
        assertEquals(Bridge.DEFAULT_CAPACITY, xenbr0.capacity());
        assertThrows(IllegalArgumentException.class, () -> bridges.getOrCreate(""));
    }

    @Test
    void aFrameOnOneBridgeNeverReachesAnother()
    {
        final Bridge xenbr0 = bridges.getOrCreate("xenbr0");
        final Bridge xenbr1 = bridges.getOrCreate("xenbr1");
        final TestPort a0 = new TestPort("vif1.0");
        final TestPort b0 = new TestPort("vif2.0");
        final TestPort a1 = new TestPort("vif3.0");
        final TestPort b1 = new TestPort("vif4.0");
        final int pa0 = xenbr0.attach(a0);
        xenbr0.attach(b0);
        final int pa1 = xenbr1.attach(a1);
        xenbr1.attach(b1);

        xenbr0.forward(pa0, frame(BROADCAST, mac(1)), 0, Frames.LENGTH, 0);
        xenbr1.forward(pa1, frame(BROADCAST, mac(3)), 0, Frames.LENGTH, 0);
        xenbr0.forward(pa0, frame(mac(3), mac(1)), 0, Frames.LENGTH, 1);

        assertEquals(2, b0.accepted, "the broadcast and the frame to an address unknown on xenbr0");
        assertEquals(1, b1.accepted, "only xenbr1's own broadcast");
        assertEquals(mac(3), b1.lastSource);
        assertEquals(0, a1.offered);
        assertEquals(-1, xenbr0.portOf(mac(3), 1));
        assertEquals(1, xenbr0.portOf(mac(1), 1));
        assertEquals(2, xenbr0.statistics().flooded());
        assertEquals(1, xenbr1.statistics().flooded());
    }
}
