package io.javisor.core.stubdom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.javisor.blkback.image.DiskSpec;
import io.javisor.core.Hypervisor;
import io.javisor.core.HypervisorConfig;
import io.javisor.core.toolstack.Toolstack;
import io.javisor.core.toolstack.config.Bios;
import io.javisor.core.toolstack.config.GuestType;
import io.javisor.core.toolstack.config.ShutdownAction;
import io.javisor.core.toolstack.config.XlConfig;
import io.javisor.core.toolstack.config.XlConfigReader;
import io.javisor.emulation.guests.GuestImages;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * xl.cfg's {@code device_model_stubdomain_override = 1}: {@code xl create} gives the guest's ATA disk,
 * or its virtio disk and NIC (on a hypervisor whose machine memory is a file, as the daemon's), a stub
 * domain; destroy ends it.
 */
@Timeout(120)
class ToolstackStubDomainTest
{
    @TempDir
    Path dir;

    @Test
    void anHvmConfigWithTheOverrideRunsItsAtaDiskInAStubDomainUntilDestroyed() throws Exception
    {
        final Path kernel = GuestImages.extract("ata-disk", dir);
        final Path image = StubGuests.image(dir, "disk.img");
        final XlConfig spec = new XlConfig("stubbed", GuestType.HVM, 16, 1, XlConfig.DEFAULT_CPU_WEIGHT, XlConfig.NO_CAP, kernel,
            null, null, Bios.NONE, null, List.of(), List.of(DiskSpec.parse("format=raw, vdev=hda, access=rw, target=" + image)),
            List.of(), ShutdownAction.PRESERVE, ShutdownAction.DESTROY, ShutdownAction.PRESERVE, true, false);
        try (Hypervisor hv = new Hypervisor(HypervisorConfig.defaults().withMachineMemoryMiB(128));
            Toolstack toolstack = new Toolstack(hv))
        {
            toolstack.create(spec, false);
            assertEquals(1, StubGuests.stubProcesses().size(), "the guest's stub domain");
            final long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
            String console = "";
            while (!console.contains("ata-disk: pass") && System.nanoTime() < deadline)
            {
                Thread.sleep(10);
                console = new String(toolstack.console("stubbed").history(), StandardCharsets.US_ASCII);
            }
            assertEquals(GuestImages.expectedOutput("ata-disk"), console);
            toolstack.destroy("stubbed");
            final long gone = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!StubGuests.stubProcesses().isEmpty() && System.nanoTime() < gone)
            {
                Thread.sleep(10);
            }
            assertTrue(StubGuests.stubProcesses().isEmpty(), "destroy ends the stub domain");
        }
    }

    @Test
    void anXlCfgWithTheOverrideRunsItsVirtioDiskAndVirtioNicInAStubDomainOnAFileBackedHypervisor() throws Exception
    {
        final Path kernel = GuestImages.extract("virtio-blk", dir);
        final Path image = StubGuests.image(dir, "vda.img");
        final Path cfg = Files.write(dir.resolve("stubbed.cfg"), List.of("name = \"virtio-stubbed\"", "type = \"hvm\"",
            "bios = \"none\"", "memory = 16", "kernel = \"" + kernel + "\"", "on_poweroff = \"preserve\"",
            "device_model_stubdomain_override = 1",
            "disk = [ \"format=raw, vdev=vda, access=rw, target=" + image + "\" ]",
            "vif = [ \"model=virtio, bridge=xenbr0, mac=00:16:3e:00:00:07\" ]"));
        final XlConfig spec = new XlConfigReader().read(cfg, List.of());
        try (Hypervisor hv = StubGuests.fileBacked(dir.resolve("machine-memory"));
            Toolstack toolstack = new Toolstack(hv))
        {
            toolstack.create(spec, false);
            assertEquals(1, StubGuests.stubProcesses().size(), "the guest's stub domain");
            final long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
            String console = "";
            while (!console.contains("virtio-blk: pass") && System.nanoTime() < deadline)
            {
                Thread.sleep(10);
                console = new String(toolstack.console("virtio-stubbed").history(), StandardCharsets.US_ASCII);
            }
            assertEquals(GuestImages.expectedOutput("virtio-blk"), console,
                "the disk in slot 7 as in-process, the NIC beside it in slot 6");
            toolstack.destroy("virtio-stubbed");
            final long gone = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!StubGuests.stubProcesses().isEmpty() && System.nanoTime() < gone)
            {
                Thread.sleep(10);
            }
            assertTrue(StubGuests.stubProcesses().isEmpty(), "destroy ends the stub domain");
        }
        StubGuests.assertVirtioBlkPattern(image);
    }
}
