package io.javisor.netback;

import io.javisor.netback.bridge.Bridge;
import io.javisor.netback.ratelimit.RateLimiter;
import io.javisor.netback.spec.MacAddress;
import io.javisor.ringio.BackendResources;
import io.javisor.ringio.DomainResources;
import io.javisor.ringio.StandaloneDomains;
import io.javisor.ringio.xenstore.XenbusState;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

class NetFrontBackTest
{
    static final long MAC_A = MacAddress.parse("00:16:3e:00:00:0a");
    static final long MAC_B = MacAddress.parse("00:16:3e:00:00:0b");
    static final long MAC_C = MacAddress.parse("00:16:3e:00:00:0c");

    private final StandaloneDomains domains = new StandaloneDomains(256);
    private final BackendResources dom0 = domains.backend(0, 16);
    private final DomainResources guestA = domains.domain(1, 16);
    private final DomainResources guestB = domains.domain(2, 16);
    private final DomainResources guestC = domains.domain(3, 16);
    private final Bridge bridge = new Bridge("xenbr0");
    private final NetBackend backend = new NetBackend(dom0, NetBackend.Mode.LATENCY, "test").start();

    @AfterEach
    void tearDown()
    {
        backend.close();
        domains.close();
    }

    static UnsafeBuffer frame(final long dst, final long src, final int length, final int marker)
    {
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[length]);
        MacAddress.write(dst, frame, 0);
        MacAddress.write(src, frame, 6);
        frame.putShort(12, (short)0x0008); // IPv4 in network order
        for (int i = 14; i < length; i++)
        {
            frame.putByte(i, (byte)(marker + i));
        }
        return frame;
    }

    static List<byte[]> receive(final NetFront front, final int frames, final long timeoutMs)
    {
        final List<byte[]> received = new ArrayList<>();
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (received.size() < frames && System.nanoTime() < deadline)
        {
            front.poll((buffer, offset, length) ->
            {
                final byte[] copy = new byte[length];
                buffer.getBytes(offset, copy);
                received.add(copy);
            });
            front.awaitActivity(TimeUnit.MILLISECONDS.toNanos(5));
        }
        return received;
    }

    @Test
    void twoGuestsOnABridgeExchangeFramesAndTheHandshakeEndsConnected()
    {
        final Vif vifA = backend.attach(guestA.domid(), 0, MAC_A, bridge, RateLimiter.unlimited());
        final Vif vifB = backend.attach(guestB.domid(), 0, MAC_B, bridge, RateLimiter.unlimited());
        try (NetFront a = NetFront.attach(guestA, 0, 0, NetFrontConfig.defaults());
            NetFront b = NetFront.attach(guestB, 0, 0, NetFrontConfig.defaults()))
        {
            assertEquals(MAC_A, a.mac(), "the front end learns its MAC from xenstore");
            assertEquals(XenbusState.CONNECTED, vifA.backendState());
            for (int i = 0; i < 1000; i++)
            {
                final UnsafeBuffer frame = frame(MAC_B, MAC_A, 60 + i % 1400, i);
                while (!a.send(frame, 0, frame.capacity()))
                {
                    a.poll((buffer, offset, length) -> { });
                }
                a.flush();
                final List<byte[]> got = receive(b, 1, 2000);
                assertEquals(1, got.size(), "frame " + i);
                assertArrayEquals(frame.byteArray(), got.get(0), "frame " + i + " arrives intact");
            }
            assertEquals(1000, vifA.statistics().txPackets());
            assertEquals(1000, vifB.statistics().rxPackets());
            assertEquals(0, vifB.statistics().rxDroppedNoBuffer());
        }
        assertEquals(XenbusState.CLOSED, vifA.backendState());
    }

    @Test
    void jumboFramesTravelOverSeveralSlotsBothWays()
    {
        backend.attach(guestA.domid(), 0, MAC_A, bridge, RateLimiter.unlimited());
        backend.attach(guestB.domid(), 0, MAC_B, bridge, RateLimiter.unlimited());
        try (NetFront a = NetFront.attach(guestA, 0, 0, NetFrontConfig.defaults());
            NetFront b = NetFront.attach(guestB, 0, 0, NetFrontConfig.defaults()))
        {
            for (final int size : new int[]{ 4096, 4097, 9000, 16_000, 65_535 })
            {
                final UnsafeBuffer frame = frame(MAC_B, MAC_A, size, size);
                assertTrue(a.send(frame, 0, size));
                a.flush();
                final List<byte[]> got = receive(b, 1, 2000);
                assertEquals(1, got.size(), size + "-byte frame");
                assertArrayEquals(frame.byteArray(), got.get(0));
            }
        }
    }

    @Test
    void broadcastReachesEveryOtherGuestAndUnicastOnlyItsDestination()
    {
        backend.attach(guestA.domid(), 0, MAC_A, bridge, RateLimiter.unlimited());
        backend.attach(guestB.domid(), 0, MAC_B, bridge, RateLimiter.unlimited());
        backend.attach(guestC.domid(), 0, MAC_C, bridge, RateLimiter.unlimited());
        try (NetFront a = NetFront.attach(guestA, 0, 0, NetFrontConfig.defaults());
            NetFront b = NetFront.attach(guestB, 0, 0, NetFrontConfig.defaults());
            NetFront c = NetFront.attach(guestC, 0, 0, NetFrontConfig.defaults()))
        {
            // C announces itself so the bridge learns where it is.
            final UnsafeBuffer hello = frame(MacAddress.BROADCAST, MAC_C, 60, 1);
            c.send(hello, 0, 60);
            c.flush();
            assertEquals(1, receive(a, 1, 2000).size(), "broadcast reaches A");
            assertEquals(1, receive(b, 1, 2000).size(), "broadcast reaches B");
            assertEquals(0, receive(c, 1, 100).size(), "not back to the sender");

            final UnsafeBuffer toC = frame(MAC_C, MAC_A, 100, 2);
            a.send(toC, 0, 100);
            a.flush();
            assertEquals(1, receive(c, 1, 2000).size());
            assertEquals(0, receive(b, 1, 100).size(), "a learned unicast destination is not flooded");
        }
    }

    @Test
    void framesForAGuestWithNoReceiveBufferPostedAreDroppedAndCounted()
    {
        backend.attach(guestA.domid(), 0, MAC_A, bridge, RateLimiter.unlimited());
        final Vif vifB = backend.attach(guestB.domid(), 0, MAC_B, bridge, RateLimiter.unlimited());
        try (NetFront a = NetFront.attach(guestA, 0, 0, NetFrontConfig.defaults());
            NetFront b = NetFront.attach(guestB, 0, 0, NetFrontConfig.defaults().withBuffers(16, 4)))
        {
            final UnsafeBuffer frame = frame(MAC_B, MAC_A, 60, 3);
            int sent = 0;
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (sent < 100 && System.nanoTime() < deadline)
            {
                if (a.send(frame, 0, 60))
                {
                    sent++;
                }
                a.flush();
                a.poll((buffer, offset, length) -> { });
            }
            // B never polls: only its 4 posted buffers can be filled.
            final long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (vifB.statistics().rxPackets() + vifB.statistics().rxDroppedNoBuffer() < 100 && System.nanoTime() < until)
            {
                Thread.onSpinWait();
            }
            assertEquals(4, vifB.statistics().rxPackets());
            assertEquals(96, vifB.statistics().rxDroppedNoBuffer(), "dropped, not queued");
            assertEquals(4, receive(b, 100, 500).size());
        }
    }
}
