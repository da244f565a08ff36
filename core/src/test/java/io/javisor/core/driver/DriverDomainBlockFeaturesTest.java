package io.javisor.core.driver;

import io.javisor.memory.testing.Seed;
import io.javisor.memory.testing.Seeded;
import io.javisor.ringio.xenstore.XenbusDevice;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;

import static io.javisor.blkback.wire.BlkifDescriptor.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A driver domain's block back end serves what dom0's does — indirect requests
 * (feature-max-indirect-segments) and discard (feature-discard) — and answers a guest's bad indirect
 * descriptors and discard ranges with BLKIF_RSP_ERROR, serving on in the same process.
 */
@Seeded
class DriverDomainBlockFeaturesTest
{
    private static final int SEGMENTS = 64;

    @Test
    void theBackEndOffersDom0sFeatures() throws Exception
    {
        try (DriverDomainRig rig = new DriverDomainRig(DriverDomainConfig.of("storage")))
        {
            rig.driver.awaitActive(30_000);
            final XenbusDevice device = new XenbusDevice(rig.hypervisor.xenStore(), "vbd", rig.guest.id(), rig.driver.domid(),
                rig.vbd.deviceId());
            final RawDriverBlkFront front = new RawDriverBlkFront(rig.guest.resources(), rig.driver.domid(), rig.vbd.deviceId());
            assertEquals("256", device.readOwn(XenbusDevice.Side.BACKEND, "feature-max-indirect-segments"));
            assertEquals("1", device.readOwn(XenbusDevice.Side.BACKEND, "feature-discard"));
            assertEquals("512", device.readOwn(XenbusDevice.Side.BACKEND, "discard-granularity"));
            assertEquals("1", device.readOwn(XenbusDevice.Side.BACKEND, "feature-barrier"));
            assertEquals(STATUS_OKAY, front.pushAndAwait(flushBarrier(front)));
        }
    }

    @Test
    void anIndirectWriteAndReadOfSixtyFourPagesGoThroughTheImage() throws Exception
    {
        try (DriverDomainRig rig = new DriverDomainRig(DriverDomainConfig.of("storage")))
        {
            rig.driver.awaitActive(30_000);
            final RawDriverBlkFront front = new RawDriverBlkFront(rig.guest.resources(), rig.driver.domid(), rig.vbd.deviceId());
            final byte[] written = new byte[SEGMENTS * 4096];
            new SplittableRandom(7).nextBytes(written);
            final UnsafeBuffer[] data = new UnsafeBuffer[SEGMENTS];
            final UnsafeBuffer descriptors = new UnsafeBuffer(0, 0);
            final int descriptorsRef = front.grant(front.page(descriptors), rig.driver.domid(), true);
            for (int i = 0; i < SEGMENTS; i++)
            {
                data[i] = new UnsafeBuffer(0, 0);
                final int ref = front.grant(front.page(data[i]), rig.driver.domid(), false);
                data[i].putBytes(0, written, i * 4096, 4096);
                RawDriverBlkFront.segment(descriptors, 0, i, ref, 0, 7);
            }
            front.indirect(1, OP_WRITE, SEGMENTS, 128, descriptorsRef);
            assertEquals(STATUS_OKAY, front.pushAndAwait(1), "a 256 KiB write in one request");
            assertArrayEquals(written, imageBytes(rig.image, 128 * 512L, written.length), "in the image");

            for (final UnsafeBuffer page : data)
            {
                page.setMemory(0, 4096, (byte)0);
            }
            front.indirect(2, OP_READ, SEGMENTS, 128, descriptorsRef);
            assertEquals(STATUS_OKAY, front.pushAndAwait(2));
            final byte[] read = new byte[written.length];
            for (int i = 0; i < SEGMENTS; i++)
            {
                data[i].getBytes(0, read, i * 4096, 4096);
            }
            assertArrayEquals(written, read, "read back into the granted pages");
        }
    }

    @Test
    void aDiscardedRangeReadsAsZeros() throws Exception
    {
        try (DriverDomainRig rig = new DriverDomainRig(DriverDomainConfig.of("storage")))
        {
            final byte[] ones = new byte[64 * 1024];
            java.util.Arrays.fill(ones, (byte)0xFF);
            try (FileChannel file = FileChannel.open(rig.image, StandardOpenOption.WRITE))
            {
                file.write(ByteBuffer.wrap(ones), 0);
            }
            rig.driver.awaitActive(30_000);
            final RawDriverBlkFront front = new RawDriverBlkFront(rig.guest.resources(), rig.driver.domid(), rig.vbd.deviceId());
            front.discard(1, 16, 64);
            assertEquals(STATUS_OKAY, front.pushAndAwait(1));
            final byte[] image = imageBytes(rig.image, 0, ones.length);
            for (int i = 0; i < image.length; i++)
            {
                final boolean discarded = i >= 16 * 512 && i < 80 * 512;
                assertEquals(discarded ? 0 : (byte)0xFF, image[i], "byte " + i);
            }
        }
    }

