package io.javisor.emulation.machine;

import io.javisor.blkback.image.RamDiskImage;
import io.javisor.emulation.device.virtio.VirtioMmioDescriptor;
import io.javisor.emulation.device.virtio.VirtioMmioTransport;
import io.javisor.emulation.device.virtionet.VirtioNet;
import io.javisor.netback.bridge.Bridge;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** virtio devices configured on a machine are mapped at QEMU virt's slots and described in its device tree. */
class VirtioMachineTest
{
    @Test
    void devicesAreMappedInQemuSlotOrderAndCounted()
    {
        final Bridge bridge = new Bridge("br-machine");
        try (RamDiskImage disk = new RamDiskImage(1 << 20);
             VirtMachine machine = VirtMachine.create(new MachineConfig().bootMode(BootMode.BARE)
                 .kernel(GuestPrograms.image("hello"))
                 .virtioBlk(disk, "vda")
                 .virtioNet(bridge, 0x52_54_00_00_00_01L)))
        {
            // As QEMU plugs -device virtio-*-device: the first device in the last slot.
            assertEquals(VirtioMmioDescriptor.MAGIC, machine.bus().load32(0x1000_8000L) & 0xFFFF_FFFFL);
            assertEquals(2, machine.bus().load32(0x1000_8008L));
            assertEquals(1, machine.bus().load32(0x1000_7008L));
            assertEquals(2, machine.bus().load32(0x1000_8004L));
            assertFalse(machine.bus().takeFault());
            machine.bus().load8(0x1000_8070L);
            assertTrue(machine.bus().takeFault(), "registers take 32-bit accesses only");
            machine.bus().load32(0x1000_6000L);
            assertTrue(machine.bus().takeFault(), "slot 5 is empty");

            final VirtioMmioTransport blk = machine.virtioTransports().get(0);
            assertEquals(4, machine.bus().accessCount(blk));
            assertEquals(3, blk.statistics().registerExits(), "the refused byte access never reached the device");
            final VirtioNet net = (VirtioNet)machine.virtioTransports().get(1).device();
            assertEquals(1, bridge.portCount());
            assertTrue(net.portNumber() > 0);
            final long dtb = machine.deviceTreeAddress();
            final byte[] blob = new byte[8192];
            machine.memory().getBytes(dtb - 0x8000_0000L, blob, 0, blob.length);
            final String text = new String(blob, java.nio.charset.StandardCharsets.ISO_8859_1);
            assertTrue(text.contains("virtio_mmio@10008000") && text.contains("virtio_mmio@10007000") &&
                text.contains("virtio,mmio"));
        }
        assertEquals(0, bridge.portCount(), "closing the machine detaches its NIC");
    }

    @Test
    void atMostEightDevices()
    {
        final MachineConfig config = new MachineConfig();
        for (int i = 0; i < 8; i++)
        {
            config.virtioBlk(new RamDiskImage(4096), "d" + i);
        }
        assertThrows(IllegalArgumentException.class, () -> config.virtioBlk(new RamDiskImage(4096), "d8"));
    }
}
