package io.javisor.emulation.device.virtionet;

import io.javisor.emulation.cpu.RamBus;
import io.javisor.emulation.device.virtio.VirtioTestDriver;
import io.javisor.emulation.device.virtio.VirtioTestDriver.Seg;
import io.javisor.memory.testing.Seed;
import io.javisor.memory.testing.Seeded;
import io.javisor.netback.bridge.Bridge;
import io.javisor.netback.spec.MacAddress;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static io.javisor.emulation.device.virtio.VirtioMmioDescriptor.*;
import static io.javisor.emulation.device.virtionet.VirtioNetDescriptor.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A hostile driver of virtio-net while frames arrive from the bridge: malformed chains on either
 * queue (loops, addresses outside RAM, lengths that wrap), random descriptor tables and random
 * register writes. The host stays healthy (nothing is thrown out of the device or the bridge), a
 * device that found a driver error says so with DEVICE_NEEDS_RESET and a log line, another port on
 * the same bridge keeps its traffic, and after a reset the device carries frames both ways again.
 */
@Seeded
class VirtioNetHostileTest
{
    private static final long GUEST_MAC = 0x52_54_00_66_66_66L;
    private static final long PEER_MAC = 0x00_16_3E_00_00_0AL;
    private static final long BYSTANDER_MAC = 0x00_16_3E_00_00_0BL;

    private final Bridge bridge = new Bridge("br-hostile");
    private final VirtioNetTest.TestPort peer = new VirtioNetTest.TestPort();
    private final int peerPort = bridge.attach(peer);
    private final VirtioNetTest.TestPort bystander = new VirtioNetTest.TestPort();
    private final int bystanderPort = bridge.attach(bystander);
    private final VirtioNet net = new VirtioNet(bridge, GUEST_MAC, "vnet-hostile").connect();
    private final VirtioTestDriver d = new VirtioTestDriver(net);
    private final long features = d.deviceFeatures();

    @AfterEach
    void close()
    {
        net.disconnect();
        d.close();
    }

    private static byte[] frame(final long dst, final long src, final int length)
    {
        final byte[] f = new byte[length];
        final UnsafeBuffer b = new UnsafeBuffer(f);
        MacAddress.write(dst, b, 0);
        MacAddress.write(src, b, 6);
        f[12] = (byte)0x88;
        f[13] = (byte)0xB5;
        return f;
    }

    private void fromPeer(final long dst, final int length)
    {
        final byte[] f = frame(dst, PEER_MAC, length);
        bridge.forward(peerPort, new UnsafeBuffer(f), 0, f.length, System.nanoTime());
    }

    /** The attack ends in NEEDS_RESET with one log line naming it; the bystander still gets its frames. */
    private void expectNeedsReset(final Runnable attack, final String logged)
    {
        d.start(features, 2, 8);
        attack.run();
        fromPeer(GUEST_MAC, 100);
        net.poll();
        assertTrue(d.needsReset(), "NEEDS_RESET");
        assertEquals(1, d.logLines.size(), d.logLines.toString());
        assertTrue(d.logLines.get(0).contains(logged), d.logLines.get(0));
        assertEquals(INTERRUPT_CONFIG_CHANGE, d.read(INTERRUPT_STATUS) & INTERRUPT_CONFIG_CHANGE);
        bystanderStillServed();
        recoverAndExchange();
    }

    private void bystanderStillServed()
    {
        bystander.frames.clear();
        fromPeer(BYSTANDER_MAC, 64);
        fromPeer(MacAddress.BROADCAST, 64);
        assertEquals(2, bystander.frames.size(), "the other port on the bridge is unaffected");
    }

    /** Reset, set up both queues properly: one frame out to the peer, one in from it. */
    private void recoverAndExchange()
    {
        d.start(features, 2, 8);
        assertFalse(d.needsReset());
        net.poll(); // whatever the bridge queued while the device was broken
        final int usedBefore = d.usedIdx(RX_QUEUE);
        peer.frames.clear();
        final byte[] out = frame(PEER_MAC, GUEST_MAC, 60);
        final long body = d.alloc(out.length);
        d.memory.putBytes(d.off(body), out, 0, out.length);
        d.addChain(TX_QUEUE, Seg.in(d.alloc(HDR_SIZE), HDR_SIZE), Seg.in(body, out.length));
        d.notify(TX_QUEUE);
        assertArrayEquals(out, peer.frames.poll(), "a frame goes out again");
        final long buf = d.alloc(1526);
        d.addChain(RX_QUEUE, Seg.out(buf, 1526));
        d.notify(RX_QUEUE);
        fromPeer(GUEST_MAC, 80);
        net.poll();
        assertEquals(usedBefore + 1, d.usedIdx(RX_QUEUE), "a frame comes in again");
        assertFalse(d.needsReset());
    }

