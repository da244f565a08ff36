package io.javisor.netback.bridge;

import io.javisor.memory.testing.Seed;
import io.javisor.memory.testing.Seeded;
import io.javisor.netback.spec.MacAddress;
import io.javisor.netback.wire.EthernetDescriptor;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static io.javisor.netback.bridge.Frames.BROADCAST;
import static io.javisor.netback.bridge.Frames.MULTICAST;
import static io.javisor.netback.bridge.Frames.frame;
import static io.javisor.netback.bridge.Frames.mac;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Seeded
class BridgeTest
{
    private static final long A = mac(0xA);
    private static final long B = mac(0xB);
    private static final long C = mac(0xC);
    private static final long NOBODY = mac(0xDEAD);

    private final TestPort vifA = new TestPort("vif1.0");
    private final TestPort vifB = new TestPort("vif2.0");
    private final TestPort vifC = new TestPort("vif3.0");
    private Bridge bridge;
    private int portA;
    private int portB;
    private int portC;

    @BeforeEach
    void attachThreeVifs()
    {
        bridge = new Bridge("xenbr0");
        portA = bridge.attach(vifA);
        portB = bridge.attach(vifB);
        portC = bridge.attach(vifC);
    }

    @Test
    void portsAreNumberedFromOneAndNumbersAreReused()
    {
        assertEquals(1, portA);
        assertEquals(2, portB);
        assertEquals(3, portC);
        bridge.detach(portB);
        assertEquals(2, bridge.attach(new TestPort("vif4.0")));
        assertEquals(3, bridge.portCount());
    }

    @Test
    void unicastGoesOnlyToThePortTheDestinationWasLearnedOn()
    {
        bridge.forward(portB, frame(BROADCAST, B), 0, Frames.LENGTH, 0); // teaches B → port B
        resetPorts();

        final int delivered = bridge.forward(portA, frame(B, A), 0, Frames.LENGTH, 1);

        assertEquals(1, delivered);
        assertEquals(1, vifB.accepted);
        assertEquals(A, vifB.lastSource);
        assertEquals(0, vifA.offered);
        assertEquals(0, vifC.offered);
        assertEquals(1, bridge.statistics().forwardedUnicast());
        assertEquals(portB, bridge.portOf(B, 1));
        assertEquals(portA, bridge.portOf(A, 1));
        assertEquals(2, bridge.statistics().learned());
    }

    @Test
    void unknownDestinationFloodsToEveryPortButTheIngress()
    {
        final int delivered = bridge.forward(portA, frame(NOBODY, A), 0, Frames.LENGTH, 0);

        assertEquals(2, delivered);
        assertEquals(0, vifA.offered);
        assertEquals(1, vifB.accepted);
        assertEquals(1, vifC.accepted);
        assertEquals(NOBODY, vifC.lastDestination);
        assertEquals(1, bridge.statistics().flooded());
        assertEquals(0, bridge.statistics().forwardedUnicast());
    }

    @Test
    void broadcastAndMulticastFloodEvenWhenEveryoneIsKnown()
    {
        bridge.forward(portB, frame(NOBODY, B), 0, Frames.LENGTH, 0);
        bridge.forward(portC, frame(NOBODY, C), 0, Frames.LENGTH, 0);
        resetPorts();

        assertEquals(2, bridge.forward(portA, frame(BROADCAST, A), 0, Frames.LENGTH, 1));
        assertEquals(2, bridge.forward(portA, frame(MULTICAST, A), 0, Frames.LENGTH, 1));

        assertEquals(0, vifA.offered);
        assertEquals(2, vifB.accepted);
        assertEquals(2, vifC.accepted);
        assertEquals(MULTICAST, vifB.lastDestination);
        assertEquals(4, bridge.statistics().flooded());
    }

