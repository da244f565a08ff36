package io.javisor.emulation.machine;

import io.javisor.blkback.image.RamDiskImage;
import io.javisor.emulation.device.virtio.VirtioMmioTransport;
import io.javisor.emulation.device.virtioblk.VirtioBlk;
import io.javisor.emulation.reference.QemuRun;
import io.javisor.emulation.reference.QemuRunner;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The virtio-blk guest program (our own polled C driver, {@code guests/lib/virtio.c}) on javisor with
 * a 1 MiB RAM disk and on {@code qemu-system-riscv64 -M virt -global virtio-mmio.force-legacy=false}
 * with a 1 MiB raw file: the same console output and exit code.
 */
class VirtioGuestDifferentialTest
{
    private static final int DISK = 1 << 20;

    @Test
    void virtioBlkGuestBehavesAsOnQemu(@TempDir final Path dir) throws Exception
    {
        final RecordingConsole console = new RecordingConsole("");
        final MachineExit exit;
        try (RamDiskImage disk = new RamDiskImage(DISK);
             VirtMachine machine = VirtMachine.create(new MachineConfig().bootMode(BootMode.BARE)
                 .kernel(GuestPrograms.image("virtio-blk")).console(console).maxInstructions(1_000_000_000L)
                 .virtioBlk(disk, "vda")))
        {
            exit = machine.run();
            final VirtioMmioTransport transport = machine.virtioTransports().get(0);
            final VirtioBlk blk = (VirtioBlk)transport.device();
            System.out.printf("virtio-blk guest: %d register exits for %d requests (%.2f per request), %d guest instructions%n",
                transport.statistics().registerExits(), blk.statistics().ios(),
                (double)transport.statistics().registerExits() / blk.statistics().ios(), exit.instructions());
        }
        assertEquals(MachineExit.Kind.FINISHER, exit.kind(), exit.detail());
        assertEquals(GuestPrograms.expected("virtio-blk"), console.text(), "output vs expected/virtio-blk.out");
        assertEquals(0, exit.exitCode());

        assumeTrue(QemuRunner.isAvailable(), "qemu-system-riscv64 not installed: compared with the recorded output only");
        final Path image = dir.resolve("vda.img");
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw"))
        {
            file.setLength(DISK);
        }
        final QemuRun qemu = QemuRunner.create().withArguments("-global", "virtio-mmio.force-legacy=false",
            "-drive", "file=" + image + ",if=none,format=raw,id=d0", "-device", "virtio-blk-device,drive=d0,serial=vda")
            .run(GuestPrograms.elf("virtio-blk"));
        assertEquals(qemu.outputText(), console.text(), "output: javisor vs QEMU");
        assertEquals(qemu.exitCode(), exit.exitCode(), "exit code: javisor vs QEMU");
    }
}
