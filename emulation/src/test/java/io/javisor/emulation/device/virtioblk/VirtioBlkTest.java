package io.javisor.emulation.device.virtioblk;

import io.javisor.blkback.image.RamDiskImage;
import io.javisor.emulation.device.virtio.VirtioTestDriver;
import io.javisor.emulation.device.virtio.VirtioTestDriver.Seg;
import io.javisor.memory.testing.Seed;
import io.javisor.memory.testing.Seeded;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

import static io.javisor.emulation.device.virtio.VirtioMmioDescriptor.*;
import static io.javisor.emulation.device.virtioblk.VirtioBlkDescriptor.*;
import static org.junit.jupiter.api.Assertions.*;

/** virtio-blk requests through the transport, on a RAM disk. */
@Seeded
class VirtioBlkTest
{
    private static final int DISK = 4 << 20;
    private RamDiskImage image = new RamDiskImage(DISK);
    private VirtioBlk blk = new VirtioBlk(image, "vda-serial-0123456789abcdef");
    private VirtioTestDriver d = new VirtioTestDriver(blk);

    @AfterEach
    void close()
    {
        d.close();
        image.close();
    }

    private void readOnly()
    {
        close();
        image = new RamDiskImage(DISK, true);
        blk = new VirtioBlk(image, "ro");
        d = new VirtioTestDriver(blk);
    }

    private void start()
    {
        d.start(d.deviceFeatures(), 1, 64);
    }

    private long header(final int type, final long sector)
    {
        final long hdr = d.alloc(16);
        d.memory.putInt(d.off(hdr), type);
        d.memory.putInt(d.off(hdr) + 4, 0);
        d.memory.putLong(d.off(hdr) + 8, sector);
        return hdr;
    }

    /** Submits a chain, notifies, checks one completion. @return the status byte. */
    private int submit(final long expectedUsedLen, final Seg... segs)
    {
        final int before = d.usedIdx(0);
        final long status = segs[segs.length - 1].pa() + segs[segs.length - 1].len() - 1;
        d.memory.putByte(d.off(status), (byte)0x5A);
        final int head = d.addChain(0, segs);
        d.notify(0);
        assertEquals(before + 1, d.usedIdx(0));
        assertEquals(head, d.usedId(0, before));
        if (expectedUsedLen >= 0)
        {
            assertEquals(expectedUsedLen, d.usedLen(0, before));
        }
        d.ack();
        return d.memory.getByte(d.off(status));
    }

    private byte[] imageBytes(final long offset, final int length)
    {
        final ByteBuffer b = ByteBuffer.allocate(length);
        assertEquals(0, image.read(offset, b));
        return b.array();
    }

    private byte[] guestBytes(final long pa, final int length)
    {
        final byte[] b = new byte[length];
        d.memory.getBytes(d.off(pa), b, 0, length);
        return b;
    }

    @Test
    void configAndFeatures()
    {
        final long f = d.deviceFeatures();
        assertTrue((f & 1L << F_SEG_MAX) != 0 && (f & 1L << F_BLK_SIZE) != 0 && (f & 1L << F_FLUSH) != 0);
        assertTrue((f & 1L << F_DISCARD) != 0 && (f & 1L << F_WRITE_ZEROES) != 0);
        assertEquals(0, f & 1L << F_RO);
        assertEquals(DISK / 512, d.transport.read(CONFIG + CONFIG_CAPACITY, 8));
        assertEquals(VirtioBlk.SEG_MAX, d.read(CONFIG + CONFIG_SEG_MAX));
        assertEquals(512, d.read(CONFIG + CONFIG_BLK_SIZE));
        assertEquals(VirtioBlk.MAX_DISCARD_SECTORS, d.read(CONFIG + CONFIG_MAX_DISCARD_SECTORS));
        assertEquals(1, d.transport.read(CONFIG + CONFIG_WRITE_ZEROES_MAY_UNMAP, 1));
    }

