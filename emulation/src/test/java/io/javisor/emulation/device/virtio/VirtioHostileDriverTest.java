package io.javisor.emulation.device.virtio;

import io.javisor.blkback.image.RamDiskImage;
import io.javisor.emulation.cpu.RamBus;
import io.javisor.emulation.device.virtioblk.VirtioBlk;
import io.javisor.emulation.device.virtioblk.VirtioBlkDescriptor;
import io.javisor.memory.testing.Seed;
import io.javisor.memory.testing.Seeded;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;
import java.util.function.Consumer;

import static io.javisor.emulation.device.virtio.VirtioMmioDescriptor.*;
import static io.javisor.emulation.device.virtio.VirtioTestDriver.Seg;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Malformed chains, invalid queue setups and random register writes: the host stays healthy (no
 * exception out of the device), the device goes DEVICE_NEEDS_RESET with one log line and a
 * configuration-change interrupt, and after a reset it works again.
 */
@Seeded
class VirtioHostileDriverTest
{
    private final RamDiskImage image = new RamDiskImage(1 << 20);
    private final VirtioTestDriver d = new VirtioTestDriver(new VirtioBlk(image, "hostile"));
    private final long features = d.deviceFeatures();

    @AfterEach
    void close()
    {
        d.close();
        image.close();
    }

    private long header(final int type, final long sector)
    {
        final long hdr = d.alloc(16);
        d.memory.putInt(d.off(hdr), type);
        d.memory.putInt(d.off(hdr) + 4, 0);
        d.memory.putLong(d.off(hdr) + 8, sector);
        return hdr;
    }

    /** Puts the device into NEEDS_RESET with {@code attack} and checks the aftermath and the recovery. */
    private void expectNeedsReset(final long negotiated, final Consumer<VirtioTestDriver> attack, final String logged)
    {
        d.start(negotiated, 1, 8);
        attack.accept(d);
        assertTrue(d.needsReset(), "NEEDS_RESET");
        assertEquals(1, d.logLines.size(), d.logLines.toString());
        assertTrue(d.logLines.get(0).contains("device needs reset") && d.logLines.get(0).contains(logged), d.logLines.get(0));
        if ((d.read(STATUS) & STATUS_DRIVER_OK) != 0)
        {
            assertEquals(INTERRUPT_CONFIG_CHANGE, d.read(INTERRUPT_STATUS) & INTERRUPT_CONFIG_CHANGE);
        }
        assertEquals(1, d.transport.statistics().deviceErrors());
        // Nothing is processed until the reset.
        final int used = d.usedIdx(0);
        d.notify(0);
        assertEquals(used, d.usedIdx(0));
        recoverAndRead();
    }

    private void recoverAndRead()
    {
        d.start(features, 1, 8);
        assertFalse(d.needsReset());
        final long data = d.alloc(512);
        final long status = d.alloc(1);
        d.memory.putByte(d.off(status), (byte)0x77);
        d.addChain(0, Seg.in(header(VirtioBlkDescriptor.T_IN, 1), 16), Seg.out(data, 512), Seg.out(status, 1));
        d.notify(0);
        assertEquals(1, d.usedIdx(0));
        assertEquals(0, d.memory.getByte(d.off(status)), "the device works again after a reset");
    }

    @Test
    void loopingChain()
    {
        expectNeedsReset(features, d ->
        {
            final long buf = d.alloc(16);
            d.putDesc(0, 0, buf, 16, DESC_F_NEXT, 1);
            d.putDesc(0, 1, buf, 16, DESC_F_NEXT, 0);
            d.publish(0, 0);
            d.notify(0);
        }, "a loop");
    }

    @Test
    void selfLoopOfWritableDescriptors()
    {
        expectNeedsReset(features, d ->
        {
            d.putDesc(0, 3, d.alloc(16), 16, DESC_F_NEXT | DESC_F_WRITE, 3);
            d.publish(0, 3);
            d.notify(0);
        }, "longer than 8");
    }

    @Test
    void addressOutsideRam()
    {
        expectNeedsReset(features, d ->
        {
            d.addChain(0, Seg.in(0x1000_0000L, 16), Seg.out(d.alloc(1), 1));
            d.notify(0);
        }, "outside RAM");
    }

    @Test
    void bufferRunningPastTheEndOfRam()
    {
        expectNeedsReset(features, d ->
        {
            d.addChain(0, Seg.in(header(0, 0), 16), Seg.out(VirtioTestDriver.RAM_END - 100, 512), Seg.out(d.alloc(1), 1));
            d.notify(0);
        }, "outside RAM");
    }

    @Test
    void lengthThatWrapsTheAddressSpace()
    {
        expectNeedsReset(features, d ->
        {
            d.addChain(0, Seg.in(header(0, 0), 16), Seg.out(0xFFFF_FFFF_FFFF_FF00L, 0xFFFF_FFF0L), Seg.out(d.alloc(1), 1));
            d.notify(0);
        }, "wraps");
    }

    @Test
    void maximalLengthInRam()
    {
        expectNeedsReset(features, d ->
        {
            d.addChain(0, Seg.in(header(0, 0), 16), Seg.out(RamBus.RAM_BASE, 0xFFFF_FFFFL), Seg.out(d.alloc(1), 1));
            d.notify(0);
        }, "outside RAM");
    }

    @Test
    void headIndexPastTheQueue()
    {
        expectNeedsReset(features, d ->
        {
            d.publish(0, 9);
            d.notify(0);
        }, "head index 9");
    }