    @Test
    void aFrameForItsOwnIngressPortIsFiltered()
    {
        bridge.forward(portA, frame(NOBODY, A), 0, Frames.LENGTH, 0);
        resetPorts();

        // A second station behind the same port (a guest bridging its own vif) talks to A.
        assertEquals(0, bridge.forward(portA, frame(A, mac(0xA2)), 0, Frames.LENGTH, 1));

        assertEquals(0, vifA.offered + vifB.offered + vifC.offered);
        assertEquals(1, bridge.statistics().droppedFiltered());
    }

    @Test
    void aLearnedAddressExpiresAfterTheAgeingTimeAndThenFloods()
    {
        final Bridge ageing = new Bridge("xenbr1", 1_000, 16);
        final TestPort x = new TestPort("x");
        final TestPort y = new TestPort("y");
        final TestPort z = new TestPort("z");
        final int px = ageing.attach(x);
        final int py = ageing.attach(y);
        ageing.attach(z);
        ageing.forward(py, frame(BROADCAST, B), 0, Frames.LENGTH, 0);

        assertEquals(1, ageing.forward(px, frame(B, A), 0, Frames.LENGTH, 1_000), "age == ageing time: still valid");
        assertEquals(1, ageing.statistics().forwardedUnicast());

        assertEquals(2, ageing.forward(px, frame(B, A), 0, Frames.LENGTH, 1_001), "B not seen for 1001 ns: flood");
        assertEquals(2, ageing.statistics().flooded());
        assertEquals(1, ageing.statistics().aged());
        assertEquals(-1, ageing.portOf(B, 1_001));

        ageing.forward(py, frame(A, B), 0, Frames.LENGTH, 1_500); // B back, refreshes and is relearned
        assertEquals(py, ageing.portOf(B, 1_500));
        assertEquals(px, ageing.portOf(A, 1_500));

        assertEquals(1, ageing.sweep(2_002), "A, last seen at 1001, is gone; B, seen at 1500, stays");
        assertEquals(1, ageing.macCount());
        assertEquals(1, ageing.sweep(2_501));
        assertEquals(0, ageing.macCount());
        assertEquals(3, ageing.statistics().aged());
    }

    @Test
    void seeingAnAddressAgainKeepsItFresh()
    {
        final Bridge ageing = new Bridge("xenbr1", 1_000, 16);
        final int px = ageing.attach(vifA);
        final int py = ageing.attach(vifB);
        for (long now = 0; now <= 10_000; now += 500)
        {
            ageing.forward(py, frame(NOBODY, B), 0, Frames.LENGTH, now);
        }
        resetPorts();
        assertEquals(1, ageing.forward(px, frame(B, A), 0, Frames.LENGTH, 10_900));
        assertEquals(1, vifB.accepted);
        assertEquals(0, ageing.sweep(10_900));
    }

    @Test
    void anAddressSeenOnAnotherPortMovesThere()
    {
        bridge.forward(portB, frame(NOBODY, B), 0, Frames.LENGTH, 0);
        bridge.forward(portC, frame(NOBODY, B), 0, Frames.LENGTH, 1); // the guest migrated
        resetPorts();

        bridge.forward(portA, frame(B, A), 0, Frames.LENGTH, 2);

        assertEquals(1, vifC.accepted);
        assertEquals(0, vifB.offered);
        assertEquals(1, bridge.statistics().moved());
    }

