package io.javisor.netback.bridge;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static io.javisor.netback.bridge.Frames.BROADCAST;
import static io.javisor.netback.bridge.Frames.frame;
import static io.javisor.netback.bridge.Frames.mac;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The guarantee under test: once {@code detach(n)} has returned on a control thread, the port that
 * was attached as n gets no {@code deliver} call, ever; and attach/detach racing with forwarding
 * throws nowhere. A port detected breaking it is one whose deliver() sees a flag that the control
 * thread sets only after detach returned: a deliver() that finished before detach returned
 * happens-before that store and so cannot see it.
 */
class BridgeConcurrencyTest
{
    private static final int FORWARDS = 10_000_000;
    private static final int FIRST_DYNAMIC = 3;
    private static final int DYNAMIC_PORTS = 4;

    @Test
    @Timeout(60)
    void attachAndDetachOnAnotherThreadDuringTenMillionForwards() throws Exception
    {
        final Bridge bridge = new Bridge("xenbr0");
        final TestPort stable = new TestPort("vif1.0");
        final TestPort peer = new TestPort("vif2.0");
        final int stableNo = bridge.attach(stable);
        final int peerNo = bridge.attach(peer);
        final AtomicLong lateDeliveries = new AtomicLong();
        final AtomicLong deliveriesToDynamicPorts = new AtomicLong();
        final AtomicBoolean forwarding = new AtomicBoolean(true);
        final AtomicLong controlCycles = new AtomicLong();

        final CompletableFuture<Long> control = CompletableFuture.supplyAsync(() ->
        {
            final GuardedPort[] attached = new GuardedPort[DYNAMIC_PORTS];
            long cycles = 0;
            while (forwarding.get())
            {
                final int slot = (int)(cycles % DYNAMIC_PORTS);
                if (attached[slot] != null)
                {
                    bridge.detach(attached[slot].number);
                    attached[slot].detachReturned = true;
                    attached[slot] = null;
                }
                final GuardedPort port = new GuardedPort(lateDeliveries, deliveriesToDynamicPorts);
                port.number = bridge.attach(port);
                attached[slot] = port;
                cycles++;
                controlCycles.lazySet(cycles);
                if ((cycles & 63) == 0)
                {
                    Thread.yield(); // let the ports receive something between changes
                }
            }
            return cycles;
        });

        // Dynamic ports take the numbers FIRST_DYNAMIC.. in turn; the forwarding thread sends from
        // and to all of them without knowing which are attached at the moment.
        final UnsafeBuffer[] fromDynamic = new UnsafeBuffer[DYNAMIC_PORTS];
        final UnsafeBuffer[] toDynamic = new UnsafeBuffer[DYNAMIC_PORTS];
        for (int i = 0; i < DYNAMIC_PORTS; i++)
        {
            fromDynamic[i] = frame(mac(1), mac(100 + i));
            toDynamic[i] = frame(mac(100 + i), mac(1));
        }
        final UnsafeBuffer broadcast = frame(BROADCAST, mac(1));
        final UnsafeBuffer unknown = frame(mac(999), mac(2));
        final long start = System.nanoTime();
        // This thread is the bridge's forwarding thread, as a netback agent is: it holds the role for
        // the whole run and serves the control thread's attach/detach commands between frames.
        while (!bridge.isForwardingThread())
        {
            bridge.serve(0); // the control thread may hold the role for a moment while it attaches
        }
        try
        {
            // At least FORWARDS frames, and on until the control thread has changed ports 1,000 times
            // (on a loaded machine it may get few turns while the frames fly): a count, not a timing.
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            for (int i = 0; i < FORWARDS || controlCycles.get() <= 1_000 && System.nanoTime() < deadline; i++)
            {
                bridge.serve(i);
                final int dynamic = (i >>> 2) % DYNAMIC_PORTS;
                switch (i & 3)
                {
                    case 0 -> bridge.forward(FIRST_DYNAMIC + dynamic, fromDynamic[dynamic], 0, Frames.LENGTH, i);
                    case 1 -> bridge.forward(stableNo, toDynamic[dynamic], 0, Frames.LENGTH, i);
                    case 2 -> bridge.forward(stableNo, broadcast, 0, Frames.LENGTH, i);
                    default -> bridge.forward(peerNo, unknown, 0, Frames.LENGTH, i);
                }
                if ((i & 0xFFFF) == 0)
                {
                    bridge.sweep(i);
                }
            }
        }
        finally
        {
            forwarding.set(false);
            bridge.releaseForwarding(); // a command still waiting is then served by its own thread
        }
        final long cycles = control.get(10, TimeUnit.SECONDS);
        final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertEquals(0, lateDeliveries.get(), "deliveries to a port after its detach returned");
        assertTrue(cycles > 1_000, "only " + cycles + " attach/detach cycles in " + elapsedMs + " ms");
        assertTrue(deliveriesToDynamicPorts.get() > 0, "the dynamic ports never got a frame");
        // Each gets at least the other's frames: the peer the stable port's broadcasts, the stable
        // port the peer's frames to an unknown address (a quarter of all forwards each).
        assertTrue(peer.accepted >= FORWARDS / 4 && stable.accepted >= FORWARDS / 4, bridge.toString());
    }

