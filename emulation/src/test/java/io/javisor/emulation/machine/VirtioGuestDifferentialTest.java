package io.javisor.emulation.machine;

import io.javisor.blkback.image.RamDiskImage;
import io.javisor.emulation.device.virtio.VirtioMmioTransport;
import io.javisor.emulation.device.virtioblk.VirtioBlk;
import io.javisor.emulation.device.virtionet.VirtioNet;
import io.javisor.netback.bridge.Bridge;
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
 * with a 1 MiB raw file: the same console output and exit code. The net-loop guest drives two
 * virtio-net NICs of its own, on one javisor bridge here and on one in-process QEMU hub there.
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

    @Test
    void netLoopGuestWithTwoVirtioNetNicsBehavesAsOnQemu() throws Exception
    {
        final RecordingConsole console = new RecordingConsole("");
        final MachineExit exit;
        final Bridge bridge = new Bridge("br0");
        try (VirtMachine machine = VirtMachine.create(new MachineConfig().bootMode(BootMode.BARE)
            .kernel(GuestPrograms.image("net-loop")).console(console).maxInstructions(1_000_000_000L)
            .virtioNet(bridge, 0x52_54_00_00_00_01L).virtioNet(bridge, 0x52_54_00_00_00_02L)))
        {
            exit = machine.run();
            final VirtioMmioTransport first = machine.virtioTransports().get(0);
            System.out.printf("net-loop guest: %d register exits on the first NIC for %d frames sent, %d guest instructions%n",
                first.statistics().registerExits(), ((VirtioNet)first.device()).statistics().txFrames(), exit.instructions());
        }
        assertEquals(MachineExit.Kind.FINISHER, exit.kind(), exit.detail());
        assertEquals(GuestPrograms.expected("net-loop"), console.text(), "output vs expected/net-loop.out (from QEMU)");
        assertEquals(0, exit.exitCode());

        assumeTrue(QemuRunner.isAvailable(), "qemu-system-riscv64 not installed: compared with the recorded output only");
        final QemuRun qemu = QemuRunner.create().withArguments("-global", "virtio-mmio.force-legacy=false",
            "-netdev", "hubport,id=n0,hubid=0", "-device", "virtio-net-device,netdev=n0,mac=52:54:00:00:00:01",
            "-netdev", "hubport,id=n1,hubid=0", "-device", "virtio-net-device,netdev=n1,mac=52:54:00:00:00:02")
            .run(GuestPrograms.elf("net-loop"));
        assertEquals(qemu.outputText(), console.text(), "output: javisor vs QEMU");
        assertEquals(qemu.exitCode(), exit.exitCode(), "exit code: javisor vs QEMU");
    }
}