    @Test
    void badIndirectDescriptorsAndDiscardRangesAreErrorsAndTheProcessServesOn() throws Exception
    {
        try (DriverDomainRig rig = new DriverDomainRig(DriverDomainConfig.of("storage")))
        {
            final Path readOnlyImage = rig.directory.resolve("ro.img");
            try (RandomAccessFile file = new RandomAccessFile(readOnlyImage.toFile(), "rw"))
            {
                file.setLength(1 << 20);
            }
            rig.driver.attachDisk(rig.guest, "backend=storage, format=raw, vdev=xvdb, access=ro, target=" + readOnlyImage);
            final Process process = rig.driver.awaitActive(30_000);
            final RawDriverBlkFront front = new RawDriverBlkFront(rig.guest.resources(), rig.driver.domid(), rig.vbd.deviceId());
            final int driver = rig.driver.domid();
            final long diskSectors = DriverDomainRig.IMAGE_BYTES / SECTOR_SIZE;
            final UnsafeBuffer descriptors = new UnsafeBuffer(0, 0);
            final long descriptorsGpfn = front.page(descriptors);
            final int descriptorsRef = front.grant(descriptorsGpfn, driver, true);
            final UnsafeBuffer data = new UnsafeBuffer(0, 0);
            final int dataRef = front.grant(front.page(data), driver, false);
            final int notMine = front.grant(front.page(new UnsafeBuffer(0, 0)), 0, false); // granted to dom0
            final int descriptorsForDom0 = front.grant(descriptorsGpfn, 0, true);
            RawDriverBlkFront.segment(descriptors, 0, 0, dataRef, 0, 7);

            long id = 100;
            front.indirect(++id, OP_READ, 0, 0, descriptorsRef);
            assertEquals(STATUS_ERROR, front.pushAndAwait(id), "no segments");
            front.indirect(++id, OP_READ, 257, 0, descriptorsRef);
            assertEquals(STATUS_ERROR, front.pushAndAwait(id), "more segments than feature-max-indirect-segments");
            front.indirect(++id, OP_FLUSH_DISKCACHE, 1, 0, descriptorsRef);
            assertEquals(STATUS_ERROR, front.pushAndAwait(id), "an indirect operation other than read or write");
            front.indirect(++id, OP_READ, 1, 0, 4000);
            assertEquals(STATUS_ERROR, front.pushAndAwait(id), "a descriptor page that is not granted");
            front.indirect(++id, OP_READ, 1, 0, descriptorsForDom0);
            assertEquals(STATUS_ERROR, front.pushAndAwait(id), "a descriptor page granted to another domain");
            front.indirect(++id, OP_READ, 1, diskSectors - 7, descriptorsRef);
            assertEquals(STATUS_ERROR, front.pushAndAwait(id), "a transfer past the last sector");
            front.indirect(++id, OP_READ, 1, -8, descriptorsRef);
            assertEquals(STATUS_ERROR, front.pushAndAwait(id), "a negative sector");
            RawDriverBlkFront.segment(descriptors, 0, 0, dataRef, 5, 2);
            front.indirect(++id, OP_READ, 1, 0, descriptorsRef);
            assertEquals(STATUS_ERROR, front.pushAndAwait(id), "a segment's sectors reversed");
            RawDriverBlkFront.segment(descriptors, 0, 0, dataRef, 0, 8);
            front.indirect(++id, OP_READ, 1, 0, descriptorsRef);
            assertEquals(STATUS_ERROR, front.pushAndAwait(id), "a segment past its page");
            RawDriverBlkFront.segment(descriptors, 0, 0, notMine, 0, 7);
            front.indirect(++id, OP_WRITE, 1, 0, descriptorsRef);
            assertEquals(STATUS_ERROR, front.pushAndAwait(id), "a data page granted to another domain");
            RawDriverBlkFront.segment(descriptors, 0, 0, dataRef, 0, 7);
            RawDriverBlkFront.segment(descriptors, 0, 1, 4001, 0, 7);
            front.indirect(++id, OP_WRITE, 2, 0, descriptorsRef);
            assertEquals(STATUS_ERROR, front.pushAndAwait(id), "a second data page that is not granted");

            front.discard(++id, diskSectors, 1);
            assertEquals(STATUS_ERROR, front.pushAndAwait(id), "a discard past the end");
            front.discard(++id, 0, 0);
            assertEquals(STATUS_ERROR, front.pushAndAwait(id), "an empty discard");
            front.discard(++id, -1, 8);
            assertEquals(STATUS_ERROR, front.pushAndAwait(id), "a negative discard sector");
            front.discard(++id, 8, Long.MAX_VALUE);
            assertEquals(STATUS_ERROR, front.pushAndAwait(id), "a discard whose end overflows");
            front.discard(++id, diskSectors - 8, 9);
            assertEquals(STATUS_ERROR, front.pushAndAwait(id), "a discard one sector too long");

            final RawDriverBlkFront readOnly = new RawDriverBlkFront(rig.guest.resources(), driver, 51728);
            readOnly.discard(1, 0, 8);
            assertEquals(STATUS_ERROR, readOnly.pushAndAwait(1), "a discard of a read-only disk");
            final int roData = readOnly.grant(readOnly.page(new UnsafeBuffer(0, 0)), driver, true);
            final UnsafeBuffer roDescriptors = new UnsafeBuffer(0, 0);
            final int roDescriptorsRef = readOnly.grant(readOnly.page(roDescriptors), driver, true);
            RawDriverBlkFront.segment(roDescriptors, 0, 0, roData, 0, 7);
            readOnly.indirect(2, OP_WRITE, 1, 0, roDescriptorsRef);
            assertEquals(STATUS_ERROR, readOnly.pushAndAwait(2), "an indirect write to a read-only disk");

            front.indirect(++id, OP_READ, 1, 0, descriptorsRef);
            assertEquals(STATUS_OKAY, front.pushAndAwait(id), "a good request after the bad ones");
            assertEquals(process, rig.driver.activeProcess(), "the same process serves: nothing crashed");
            assertEquals(0, rig.driver.statistics().restarts());
        }
    }