    @Test
    void theMacTableStaysAtCapacityUnderAMillionRandomSourceAddresses(final Seed seed)
    {
        final Bridge small = new Bridge("xenbr0", Bridge.DEFAULT_AGEING_NANOS, 4096);
        final TestPort attacker = new TestPort("attacker");
        final TestPort victim = new TestPort("victim");
        final TestPort bystander = new TestPort("bystander");
        final int pa = small.attach(attacker);
        final int pv = small.attach(victim);
        final int pb = small.attach(bystander);
        small.forward(pv, frame(BROADCAST, B), 0, Frames.LENGTH, 0); // learned before the flood

        final UnsafeBuffer buffer = frame(NOBODY, A);
        final SplittableRandom random = seed.splittableRandom();
        final int frames = 1_000_000;
        for (int i = 0; i < frames; i++)
        {
            final long source = random.nextLong() & 0xFEFF_FFFF_FFFFL; // I/G bit clear: unicast
            MacAddress.write(source == 0 ? 1 : source, buffer, EthernetDescriptor.ADDRESS_LENGTH);
            small.forward(pa, buffer, 0, Frames.LENGTH, i);
            assertTrue(small.macCount() <= 4096);
        }

        assertEquals(4096, small.macCount());
        assertEquals(frames + 1, small.statistics().learned() + small.statistics().tableFull());
        assertTrue(small.statistics().tableFull() >= frames - 4096);
        assertEquals(frames + 1, small.statistics().flooded(), "unknown destinations keep flooding");
        assertEquals(frames + 1, bystander.accepted);

        // What was learned before still switches; a newcomer cannot be learned, so traffic to it floods.
        victim.reset();
        bystander.reset();
        assertEquals(1, small.forward(pa, frame(B, mac(0x1234_5678)), 0, Frames.LENGTH, frames));
        assertEquals(1, victim.accepted);
        small.forward(pb, frame(NOBODY, C), 0, Frames.LENGTH, frames);
        assertEquals(-1, small.portOf(C, frames));
        assertEquals(2, small.forward(pv, frame(C, B), 0, Frames.LENGTH, frames));
    }

    @Test
    void aMulticastOrZeroSourceIsDroppedAndNeverLearned()
    {
        assertEquals(0, bridge.forward(portA, frame(NOBODY, MULTICAST), 0, Frames.LENGTH, 0));
        assertEquals(0, bridge.forward(portA, frame(NOBODY, BROADCAST), 0, Frames.LENGTH, 0));
        assertEquals(0, bridge.forward(portA, frame(NOBODY, 0), 0, Frames.LENGTH, 0));

        assertEquals(0, vifB.offered + vifC.offered);
        assertEquals(3, bridge.statistics().droppedInvalidSource());
        assertEquals(0, bridge.macCount());
        assertEquals(3, bridge.statistics().dropped());
        assertEquals(3, bridge.portReceived(portA));
    }

    @Test
    void aFrameShorterThanAnEthernetHeaderIsDropped()
    {
        final UnsafeBuffer buffer = frame(BROADCAST, A);

        assertEquals(0, bridge.forward(portA, buffer, 0, 13, 0));
        assertEquals(2, bridge.forward(portA, frame(BROADCAST, A), 0, 14, 0), "a bare header is a frame");
        assertEquals(0, bridge.forward(portA, buffer, Frames.LENGTH - 10, 14, 0), "runs past the buffer");
        assertEquals(0, bridge.forward(portA, buffer, -1, 14, 0));

        assertEquals(3, bridge.statistics().droppedShort());
        assertEquals(1, vifB.offered);
    }

    @Test
    void aFrameFromAPortThatIsNotAttachedIsDropped()
    {
        assertEquals(0, bridge.forward(99, frame(BROADCAST, A), 0, Frames.LENGTH, 0));
        assertEquals(0, bridge.forward(0, frame(BROADCAST, A), 0, Frames.LENGTH, 0));
        assertEquals(2, bridge.statistics().droppedNoPort());
        assertEquals(0, bridge.macCount());
    }

