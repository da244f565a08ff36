package io.javisor.core;

import io.javisor.blkback.BlkFront;
import io.javisor.blkback.BlkFrontConfig;
import io.javisor.blkback.Vbd;
import io.javisor.emulation.guests.GuestImages;
import io.javisor.emulation.machine.BootMode;
import io.javisor.emulation.machine.HvmDeviceSpecs;
import io.javisor.emulation.machine.MachineConfig;
import io.javisor.emulation.machine.MachineExit;
import io.javisor.emulation.machine.RecordingConsole;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * HVM domains take disks and vifs by xl.cfg spec strings through the hypervisor: the vdev or model
 * picks the device (hdX ATA, vdX virtio-blk, xvdX a PV disk; model=lan9118, model=virtio, type=vif a PV
 * vif), what no device serves is refused with one line, and a disk written by an HVM guest through
 * virtio-blk reads back through a Java PV front end from the same image.
 */
class HvmDevicesTest
{
    @TempDir
    Path dir;
    private final Hypervisor hypervisor = new Hypervisor(HypervisorConfig.defaults().withMachineMemoryMiB(512));

    @AfterEach
    void close()
    {
        hypervisor.close();
    }

    @Test
    void theVdevAndTheModelPickTheDevice() throws Exception
    {
        final Domain hvm = hypervisor.createDomain(DomainConfig.hvm("hvm", 16));
        final Path image = disk("a.img");
        assertEquals(HvmDeviceSpecs.DiskKind.ATA, hypervisor.backends().attachHvmDisk(hvm, "format=raw, vdev=hda, target=" + image));
        assertEquals(HvmDeviceSpecs.DiskKind.VIRTIO_BLK,
            hypervisor.backends().attachHvmDisk(hvm, "format=ram, vdev=vda, target=1M"));
        assertEquals(HvmDeviceSpecs.NicKind.LAN9118, hypervisor.backends().attachHvmVif(hvm, "model=lan9118, bridge=br0"));
        assertEquals(HvmDeviceSpecs.NicKind.VIRTIO_NET, hypervisor.backends().attachHvmVif(hvm, "model=virtio, bridge=br0"));
        assertEquals(HvmDeviceSpecs.DiskKind.XEN_PV, hypervisor.backends().attachHvmDisk(hvm, "format=ram, vdev=xvda, target=1M"));
        assertEquals(HvmDeviceSpecs.NicKind.XEN_PV, hypervisor.backends().attachHvmVif(hvm, "type=vif, bridge=br0"));
        assertEquals(1, hypervisor.backends().disks(hvm).size(), "the PV disk is served by dom0's back end (PV-on-HVM)");
        assertEquals(1, hypervisor.backends().vifs(hvm).size(), "and so is the PV vif");
    }

    @Test
    void devicesNothingServesAndHvmDevicesOnAPvDomainAreRefusedInOneLine()
    {
        final Domain hvm = hypervisor.createDomain(DomainConfig.hvm("hvm", 16));
        final Domain pv = hypervisor.createDomain(DomainConfig.pv("pv", 16));
        assertOneLine(assertThrows(IllegalArgumentException.class,
            () -> hypervisor.backends().attachHvmDisk(hvm, "format=ram, vdev=sda, target=1M")), "SCSI");
        assertOneLine(assertThrows(IllegalArgumentException.class,
            () -> hypervisor.backends().attachHvmVif(hvm, "bridge=br0")), "model=lan9118, model=virtio or type=vif");
        assertOneLine(assertThrows(IllegalArgumentException.class,
            () -> hypervisor.backends().attachHvmVif(hvm, "model=e1000")), "e1000");
        assertOneLine(assertThrows(IllegalArgumentException.class,
            () -> hypervisor.backends().attachHvmDisk(pv, "format=ram, vdev=vda, target=1M")), "is PV");
    }

    @Test
    void aDiskWrittenThroughVirtioBlkReadsBackThroughTheJavaPvFrontEnd() throws Exception
    {
        final Path image = disk("shared.img");
        final long filesBefore = openFiles();
        final Domain hvm = hypervisor.createDomain(DomainConfig.hvm("writer", 16));
        hypervisor.backends().attachHvmDisk(hvm, "format=raw, vdev=vda, access=rw, target=" + image);
        final RecordingConsole console = new RecordingConsole();
        final HvmGuest guest = hypervisor.startHvm(hvm, new MachineConfig().bootMode(BootMode.BARE)
            .kernel(GuestImages.load("virtio-blk")).console(console).maxInstructions(1_000_000_000L));
        assertOneLine(assertThrows(IllegalArgumentException.class,
            () -> hypervisor.backends().attachHvmDisk(hvm, "format=ram, vdev=vdb, target=1M")), "no hot plug");
        final MachineExit exit = guest.awaitExit(60, TimeUnit.SECONDS);
        assertNotNull(exit, "the guest ended");
        assertEquals(MachineExit.Kind.FINISHER, exit.kind(), exit.toString());
        assertEquals(GuestImages.expectedOutput("virtio-blk"), console.text());
        if (hypervisor.scheduler() != null)
        {
            assertTrue(hypervisor.scheduler().blockingSections() > 0,
                "the device model's file IO ran in blocking sections: a spare worker stood in meanwhile");
        }
        assertTrue(hypervisor.destroyDomain(hvm.id()));
        assertEquals(filesBefore, openFiles(), "destroy closed the image");

        final Domain reader = hypervisor.createDomain(DomainConfig.pv("reader", 16));
        final Vbd vbd = hypervisor.backends().attachDisk(reader, "format=raw, vdev=xvda, access=ro, target=" + image);
        try (BlkFront front = BlkFront.attach(reader.resources(), 0, vbd.deviceId(), BlkFrontConfig.defaults()))
        {
            final UnsafeBuffer block = new UnsafeBuffer(ByteBuffer.allocateDirect(4096));
            for (int sector = 0; sector < 64; sector += 8)
            {
                assertEquals(0, front.readBlocking(sector, 8, block, 0));
                assertEquals((byte)sector, block.getByte(0), "sector " + sector);
                for (int i = 1; i < 4096; i++)
                {
                    assertEquals((byte)(i * 7 + (i >> 8)), block.getByte(i), "sector " + sector + " byte " + i);
                }
            }
        }
    }

    private Path disk(final String name) throws Exception
    {
        final Path image = dir.resolve(name);
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw"))
        {
            file.setLength(1 << 20);
        }
        return image;
    }

    private static long openFiles() throws Exception
    {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd")))
        {
            return fds.count();
        }
    }

    private static void assertOneLine(final IllegalArgumentException ex, final String mentions)
    {
        assertFalse(ex.getMessage().contains("\n"), ex.getMessage());
        assertTrue(ex.getMessage().contains(mentions), ex.getMessage());
    }
}