    @Test
    void loopingReceiveChain()
    {
        expectNeedsReset(() ->
        {
            final long buf = d.alloc(64);
            d.putDesc(RX_QUEUE, 0, buf, 64, DESC_F_WRITE | DESC_F_NEXT, 1);
            d.putDesc(RX_QUEUE, 1, buf, 64, DESC_F_WRITE | DESC_F_NEXT, 0);
            d.publish(RX_QUEUE, 0);
            d.notify(RX_QUEUE);
        }, "loop");
    }

    @Test
    void receiveBufferOutsideRam()
    {
        expectNeedsReset(() ->
        {
            d.addChain(RX_QUEUE, Seg.out(0x1000_0000L, 1526));
            d.notify(RX_QUEUE);
        }, "outside RAM");
    }

    @Test
    void transmitLengthThatWraps()
    {
        expectNeedsReset(() ->
        {
            d.addChain(TX_QUEUE, Seg.in(d.alloc(HDR_SIZE), HDR_SIZE), Seg.in(0xFFFF_FFFF_FFFF_FF00L, 0xFFFF_FFF0L));
            d.notify(TX_QUEUE);
        }, "wraps");
    }

    @Test
    void transmitChainLoopingThroughItsHead()
    {
        expectNeedsReset(() ->
        {
            d.putDesc(TX_QUEUE, 2, d.alloc(HDR_SIZE), HDR_SIZE, DESC_F_NEXT, 5);
            d.putDesc(TX_QUEUE, 5, d.alloc(60), 60, DESC_F_NEXT, 2);
            d.publish(TX_QUEUE, 2);
            d.notify(TX_QUEUE);
        }, "loop");
    }

    @Test
    void randomDescriptorTablesOnBothQueuesWithTraffic(final Seed seed)
    {
        final SplittableRandom random = seed.splittableRandom();
        for (int round = 0; round < 1000; round++)
        {
            d.start(features, 2, 1 << random.nextInt(0, 9));
            for (int q = RX_QUEUE; q <= TX_QUEUE; q++)
            {
                final int size = d.transport.queue(q).size();
                for (int i = 0; i < size; i++)
                {
                    final long addr = switch (random.nextInt(4))
                    {
                        case 0 -> random.nextLong();
                        case 1 -> RamBus.RAM_BASE + random.nextLong(VirtioTestDriver.RAM_FRAMES * 4096L);
                        case 2 -> d.alloc(1600);
                        default -> VirtioTestDriver.RAM_END - random.nextInt(64);
                    };
                    d.putDesc(q, i, addr, random.nextInt(4) == 0 ? random.nextInt() : random.nextInt(1600),
                        random.nextInt(8), random.nextInt(4) == 0 ? random.nextInt(0x10000) : random.nextInt(size));
                }
                for (int h = random.nextInt(1, 4); h > 0; h--)
                {
                    d.publish(q, random.nextInt(4) == 0 ? random.nextInt(0x10000) : random.nextInt(size));
                }
            }
            fromPeer(random.nextBoolean() ? GUEST_MAC : MacAddress.BROADCAST, random.nextInt(14, 1515));
            d.notify(random.nextInt(2));
            net.poll();
            if (d.needsReset())
            {
                assertFalse(d.logLines.isEmpty(), "a driver error is logged");
            }
        }
        bystanderStillServed();
        recoverAndExchange();
    }

    @Test
    void randomRegisterWritesWithTraffic(final Seed seed)
    {
        final SplittableRandom random = seed.splittableRandom();
        d.start(features, 2, 8);
        for (int i = 0; i < 200_000; i++)
        {
            final int size = 1 << random.nextInt(4);
            final long offset = random.nextInt(4) == 0 ? random.nextInt(0x110) & ~3 : random.nextLong(0x200) & -size;
            if (!d.transport.supports(offset, size))
            {
                continue;
            }
            if (random.nextBoolean())
            {
                d.transport.write(offset, size, random.nextInt(8) == 0 ? random.nextInt(16) : random.nextLong());
            }
            else
            {
                d.transport.read(offset, size);
            }
            if (random.nextInt(256) == 0)
            {
                fromPeer(GUEST_MAC, random.nextInt(14, 1515));
                d.transport.poll();
            }
        }
        bystanderStillServed();
        recoverAndExchange();
    }
}