    @Test
    void randomIndirectAndDiscardRequestsAreEachAnswered(final Seed seed) throws Exception
    {
        final SplittableRandom random = seed.splittableRandom();
        try (DriverDomainRig rig = new DriverDomainRig(DriverDomainConfig.of("storage")))
        {
            final Process process = rig.driver.awaitActive(30_000);
            final RawDriverBlkFront front = new RawDriverBlkFront(rig.guest.resources(), rig.driver.domid(), rig.vbd.deviceId());
            final UnsafeBuffer descriptors = new UnsafeBuffer(0, 0);
            final int descriptorsRef = front.grant(front.page(descriptors), rig.driver.domid(), true);
            final int[] refs = {front.grant(front.page(new UnsafeBuffer(0, 0)), rig.driver.domid(), false), descriptorsRef, 0, 4000, -1};
            final long diskSectors = DriverDomainRig.IMAGE_BYTES / SECTOR_SIZE;
            for (long id = 1; id <= 2_000; id++)
            {
                for (int i = 0; i < 4; i++)
                {
                    RawDriverBlkFront.segment(descriptors, 0, random.nextInt(SEGMENTS_PER_INDIRECT_PAGE),
                        refs[random.nextInt(refs.length)], random.nextInt(10), random.nextInt(10));
                }
                if (random.nextBoolean())
                {
                    front.indirect(id, random.nextInt(4), random.nextInt(0, 300), random.nextLong(-8, diskSectors + 8),
                        refs[random.nextInt(refs.length)]);
                }
                else
                {
                    front.discard(id, random.nextLong(-8, diskSectors + 8), random.nextLong(-8, diskSectors + 8));
                }
                final int status = front.pushAndAwait(id);
                assertTrue(status == STATUS_OKAY || status == STATUS_ERROR, "request " + id + ": status " + status);
            }
            assertEquals(process, rig.driver.activeProcess(), "the same process serves");
        }
    }

    private static long flushBarrier(final RawDriverBlkFront front)
    {
        front.request(OP_WRITE_BARRIER, 9);
        return 9;
    }

    private static byte[] imageBytes(final Path image, final long at, final int length) throws Exception
    {
        final ByteBuffer bytes = ByteBuffer.allocate(length);
        try (FileChannel file = FileChannel.open(image, StandardOpenOption.READ))
        {
            file.read(bytes, at);
        }
        return bytes.array();
    }
}