    @Test
    void writeThenReadAcrossSegments(final Seed seed)
    {
        start();
        final SplittableRandom random = seed.splittableRandom();
        for (int round = 0; round < 50; round++)
        {
            final int sectors = random.nextInt(1, 17);
            final long sector = random.nextLong(DISK / 512 - sectors + 1);
            final byte[] data = new byte[sectors * 512];
            random.nextBytes(data);
            // The data split at random points into up to 4 segments; header and status on their own.
            final int cut1 = random.nextInt(data.length + 1);
            final int cut2 = cut1 + random.nextInt(data.length - cut1 + 1);
            final long a = d.alloc(cut1);
            final long b = d.alloc(cut2 - cut1);
            final long c = d.alloc(data.length - cut2);
            d.memory.putBytes(d.off(a), data, 0, cut1);
            d.memory.putBytes(d.off(b), data, cut1, cut2 - cut1);
            d.memory.putBytes(d.off(c), data, cut2, data.length - cut2);
            assertEquals(S_OK, submit(1, Seg.in(header(T_OUT, sector), 16), Seg.in(a, cut1), Seg.in(b, cut2 - cut1),
                Seg.in(c, data.length - cut2), Seg.out(d.alloc(1), 1)));
            assertArrayEquals(data, imageBytes(sector * 512, data.length));

            // Read back into one buffer whose last byte is the status byte.
            final long in = d.alloc(data.length + 1);
            assertEquals(S_OK, submit(data.length + 1, Seg.in(header(T_IN, sector), 16), Seg.out(in, data.length + 1)));
            assertArrayEquals(data, guestBytes(in, data.length));
        }
        assertEquals(50, blk.statistics().reads());
        assertEquals(50, blk.statistics().writes());
    }

    @Test
    void headerSplitAcrossDescriptors()
    {
        start();
        final long hdr = header(T_GET_ID, 0);
        final long id = d.alloc(21);
        assertEquals(S_OK, submit(21, Seg.in(hdr, 5), Seg.in(hdr + 5, 11), Seg.out(id, 21)));
        assertEquals("vda-serial-012345678", new String(guestBytes(id, 20), StandardCharsets.US_ASCII));
    }

