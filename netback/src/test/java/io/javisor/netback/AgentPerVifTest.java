package io.javisor.netback;

import io.javisor.netback.bridge.Bridge;
import io.javisor.netback.ratelimit.RateLimiter;
import io.javisor.ringio.BackendResources;
import io.javisor.ringio.DomainResources;
import io.javisor.ringio.StandaloneDomains;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;

import static io.javisor.netback.NetFrontBackTest.MAC_A;
import static io.javisor.netback.NetFrontBackTest.MAC_B;
import static io.javisor.netback.NetFrontBackTest.MAC_C;
import static io.javisor.netback.NetFrontBackTest.frame;
import static io.javisor.netback.NetFrontBackTest.receive;
import static org.junit.jupiter.api.Assertions.*;

/**
 * DEDICATED threading's shape: one busy-spinning agent per vif, all on one bridge. One of them
 * forwards for the bridge; the others hand their frames over and receive through their vif's queue;
 * when the forwarding agent closes, another takes the role, and closing an agent frees its pages.
 */
class AgentPerVifTest
{
    private final StandaloneDomains domains = new StandaloneDomains(256);
    private final BackendResources dom0 = domains.backend(0, 16);
    private final DomainResources guestA = domains.domain(1, 16);
    private final DomainResources guestB = domains.domain(2, 16);
    private final DomainResources guestC = domains.domain(3, 16);
    private final Bridge bridge = new Bridge("xenbr0");

    @AfterEach
    void tearDown()
    {
        domains.close();
    }

    @Test
    @Timeout(60)
    void framesCrossAgentsAndTheForwardingRoleMovesWhenItsAgentCloses()
    {
        final int dom0Free = dom0.pages().freeFrames();
        final NetBackend agentA = new NetBackend(dom0, NetBackend.Mode.LATENCY, "a").start();
        final NetBackend agentB = new NetBackend(dom0, NetBackend.Mode.LATENCY, "b").start();
        final NetBackend agentC = new NetBackend(dom0, NetBackend.Mode.LATENCY, "c").start();
        final Vif vifA = agentA.attach(guestA.domid(), 0, MAC_A, bridge, RateLimiter.unlimited());
        agentB.attach(guestB.domid(), 0, MAC_B, bridge, RateLimiter.unlimited());
        agentC.attach(guestC.domid(), 0, MAC_C, bridge, RateLimiter.unlimited());
        try (NetFront a = NetFront.attach(guestA, 0, 0, NetFrontConfig.defaults());
            NetFront b = NetFront.attach(guestB, 0, 0, NetFrontConfig.defaults());
            NetFront c = NetFront.attach(guestC, 0, 0, NetFrontConfig.defaults()))
        {
            // Each front end says hello once (flooded to the other two), so the bridge learns all three.
            final NetFront[] fronts = { a, b, c };
            final long[] macs = { MAC_A, MAC_B, MAC_C };
            for (int i = 0; i < 3; i++)
            {
                final UnsafeBuffer hello = frame(-1L & 0xFFFF_FFFF_FFFFL, macs[i], 60, i);
                assertTrue(fronts[i].send(hello, 0, 60));
                fronts[i].flush();
                for (int j = 0; j < 3; j++)
                {
                    if (j != i)
                    {
                        assertEquals(1, receive(fronts[j], 1, 2000).size(), "hello from " + i + " at " + j);
                    }
                }
            }
            exchange(b, c, MAC_C, MAC_B, 200);
            exchange(c, b, MAC_B, MAC_C, 200);
            exchange(a, b, MAC_B, MAC_A, 200);
            exchange(b, a, MAC_A, MAC_B, 200);

            // Closing A's agent detaches vif A and gives up the role if it held it; B and C go on.
            agentA.close();
            assertEquals(2, bridge.portCount());
            exchange(b, c, MAC_C, MAC_B, 200);
            exchange(c, b, MAC_B, MAC_C, 200);
            assertNull(vifA.disableReason());
        }
        agentB.close();
        agentC.close();
        assertEquals(0, bridge.portCount());
        assertEquals(dom0Free, dom0.pages().freeFrames(), "every agent's frame buffers are freed");
        assertEquals(0, bridge.statistics().droppedRefused(), bridge.toString());
    }

    private static void exchange(final NetFront from, final NetFront to, final long dst, final long src, final int frames)
    {
        for (int i = 0; i < frames; i++)
        {
            final UnsafeBuffer frame = frame(dst, src, 60 + i, i);
            while (!from.send(frame, 0, frame.capacity()))
            {
                from.poll((buffer, offset, length) -> { });
            }
            from.flush();
            final List<byte[]> got = receive(to, 1, 2000);
            assertEquals(1, got.size(), "frame " + i);
            assertArrayEquals(frame.byteArray(), got.get(0), "frame " + i);
        }
    }
}