    @Test
    void nextIndexPastTheQueue()
    {
        expectNeedsReset(features, d ->
        {
            d.putDesc(0, 0, header(0, 0), 16, DESC_F_NEXT, 200);
            d.publish(0, 0);
            d.notify(0);
        }, "next index 200");
    }

    @Test
    void indirectDescriptorNotNegotiated()
    {
        expectNeedsReset(features & ~(1L << F_RING_INDIRECT_DESC), d ->
        {
            d.putDesc(0, 0, d.alloc(64), 64, DESC_F_INDIRECT, 0);
            d.publish(0, 0);
            d.notify(0);
        }, "indirect descriptor, not negotiated");
    }

    @Test
    void nestedIndirectTable()
    {
        expectNeedsReset(features, d ->
        {
            final long table = d.alloc(32);
            d.memory.putLong(d.off(table), d.alloc(32));
            d.memory.putInt(d.off(table) + 8, 32);
            d.memory.putShort(d.off(table) + 12, (short)DESC_F_INDIRECT);
            d.putDesc(0, 0, table, 32, DESC_F_INDIRECT, 0);
            d.publish(0, 0);
            d.notify(0);
        }, "nests an indirect table");
    }

    @Test
    void readableAfterWritable()
    {
        expectNeedsReset(features, d ->
        {
            d.addChain(0, Seg.out(d.alloc(16), 16), Seg.in(header(0, 0), 16));
            d.notify(0);
        }, "follows a writable");
    }

    @Test
    void requestWithoutStatusByte()
    {
        expectNeedsReset(features, d ->
        {
            d.addChain(0, Seg.in(header(0, 0), 16));
            d.notify(0);
        }, "status byte");
    }

    @Test
    void availableIndexFarAhead()
    {
        expectNeedsReset(features, d ->
        {
            d.memory.putShort(d.off(VirtioTestDriver.availPa(0)) + AVAIL_IDX, (short)100);
            d.notify(0);
        }, "more than the queue size");
    }

    @Test
    void queueSizeNotAPowerOfTwo()
    {
        expectNeedsReset(features, d ->
        {
            d.write(STATUS, 0);
            d.negotiate(features);
            d.setupQueue(0, 6);
            d.write(QUEUE_SEL, 0);
            assertEquals(0, d.read(QUEUE_READY));
        }, "not a power of two");
    }

    @Test
    void queueLargerThanMax()
    {
        expectNeedsReset(features, d ->
        {
            d.write(STATUS, 0);
            d.negotiate(features);
            d.setupQueue(0, 512);
        }, "not a power of two in 1..256");
    }

    @Test
    void ringsOutsideRam()
    {
        expectNeedsReset(features, d ->
        {
            d.write(STATUS, 0);
            d.negotiate(features);
            d.setupQueue(0, 8, VirtioTestDriver.RAM_END - 64, VirtioTestDriver.availPa(0), VirtioTestDriver.usedPa(0));
        }, "rings outside RAM");
    }

    @Test
    void misalignedRing()
    {
        expectNeedsReset(features, d ->
        {
            d.write(STATUS, 0);
            d.negotiate(features);
            d.setupQueue(0, 8, VirtioTestDriver.descPa(0) + 8, VirtioTestDriver.availPa(0), VirtioTestDriver.usedPa(0));
        }, "misaligned");
    }

    @Test
    void notifyOfAnUnreadyQueue()
    {
        expectNeedsReset(features, d ->
        {
            d.write(QUEUE_SEL, 0);
            d.write(QUEUE_READY, 0);
            d.notify(0);
        }, "is not ready");
    }

    @Test
    void notifyOfAQueueThatDoesNotExist()
    {
        expectNeedsReset(features, d -> d.notify(5), "does not exist");
    }

    @Test
    void randomDescriptorTables(final Seed seed)
    {
        final SplittableRandom random = seed.splittableRandom();
        for (int round = 0; round < 2000; round++)
        {
            d.start(features, 1, 1 << random.nextInt(0, 9));
            final int size = d.transport.queue(0).size();
            for (int i = 0; i < size; i++)
            {
                final long addr = switch (random.nextInt(4))
                {
                    case 0 -> random.nextLong();
                    case 1 -> RamBus.RAM_BASE + random.nextLong(VirtioTestDriver.RAM_FRAMES * 4096L);
                    case 2 -> d.alloc(64);
                    default -> VirtioTestDriver.RAM_END - random.nextInt(64);
                };
                d.putDesc(0, i, addr, random.nextInt(4) == 0 ? random.nextInt() : random.nextInt(600), random.nextInt(8),
                    random.nextInt(4) == 0 ? random.nextInt(0x10000) : random.nextInt(size));
                if (i % 16 == 0)
                {
                    d.memory.putInt(d.off(d.alloc(16)), random.nextInt(16));
                }
            }
            final int heads = random.nextInt(1, 4);
            for (int h = 0; h < heads; h++)
            {
                d.publish(0, random.nextInt(4) == 0 ? random.nextInt(0x10000) : random.nextInt(size));
            }
            d.notify(0);
            if (d.needsReset())
            {
                assertFalse(d.logLines.isEmpty());
            }
        }
        recoverAndRead();
    }

    @Test
    void randomRegisterWrites(final Seed seed)
    {
        final SplittableRandom random = seed.splittableRandom();
        d.start(features, 1, 8);
        for (int i = 0; i < 200_000; i++)
        {
            final int size = 1 << random.nextInt(4);
            final long offset = random.nextInt(4) == 0 ? random.nextInt(0x110) & ~3 : random.nextLong(WINDOW_SIZE) & -size;
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
        }
        recoverAndRead();
    }
}