    @Test
    void getIdIsNulPaddedAndTruncatedToTheBuffer()
    {
        close();
        image = new RamDiskImage(DISK);
        blk = new VirtioBlk(image, "vdb");
        d = new VirtioTestDriver(blk);
        start();
        final long id = d.alloc(20);
        d.memory.putBytes(d.off(id), "xxxxxxxxxxxxxxxxxxxx".getBytes(StandardCharsets.US_ASCII), 0, 20);
        assertEquals(S_OK, submit(21, Seg.in(header(T_GET_ID, 0), 16), Seg.out(id, 20), Seg.out(d.alloc(1), 1)));
        assertArrayEquals(new byte[] {'v', 'd', 'b', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, guestBytes(id, 20));
        final long shortId = d.alloc(4);
        assertEquals(S_OK, submit(5, Seg.in(header(T_GET_ID, 0), 16), Seg.out(shortId, 4), Seg.out(d.alloc(1), 1)));
    }

    @Test
    void flush()
    {
        start();
        assertEquals(S_OK, submit(1, Seg.in(header(T_FLUSH, 0), 16), Seg.out(d.alloc(1), 1)));
        assertEquals(1, blk.statistics().flushes());
    }

    private long segment(final long sector, final int count, final int flags)
    {
        final long seg = d.alloc(16);
        d.memory.putLong(d.off(seg), sector);
        d.memory.putInt(d.off(seg) + 8, count);
        d.memory.putInt(d.off(seg) + 12, flags);
        return seg;
    }

    private void fill(final long offset, final int length)
    {
        final byte[] ones = new byte[length];
        java.util.Arrays.fill(ones, (byte)0xAB);
        assertEquals(0, image.write(offset, ByteBuffer.wrap(ones)));
    }

    @Test
    void discardAndWriteZeroes()
    {
        start();
        fill(0, 64 * 1024);
        assertEquals(S_OK, submit(1, Seg.in(header(T_DISCARD, 0), 16), Seg.in(segment(8, 16, 0), 16), Seg.out(d.alloc(1), 1)));
        assertArrayEquals(new byte[16 * 512], imageBytes(8 * 512, 16 * 512));
        assertEquals((byte)0xAB, imageBytes(8 * 512 - 1, 1)[0]);
        assertEquals((byte)0xAB, imageBytes(24 * 512, 1)[0]);

        assertEquals(S_OK, submit(1, Seg.in(header(T_WRITE_ZEROES, 0), 16), Seg.in(segment(40, 3, 0), 16),
            Seg.in(segment(60, 1, SEGMENT_F_UNMAP), 16), Seg.out(d.alloc(1), 1)));
        assertArrayEquals(new byte[3 * 512], imageBytes(40 * 512, 3 * 512));
        assertArrayEquals(new byte[512], imageBytes(60 * 512, 512));
        assertEquals((byte)0xAB, imageBytes(59 * 512, 1)[0]);

        assertEquals(S_UNSUPP, submit(1, Seg.in(header(T_DISCARD, 0), 16), Seg.in(segment(8, 1, SEGMENT_F_UNMAP), 16),
            Seg.out(d.alloc(1), 1)), "discard with the unmap flag");
        assertEquals(S_IOERR, submit(1, Seg.in(header(T_DISCARD, 0), 16), Seg.in(segment(DISK / 512 - 1, 2, 0), 16),
            Seg.out(d.alloc(1), 1)), "discard past the end");
        assertEquals(S_IOERR, submit(1, Seg.in(header(T_WRITE_ZEROES, 0), 16), Seg.out(d.alloc(1), 1)), "no segment");
    }

    @Test
    void discardNotNegotiatedIsUnsupported()
    {
        d.start(d.deviceFeatures() & ~(1L << F_DISCARD), 1, 8);
        assertEquals(S_UNSUPP, submit(1, Seg.in(header(T_DISCARD, 0), 16), Seg.in(segment(0, 1, 0), 16), Seg.out(d.alloc(1), 1)));
    }

    @Test
    void readOnlyImageRefusesWrites()
    {
        readOnly();
        final long f = d.deviceFeatures();
        assertTrue((f & 1L << F_RO) != 0);
        assertEquals(0, f & 1L << F_DISCARD);
        assertEquals(0, f & 1L << F_WRITE_ZEROES);
        start();
        final long data = d.alloc(512);
        d.memory.putBytes(d.off(data), new byte[] {1, 2, 3}, 0, 3);
        assertEquals(S_IOERR, submit(1, Seg.in(header(T_OUT, 0), 16), Seg.in(data, 512), Seg.out(d.alloc(1), 1)));
        assertArrayEquals(new byte[512], imageBytes(0, 512));
        assertEquals(S_UNSUPP, submit(1, Seg.in(header(T_DISCARD, 0), 16), Seg.in(segment(0, 1, 0), 16), Seg.out(d.alloc(1), 1)));
        assertEquals(S_OK, submit(513, Seg.in(header(T_IN, 0), 16), Seg.out(d.alloc(512), 512), Seg.out(d.alloc(1), 1)));
        assertEquals(1, blk.statistics().ioErrors());
    }

    @Test
    void badSectorsAndLengthsAreIoErrors()
    {
        start();
        final long last = DISK / 512 - 1;
        assertEquals(S_OK, submit(513, Seg.in(header(T_IN, last), 16), Seg.out(d.alloc(512), 512), Seg.out(d.alloc(1), 1)));
        assertEquals(S_IOERR, submit(1, Seg.in(header(T_IN, last), 16), Seg.out(d.alloc(1024), 1024), Seg.out(d.alloc(1), 1)));
        assertEquals(S_IOERR, submit(1, Seg.in(header(T_IN, last + 1), 16), Seg.out(d.alloc(512), 512), Seg.out(d.alloc(1), 1)));
        assertEquals(S_IOERR, submit(1, Seg.in(header(T_IN, Long.MAX_VALUE), 16), Seg.out(d.alloc(512), 512), Seg.out(d.alloc(1), 1)));
        assertEquals(S_IOERR, submit(1, Seg.in(header(T_IN, -1), 16), Seg.out(d.alloc(512), 512), Seg.out(d.alloc(1), 1)));
        assertEquals(S_IOERR, submit(1, Seg.in(header(T_OUT, 1L << 55), 16), Seg.in(d.alloc(512), 512), Seg.out(d.alloc(1), 1)));
        assertEquals(S_IOERR, submit(1, Seg.in(header(T_OUT, 0), 16), Seg.in(d.alloc(100), 100), Seg.out(d.alloc(1), 1)), "not whole sectors");
        assertEquals(6, blk.statistics().ioErrors());
        assertFalse(d.needsReset(), "bad contents are the request's error, not the device's");
    }

    @Test
    void unknownTypeIsUnsupported()
    {
        start();
        assertEquals(S_UNSUPP, submit(1, Seg.in(header(99, 0), 16), Seg.out(d.alloc(1), 1)));
        assertEquals(1, blk.statistics().unsupported());
    }

    /** The virtio spec asks no alignment of an indirect table; Linux's kmalloc (SLOB) gives 8-byte-aligned ones. */
    @ParameterizedTest(name = "table at 16n + {0}")
    @ValueSource(ints = {0, 8, 2})
    void indirectDescriptors(final int misalignment)
    {
        start();
        final byte[] data = new byte[4096];
        new SplittableRandom(7).nextBytes(data);
        fill(0, 0);
        assertEquals(0, image.write(4096, ByteBuffer.wrap(data)));
        final long table = d.alloc(3 * 16 + misalignment) + misalignment;
        final long buf = d.alloc(4096);
        final long status = d.alloc(1);
        final long[][] entries = {{header(T_IN, 8), 16, DESC_F_NEXT, 1}, {buf, 4096, DESC_F_NEXT | DESC_F_WRITE, 2},
            {status, 1, DESC_F_WRITE, 0}};
        for (int i = 0; i < 3; i++)
        {
            d.memory.putLong(d.off(table) + 16L * i, entries[i][0]);
            d.memory.putInt(d.off(table) + 16L * i + 8, (int)entries[i][1]);
            d.memory.putShort(d.off(table) + 16L * i + 12, (short)entries[i][2]);
            d.memory.putShort(d.off(table) + 16L * i + 14, (short)entries[i][3]);
        }
        d.putDesc(0, 0, table, 48, DESC_F_INDIRECT, 0);
        d.publish(0, 0);
        d.notify(0);
        assertEquals(1, d.usedIdx(0));
        assertEquals(4097, d.usedLen(0, 0));
        assertEquals(0, d.memory.getByte(d.off(status)));
        assertArrayEquals(data, guestBytes(buf, 4096));
    }

    /** The figure: register exits per 4 KiB read, driven the way Linux's driver does it (notify, ack). */
    @Test
    void exitsPerFourKibRead()
    {
        start();
        final long before = d.transport.statistics().registerExits();
        final long ios = blk.statistics().ios();
        for (int i = 0; i < 100; i++)
        {
            d.addChain(0, Seg.in(header(T_IN, 8L * i), 16), Seg.out(d.alloc(4096), 4096), Seg.out(d.alloc(1), 1));
            d.notify(0);
            d.ack(); // InterruptStatus read + InterruptACK write
        }
        final double perIo = (double)(d.transport.statistics().registerExits() - before) / (blk.statistics().ios() - ios);
        System.out.println("virtio-blk: register exits per 4 KiB read = " + perIo);
        assertEquals(3.0, perIo, 1e-9);
    }
}
