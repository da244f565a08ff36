package io.javisor.core;

import io.javisor.blkback.BlkFront;
import io.javisor.blkback.BlkFrontConfig;
import io.javisor.blkback.Vbd;
import io.javisor.blkback.image.DiskImageException;
import io.javisor.blkback.image.RamDiskImage;
import io.javisor.blkback.image.VirtualDevice;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Attaching a disk is one call on the embedding API, or the xl.cfg spec string that parses into it.
 */
class DiskAttachTest
{
    private final Hypervisor hypervisor = new Hypervisor(HypervisorConfig.defaults().withMachineMemoryMiB(256));

    @AfterEach
    void close()
    {
        hypervisor.close();
    }

    @Test
    void aJavaGuestUsesADiskAttachedWithOneCall()
    {
        final Domain guest = hypervisor.createDomain(DomainConfig.pv("guest", 16));
        final Vbd vbd = hypervisor.backends().attachDisk(guest, "xvda", new RamDiskImage(4 << 20), DiskAccess.READ_WRITE);
        assertEquals(51712, vbd.deviceId());
        try (BlkFront front = BlkFront.attach(guest.resources(), 0, VirtualDevice.deviceId("xvda"), BlkFrontConfig.defaults()))
        {
            final UnsafeBuffer block = new UnsafeBuffer(new byte[4096]);
            block.putLong(0, 0xD15C);
            assertEquals(0, front.writeBlocking(8, 8, block, 0));
            block.putLong(0, 0);
            assertEquals(0, front.readBlocking(8, 8, block, 0));
            assertEquals(0xD15C, block.getLong(0));
        }
    }

    @Test
    void withDedicatedThreadingEachDiskHasItsOwnBusySpinningAgent()
    {
        try (Hypervisor dedicated = new Hypervisor(HypervisorConfig.defaults().withMachineMemoryMiB(128)
            .withBackendThreading(BackendThreading.DEDICATED)))
        {
            final Domain guest = dedicated.createDomain(DomainConfig.pv("guest", 16));
            final Vbd a = dedicated.backends().attachDisk(guest, "xvda", new RamDiskImage(1 << 20), DiskAccess.READ_WRITE);
            final Vbd b = dedicated.backends().attachDisk(guest, "xvdb", new RamDiskImage(1 << 20), DiskAccess.READ_WRITE);
            try (BlkFront fa = BlkFront.attach(guest.resources(), 0, a.deviceId(), BlkFrontConfig.defaults());
                BlkFront fb = BlkFront.attach(guest.resources(), 0, b.deviceId(), BlkFrontConfig.defaults()))
            {
                final UnsafeBuffer block = new UnsafeBuffer(new byte[4096]);
                assertEquals(0, fa.writeBlocking(0, 8, block, 0));
                assertEquals(0, fb.readBlocking(0, 8, block, 0));
            }
            dedicated.backends().detachDisk(a);
            assertTrue(dedicated.backends().blockBackend().devices().isEmpty(), "the shared agent served none of them");
        }
    }

    @Test
    void anXlDiskSpecAttachesARawFileAndItsDataReachesTheFile(@TempDir final Path dir) throws Exception
    {
        final Path image = dir.resolve("disk.img");
        Files.write(image, new byte[1 << 20]);
        final Domain guest = hypervisor.createDomain(DomainConfig.pv("guest", 16));
        final Vbd vbd = hypervisor.backends().attachDisk(guest, "format=raw, vdev=xvdb, access=rw, target=" + image);
        assertEquals(VirtualDevice.deviceId("xvdb"), vbd.deviceId());
        try (BlkFront front = BlkFront.attach(guest.resources(), 0, vbd.deviceId(), BlkFrontConfig.defaults()))
        {
            assertEquals(2048, front.sectors());
            final UnsafeBuffer block = new UnsafeBuffer(new byte[512]);
            block.putLong(0, Long.reverseBytes(0x0102030405060708L));
            assertEquals(0, front.writeBlocking(1, 1, block, 0));
            assertEquals(0, front.flushBlocking());
        }
        final byte[] bytes = Files.readAllBytes(image);
        assertEquals(0x01, bytes[512]);
        assertEquals(0x08, bytes[519]);
    }

    @Test
    void aReadOnlySpecGivesAReadOnlyDisk(@TempDir final Path dir) throws Exception
    {
        final Path image = dir.resolve("ro.img");
        Files.write(image, new byte[64 * 1024]);
        final Domain guest = hypervisor.createDomain(DomainConfig.pv("guest", 16));
        final Vbd vbd = hypervisor.backends().attachDisk(guest, image + ",raw,xvdc,r");
        assertTrue(vbd.isReadOnly());
    }

    @Test
    void badSpecsAndImagesAreOneLineErrorsAndAttachNothing(@TempDir final Path dir) throws Exception
    {
        final Domain guest = hypervisor.createDomain(DomainConfig.pv("guest", 16));
        final Path missing = dir.resolve("missing.img");
        final DiskImageException notFound = assertThrows(DiskImageException.class,
            () -> hypervisor.backends().attachDisk(guest, "format=raw, vdev=xvda, access=rw, target=" + missing));
        assertTrue(notFound.getMessage().contains(missing.toString()), notFound.getMessage());
        assertFalse(notFound.getMessage().contains("\n"));

        final Path odd = dir.resolve("odd.img");
        Files.write(odd, new byte[1000]);
        final DiskImageException oddSize = assertThrows(DiskImageException.class,
            () -> hypervisor.backends().attachDisk(guest, "format=raw, vdev=xvda, access=rw, target=" + odd));
        assertTrue(oddSize.getMessage().contains("512"), oddSize.getMessage());

        assertThrows(IllegalArgumentException.class, () -> hypervisor.backends().attachDisk(guest, "format=qcow9, vdev=xvda, target=/x"));
        assertThrows(IllegalArgumentException.class, () -> hypervisor.backends().attachDisk(guest, "vdev=zzz, target=" + odd));
        assertTrue(hypervisor.backends().blockBackend().devices().isEmpty(), "nothing attached");
    }
}