    @Test
    void detachForgetsThePortsAddressesAndStopsDelivery()
    {
        bridge.forward(portB, frame(NOBODY, B), 0, Frames.LENGTH, 0);
        bridge.forward(portB, frame(NOBODY, mac(0xB2)), 0, Frames.LENGTH, 0);
        bridge.forward(portC, frame(NOBODY, C), 0, Frames.LENGTH, 0);
        assertEquals(3, bridge.macCount());
        resetPorts();

        bridge.detach(portB);

        assertEquals(-1, bridge.portOf(B, 1), "unknown at once");
        assertEquals(1, bridge.forward(portA, frame(B, A), 0, Frames.LENGTH, 1), "floods to the remaining port");
        assertEquals(0, vifB.offered);
        assertEquals(1, vifC.accepted);
        assertEquals(2, bridge.macCount(), "B's two addresses forgotten, C and A known");
        assertEquals(portC, bridge.portOf(C, 1));

        assertEquals(0, bridge.forward(portB, frame(BROADCAST, B), 0, Frames.LENGTH, 2), "a detached port sends nothing");
        assertEquals(0, vifB.offered);
        assertEquals(-1, bridge.portReceived(portB));
        assertThrows(IllegalArgumentException.class, () -> bridge.detach(portB));
    }

    @Test
    void aReusedPortNumberDoesNotInheritTheAddressesOfTheOldPort()
    {
        bridge.forward(portB, frame(NOBODY, B), 0, Frames.LENGTH, 0);
        bridge.detach(portB);
        final TestPort newcomer = new TestPort("vif9.0");
        assertEquals(portB, bridge.attach(newcomer));
        resetPorts();

        bridge.forward(portA, frame(B, A), 0, Frames.LENGTH, 1);

        assertEquals(2, bridge.statistics().flooded(), "B is unknown: flooded, not unicast to the newcomer");
        assertEquals(0, bridge.statistics().forwardedUnicast());
    }

    @Test
    void aRefusingPortIsCountedAndDoesNotAffectTheOthers()
    {
        vifB.refuse = true;

        assertEquals(1, bridge.forward(portA, frame(BROADCAST, A), 0, Frames.LENGTH, 0));

        assertEquals(1, vifB.offered);
        assertEquals(1, vifC.accepted);
        assertEquals(1, bridge.statistics().droppedRefused());
        assertEquals(1, bridge.portRefused(portB));
        assertEquals(0, bridge.portDelivered(portB));
        assertEquals(1, bridge.portDelivered(portC));

        bridge.forward(portB, frame(NOBODY, B), 0, Frames.LENGTH, 0);
        assertEquals(0, bridge.forward(portA, frame(B, A), 0, Frames.LENGTH, 0), "refused unicast");
        assertEquals(1, bridge.statistics().forwardedUnicast());
        assertEquals(2, bridge.statistics().droppedRefused());
    }

    @Test
    void aThrowingPortIsCountedAsRefusedAndTheOthersStillGetTheFrame()
    {
        final Bridge b = new Bridge("xenbr0");
        final int ingress = b.attach(vifA);
        b.attach(new BridgePort()
        {
            @Override
            public boolean deliver(final DirectBuffer frame, final int offset, final int length)
            {
                throw new IllegalStateException("broken vif");
            }

            @Override
            public String name()
            {
                return "broken";
            }
        });
        b.attach(vifC);

        assertEquals(1, b.forward(ingress, frame(BROADCAST, A), 0, Frames.LENGTH, 0));
        assertEquals(1, vifC.accepted);
        assertEquals(1, b.statistics().deliveryErrors());
        assertEquals(1, b.statistics().droppedRefused());
    }

    @Test
    void framesAtAnOffsetAreReadWhereTheyAre()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[100]);
        MacAddress.write(BROADCAST, buffer, 30);
        MacAddress.write(A, buffer, 36);

        assertEquals(2, bridge.forward(portA, buffer, 30, 64, 0));
        assertEquals(A, vifB.lastSource);
        assertEquals(64, vifB.lastLength);
        assertEquals(portA, bridge.portOf(A, 0));
    }

    @Test
    void rejectsAnUnusableConfiguration()
    {
        assertThrows(IllegalArgumentException.class, () -> new Bridge("x", -1, 16));
        assertThrows(IllegalArgumentException.class, () -> new Bridge("x", 1, 0));
        assertThrows(NullPointerException.class, () -> bridge.attach(null));
    }

    private void resetPorts()
    {
        vifA.reset();
        vifB.reset();
        vifC.reset();
    }
}
