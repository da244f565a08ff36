package io.javisor.emulation.device.virtionet;

import io.javisor.emulation.device.virtio.VirtioTestDriver;
import io.javisor.emulation.device.virtio.VirtioTestDriver.Seg;
import io.javisor.memory.testing.Seed;
import io.javisor.memory.testing.Seeded;
import io.javisor.netback.bridge.Bridge;
import io.javisor.netback.bridge.BridgePort;
import io.javisor.netback.spec.MacAddress;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static io.javisor.emulation.device.virtio.VirtioMmioDescriptor.*;
import static io.javisor.emulation.device.virtionet.VirtioNetDescriptor.*;
import static org.junit.jupiter.api.Assertions.*;

/** virtio-net through a netback bridge with a test port on the other side. */
@Seeded
class VirtioNetTest
{
    private static final long GUEST_MAC = 0x52_54_00_12_34_56L;
    private static final long PEER_MAC = 0x00_16_3E_00_00_01L;

    /** The other end: records what the bridge delivers. */
    static final class TestPort implements BridgePort
    {
        final ConcurrentLinkedQueue<byte[]> frames = new ConcurrentLinkedQueue<>();

        @Override
        public boolean deliver(final DirectBuffer frame, final int offset, final int length)
        {
            final byte[] copy = new byte[length];
            frame.getBytes(offset, copy);
            frames.add(copy);
            return true;
        }

        @Override
        public String name()
        {
            return "test0";
        }
    }

    private final Bridge bridge = new Bridge("br-test");
    private final TestPort peer = new TestPort();
    private final int peerPort = bridge.attach(peer);
    private final VirtioNet net = new VirtioNet(bridge, GUEST_MAC, "vnet0").connect();
    private final VirtioTestDriver d = new VirtioTestDriver(net);
    private int wakeUps;

    @AfterEach
    void close()
    {
        net.disconnect();
        d.close();
    }

    private static byte[] frame(final long dst, final long src, final int length, final SplittableRandom random)
    {
        final byte[] f = new byte[length];
        random.nextBytes(f);
        final UnsafeBuffer b = new UnsafeBuffer(f);
        MacAddress.write(dst, b, 0);
        MacAddress.write(src, b, 6);
        f[12] = 0x08;
        f[13] = 0x00;
        return f;
    }

    private void start(final boolean mergeable)
    {
        long features = d.deviceFeatures();
        if (!mergeable)
        {
            features &= ~(1L << F_MRG_RXBUF);
        }
        d.start(features, 2, 64);
        net.wakeUpWith(() -> wakeUps++);
    }

    private void fromPeer(final byte[] f)
    {
        bridge.forward(peerPort, new UnsafeBuffer(f), 0, f.length, System.nanoTime());
    }

    private byte[] guestBytes(final long pa, final int length)
    {
        final byte[] b = new byte[length];
        d.memory.getBytes(d.off(pa), b, 0, length);
        return b;
    }

    @Test
    void configHasMacAndLinkUp()
    {
        final long f = d.deviceFeatures();
        assertTrue((f & 1L << F_MAC) != 0 && (f & 1L << F_STATUS) != 0 && (f & 1L << F_MRG_RXBUF) != 0);
        assertEquals(1, d.read(io.javisor.emulation.device.virtio.VirtioMmioDescriptor.DEVICE_ID));
        final byte[] mac = new byte[6];
        for (int i = 0; i < 6; i++)
        {
            mac[i] = (byte)d.transport.read(CONFIG + CONFIG_MAC + i, 1);
        }
        assertEquals(GUEST_MAC, MacAddress.read(new UnsafeBuffer(mac), 0));
        assertEquals(STATUS_LINK_UP, d.transport.read(CONFIG + CONFIG_STATUS, 2));
        assertEquals(GUEST_MAC, net.macAddress());
    }