    @Test
    void detachFromInsideDeliverDoesNotWaitForItselfAndStopsLaterDeliveries()
    {
        final Bridge bridge = new Bridge("xenbr0");
        final TestPort ingress = new TestPort("vif1.0");
        final TestPort victim = new TestPort("vif3.0");
        final int ingressNo = bridge.attach(ingress);
        final int[] victimNo = new int[1];
        final TestPort detacher = new TestPort("vif2.0")
        {
            @Override
            public boolean deliver(final DirectBuffer frame, final int offset, final int length)
            {
                bridge.detach(victimNo[0]);
                return super.deliver(frame, offset, length);
            }
        };
        bridge.attach(detacher);
        victimNo[0] = bridge.attach(victim);

        assertEquals(1, bridge.forward(ingressNo, frame(BROADCAST, mac(1)), 0, Frames.LENGTH, 0));

        assertEquals(1, detacher.accepted);
        assertEquals(0, victim.offered, "detached during the flood, before its turn");
        assertEquals(2, bridge.portCount());
    }

    @Test
    void aPortThatDetachesItselfWhileReceivingIsNotDeadlocked()
    {
        final Bridge bridge = new Bridge("xenbr0");
        final TestPort ingress = new TestPort("vif1.0");
        final int[] selfNo = new int[1];
        final TestPort leaver = new TestPort("vif2.0")
        {
            @Override
            public boolean deliver(final DirectBuffer frame, final int offset, final int length)
            {
                bridge.detach(selfNo[0]);
                return super.deliver(frame, offset, length);
            }
        };
        final int ingressNo = bridge.attach(ingress);
        selfNo[0] = bridge.attach(leaver);

        assertEquals(1, bridge.forward(ingressNo, frame(BROADCAST, mac(1)), 0, Frames.LENGTH, 0));
        assertEquals(0, bridge.forward(ingressNo, frame(BROADCAST, mac(1)), 0, Frames.LENGTH, 1));
        assertEquals(1, leaver.offered);
    }

    @Test
    @Timeout(10)
    void detachReturnsAtOnceWhenNothingIsForwarding() throws Exception
    {
        final Bridge bridge = new Bridge("xenbr0");
        final int a = bridge.attach(new TestPort("a"));
        final int b = bridge.attach(new TestPort("b"));
        bridge.forward(a, frame(BROADCAST, mac(1)), 0, Frames.LENGTH, 0);

        CompletableFuture.runAsync(() -> bridge.detach(b)).get(5, TimeUnit.SECONDS);
        assertEquals(1, bridge.portCount());
    }

    /**
     * A port that checks, on every delivery, that the control thread has not yet seen its detach return.
     */
    private static final class GuardedPort implements BridgePort
    {
        private final AtomicLong lateDeliveries;
        private final AtomicLong deliveries;
        volatile boolean detachReturned;
        volatile int number;

        GuardedPort(final AtomicLong lateDeliveries, final AtomicLong deliveries)
        {
            this.lateDeliveries = lateDeliveries;
            this.deliveries = deliveries;
        }

        @Override
        public boolean deliver(final DirectBuffer frame, final int offset, final int length)
        {
            if (detachReturned)
            {
                lateDeliveries.incrementAndGet();
            }
            deliveries.lazySet(deliveries.get() + 1); // the forwarding thread is its only writer
            return true;
        }

        @Override
        public String name()
        {
            return "dynamic";
        }
    }
}
