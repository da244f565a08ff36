package io.javisor.core;

import io.javisor.blkback.BlkFront;
import io.javisor.blkback.BlkFrontConfig;
import io.javisor.blkback.Vbd;
import io.javisor.core.hypercall.HypercallStatistics;
import io.javisor.emulation.guests.GuestImages;
import io.javisor.emulation.hypercall.HypercallDescriptor;
import io.javisor.emulation.machine.BootMode;
import io.javisor.emulation.machine.MachineConfig;
import io.javisor.emulation.machine.MachineExit;
import io.javisor.emulation.machine.RecordingConsole;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The PV block front end in guest code end to end: pv-disk (xenstore handshake over the store ring,
 * grant table and shared info in its own RAM, persistent grants, an indirect request, a flush, polled
 * and event-driven waits) on a PV domain and as PV-on-HVM, against dom0's block back end; what it
 * wrote is then read back from the same image through the Java PV front end of another domain. And a
 * PV-on-HVM guest with one image as both an emulated ATA disk and a PV disk reads through each what
 * it wrote through the other.
 */
class PvGuestDiskTest
{
    private static final int BLOCKS = 64;
    private static final int LARGE_SECTOR = 1024;
    private static final int LARGE_BLOCKS = 32;

    @TempDir
    Path dir;
    private final Hypervisor hypervisor = new Hypervisor(HypervisorConfig.defaults().withMachineMemoryMiB(512));

    @AfterEach
    void close()
    {
        hypervisor.close();
    }

    @Test
    void aPvDomainsKernelWritesThroughBlkfrontAndTheJavaFrontEndReadsItBack() throws Exception
    {
        final Path image = disk();
        final Domain guest = hypervisor.createDomain(DomainConfig.pv("pv-writer", 16));
        hypervisor.backends().attachDisk(guest, "format=raw, vdev=xvda, access=rw, target=" + image);
        final RecordingConsole console = new RecordingConsole();
        final HvmGuest vcpu = hypervisor.startPv(guest, new MachineConfig().kernel(GuestImages.load("pv-disk"))
            .console(console).maxInstructions(2_000_000_000L));
        runToPoweroff(vcpu, console, guest);
        readBackThroughJavaFrontEnd(image);
    }

    @Test
    void anHvmDomainsKernelWritesThroughBlkfrontAsPvOnHvm() throws Exception
    {
        final Path image = disk();
        final Domain guest = hypervisor.createDomain(DomainConfig.hvm("pvhvm-writer", 16));
        hypervisor.backends().attachHvmDisk(guest, "format=raw, vdev=xvda, access=rw, target=" + image);
        final RecordingConsole console = new RecordingConsole();
        final HvmGuest vcpu = hypervisor.startHvm(guest, new MachineConfig().bootMode(BootMode.BUILTIN)
            .kernel(GuestImages.load("pv-disk")).console(console).maxInstructions(2_000_000_000L));
        runToPoweroff(vcpu, console, guest);
        readBackThroughJavaFrontEnd(image);
    }

    @Test
    void aPvOnHvmGuestUsesOneImageThroughAtaAndThroughBlkfront() throws Exception
    {
        final Path image = disk();
        final Domain guest = hypervisor.createDomain(DomainConfig.hvm("both", 16));
        hypervisor.backends().attachHvmDisk(guest, "format=raw, vdev=hda, access=rw, target=" + image);
        hypervisor.backends().attachHvmDisk(guest, "format=raw, vdev=xvda, access=rw, target=" + image);
        final RecordingConsole console = new RecordingConsole();
        final HvmGuest vcpu = hypervisor.startHvm(guest, new MachineConfig().bootMode(BootMode.BUILTIN)
            .kernel(GuestImages.load("pv-ata-disk")).console(console).maxInstructions(2_000_000_000L));
        final MachineExit exit = vcpu.awaitExit(60, TimeUnit.SECONDS);
        assertNotNull(exit, "the guest ended\n" + console.text());
        assertEquals(MachineExit.Kind.SHUTDOWN, exit.kind(), exit + "\n" + console.text());
        assertEquals(GuestImages.expectedOutput("pv-ata-disk"), console.text());
        assertTrue(vcpu.machine().ataDevices()[0].statistics().reads() > 0, "the ATA path was used");
    }

    private void runToPoweroff(final HvmGuest vcpu, final RecordingConsole console, final Domain guest) throws Exception
    {
        final MachineExit exit = vcpu.awaitExit(60, TimeUnit.SECONDS);
        assertNotNull(exit, "the guest ended\n" + console.text());
        assertEquals(MachineExit.Kind.SHUTDOWN, exit.kind(), exit + "\n" + console.text());
        assertEquals(GuestImages.expectedOutput("pv-disk"), console.text());
        assertEquals(DomainState.SHUTDOWN, guest.state());
        assertEquals(ShutdownReason.POWEROFF, guest.shutdownReason());
        final HypercallStatistics calls = vcpu.hypercallStatistics();
        assertTrue(calls.calls(HypercallDescriptor.FID_GNTTAB_SETUP) == 1 &&
            calls.calls(HypercallDescriptor.FID_SHARED_INFO_REGISTER) == 1, "one table, one shared-info page");
        assertTrue(calls.calls(HypercallDescriptor.FID_SCHED_BLOCK) > 0, "the interrupt-driven part slept");
        assertEquals(0, calls.errors(), "no hypercall failed");
        assertTrue(hypervisor.destroyDomain(guest.id()));
    }

    private void readBackThroughJavaFrontEnd(final Path image)
    {
        final Domain reader = hypervisor.createDomain(DomainConfig.pv("reader", 16));
        final Vbd vbd = hypervisor.backends().attachDisk(reader, "format=raw, vdev=xvda, access=ro, target=" + image);
        try (BlkFront front = BlkFront.attach(reader.resources(), 0, vbd.deviceId(), BlkFrontConfig.defaults()))
        {
            final UnsafeBuffer block = new UnsafeBuffer(ByteBuffer.allocateDirect(4096));
            for (int b = 0; b < BLOCKS; b++)
            {
                assertEquals(0, front.readBlocking(b * 8L, 8, block, 0));
                assertBlock(block, b);
            }
            for (int b = 0; b < LARGE_BLOCKS; b++)
            {
                assertEquals(0, front.readBlocking(LARGE_SECTOR + b * 8L, 8, block, 0));
                assertBlock(block, LARGE_SECTOR / 8 + b);
            }
        }
    }

    private static void assertBlock(final UnsafeBuffer block, final int b)
    {
        for (int i = 0; i < 4096; i++)
        {
            if (block.getByte(i) != (byte)(b * 131 + i * 7 + (i >> 8)))
            {
                throw new AssertionError("block " + b + " byte " + i + ": " + block.getByte(i));
            }
        }
    }

    private Path disk() throws Exception
    {
        final Path image = dir.resolve("disk.img");
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw"))
        {
            file.setLength(1 << 20);
        }
        return image;
    }
}