    @Test
    void transmitReachesThePeer(final Seed seed)
    {
        start(true);
        final SplittableRandom random = seed.splittableRandom();
        final List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < 20; i++)
        {
            final byte[] f = frame(i % 2 == 0 ? PEER_MAC : MacAddress.BROADCAST, GUEST_MAC, random.nextInt(60, 1515), random);
            sent.add(f);
            final long hdr = d.alloc(HDR_SIZE);
            final long body = d.alloc(f.length);
            d.memory.putBytes(d.off(body), f, 0, f.length);
            d.addChain(TX_QUEUE, Seg.in(hdr, HDR_SIZE), Seg.in(body, f.length));
            d.notify(TX_QUEUE);
            assertEquals(i + 1, d.usedIdx(TX_QUEUE));
            assertEquals(0, d.usedLen(TX_QUEUE, i));
        }
        assertEquals(20, peer.frames.size());
        for (final byte[] f : sent)
        {
            assertArrayEquals(f, peer.frames.poll());
        }
        assertEquals(20, net.statistics().txFrames());
        assertTrue(d.irq);
        assertEquals(1, bridge.portOf(GUEST_MAC, System.nanoTime()) > 0 ? 1 : 0, "the bridge learned the guest's MAC");
    }

    @Test
    void malformedTransmitIsDroppedNotFatal()
    {
        start(true);
        d.addChain(TX_QUEUE, Seg.in(d.alloc(HDR_SIZE), HDR_SIZE), Seg.in(d.alloc(4), 4));
        d.notify(TX_QUEUE);
        assertEquals(1, d.usedIdx(TX_QUEUE));
        assertEquals(1, net.statistics().txDropped());
        assertTrue(peer.frames.isEmpty());
        assertFalse(d.needsReset());
    }

    @Test
    void receiveWaitsForBuffersThenFillsOne(final Seed seed)
    {
        start(false);
        final byte[] f = frame(GUEST_MAC, PEER_MAC, 1000, seed.splittableRandom());
        fromPeer(f);
        assertEquals(1, wakeUps, "delivery wakes the vCPU");
        assertEquals(0, d.usedIdx(RX_QUEUE));
        net.poll();
        assertEquals(0, d.usedIdx(RX_QUEUE), "no buffer yet: the frame waits");
        final long buf = d.alloc(1526);
        d.addChain(RX_QUEUE, Seg.out(buf, 1526));
        d.notify(RX_QUEUE);
        assertEquals(1, d.usedIdx(RX_QUEUE));
        assertEquals(HDR_SIZE + 1000, d.usedLen(RX_QUEUE, 0));
        assertEquals(1, d.memory.getShort(d.off(buf) + HDR_NUM_BUFFERS));
        assertEquals(0, d.memory.getByte(d.off(buf) + HDR_GSO_TYPE));
        assertArrayEquals(f, guestBytes(buf + HDR_SIZE, 1000));
        assertTrue(d.irq);
        assertEquals(1, net.statistics().rxFrames());
    }

    @Test
    void mergeableBuffersTakeALongFrameInPieces(final Seed seed)
    {
        start(true);
        final long[] bufs = new long[4];
        for (int i = 0; i < 4; i++)
        {
            bufs[i] = d.alloc(1024);
            d.addChain(RX_QUEUE, Seg.out(bufs[i], 1024));
        }
        d.notify(RX_QUEUE);
        final byte[] f = frame(GUEST_MAC, PEER_MAC, 3000, seed.splittableRandom());
        fromPeer(f);
        net.poll();
        assertEquals(3, d.usedIdx(RX_QUEUE));
        assertEquals(1024, d.usedLen(RX_QUEUE, 0));
        assertEquals(1024, d.usedLen(RX_QUEUE, 1));
        assertEquals(HDR_SIZE + 3000 - 2048, d.usedLen(RX_QUEUE, 2));
        assertEquals(3, d.memory.getShort(d.off(bufs[0]) + HDR_NUM_BUFFERS));
        final byte[] got = new byte[3000];
        d.memory.getBytes(d.off(bufs[0]) + HDR_SIZE, got, 0, 1024 - HDR_SIZE);
        d.memory.getBytes(d.off(bufs[1]), got, 1024 - HDR_SIZE, 1024);
        d.memory.getBytes(d.off(bufs[2]), got, 2048 - HDR_SIZE, 3000 - 2048 + HDR_SIZE);
        assertArrayEquals(f, got);
        assertEquals(3, net.statistics().rxBuffersUsed());
    }

    @Test
    void mergeableFrameWaitsUntilEnoughBuffers(final Seed seed)
    {
        start(true);
        d.addChain(RX_QUEUE, Seg.out(d.alloc(1024), 1024));
        d.notify(RX_QUEUE);
        fromPeer(frame(GUEST_MAC, PEER_MAC, 1500, seed.splittableRandom()));
        net.poll();
        assertEquals(0, d.usedIdx(RX_QUEUE), "one buffer is not enough: nothing used yet");
        d.addChain(RX_QUEUE, Seg.out(d.alloc(1024), 1024));
        d.notify(RX_QUEUE);
        assertEquals(2, d.usedIdx(RX_QUEUE));
    }

    @Test
    void tooSmallBufferWithoutMergeableDropsTheFrame(final Seed seed)
    {
        start(false);
        d.addChain(RX_QUEUE, Seg.out(d.alloc(100), 100));
        d.notify(RX_QUEUE);
        fromPeer(frame(GUEST_MAC, PEER_MAC, 500, seed.splittableRandom()));
        fromPeer(frame(GUEST_MAC, PEER_MAC, 60, seed.splittableRandom()));
        net.poll();
        assertEquals(1, net.statistics().rxDropped());
        assertEquals(1, d.usedIdx(RX_QUEUE), "the buffer went to the next frame that fits");
        assertEquals(HDR_SIZE + 60, d.usedLen(RX_QUEUE, 0));
    }

    @Test
    void fullReceiveQueueRefusesAndTheBridgeCounts(final Seed seed)
    {
        start(true);
        final byte[] f = frame(GUEST_MAC, PEER_MAC, 60_000, seed.splittableRandom());
        int accepted = 0;
        for (int i = 0; i < 40; i++)
        {
            accepted += Math.max(0, bridge.forward(peerPort, new UnsafeBuffer(f), 0, f.length, System.nanoTime()));
        }
        assertTrue(accepted < 40 && accepted >= VirtioNet.RX_QUEUE_BYTES / 60_016 - 1, "accepted " + accepted);
        assertEquals(40 - accepted, net.statistics().rxQueueFull());
        assertEquals(40 - accepted, bridge.portRefused(net.portNumber()));
    }

    @Test
    void deliveriesFromAnotherThread(final Seed seed) throws Exception
    {
        start(true);
        final int frames = 2000;
        final SplittableRandom random = seed.splittableRandom();
        final byte[] f = frame(GUEST_MAC, PEER_MAC, 200, random);
        final Thread sender = Thread.ofPlatform().start(() ->
        {
            for (int i = 0; i < frames; i++)
            {
                f[20] = (byte)i;
                while (bridge.forward(peerPort, new UnsafeBuffer(f), 0, f.length, System.nanoTime()) != 1)
                {
                    Thread.onSpinWait();
                }
            }
        });
        int received = 0;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        int posted = 0;
        final long[] bufferOfHead = new long[64];
        while (received < frames && System.nanoTime() < deadline)
        {
            while (posted - received < 32)
            {
                final long buf = d.alloc(256);
                bufferOfHead[d.addChain(RX_QUEUE, Seg.out(buf, 256))] = buf;
                posted++;
            }
            d.notify(RX_QUEUE);
            final int used = d.usedIdx(RX_QUEUE);
            for (; received != used; received++)
            {
                final long buf = bufferOfHead[d.usedId(RX_QUEUE, received)];
                assertEquals((byte)received, d.memory.getByte(d.off(buf) + HDR_SIZE + 20), "frames arrive in order");
            }
        }
        sender.join();
        assertEquals(frames, received);
        assertEquals(frames, net.statistics().rxFrames());
    }
}
