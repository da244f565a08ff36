package io.javisor.emulation.machine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.javisor.blkback.image.RamDiskImage;
import io.javisor.emulation.cpu.RamBus;
import io.javisor.emulation.device.ata.AtaDescriptor;
import io.javisor.emulation.device.lan9118.Lan9118Descriptor;
import io.javisor.emulation.fdt.FdtTestAccess;
import io.javisor.emulation.fdt.VirtBoardFdt;
import io.javisor.netback.bridge.Bridge;

import java.util.List;

import org.junit.jupiter.api.Test;

/** A machine given an ATA disk and a LAN9118 maps them where its device tree says, with their interrupts. */
class EmulatedDevicesMachineTest
{
    private static final long MAC = 0x02_16_3E_00_00_07L;

    @Test
    void devicesAreMappedAndDescribedInTheDeviceTree()
    {
        final Bridge bridge = new Bridge("br-machine");
        try (RamDiskImage disk = new RamDiskImage(1 << 20);
             VirtMachine machine = VirtMachine.create(new MachineConfig().memoryMiB(16).bootMode(BootMode.BARE)
                 .kernel(GuestPrograms.image("hello")).addAtaDisk(disk).addLan9118(bridge, MAC)))
        {
            final long ata = VirtBoardFdt.ataBase(0);
            assertEquals(AtaDescriptor.STATUS_DRDY | AtaDescriptor.STATUS_DSC,
                machine.bus().load8(ata + VirtBoardFdt.ATA_CONTROL_OFFSET));
            assertEquals(1, machine.bus().load8(ata + (AtaDescriptor.SECTOR_COUNT << VirtBoardFdt.ATA_REG_SHIFT)));
            final long lan = VirtBoardFdt.lan9118Base(0);
            assertEquals(0x8765_4321L, machine.bus().load32(lan + Lan9118Descriptor.BYTE_TEST));
            assertEquals(2, bridge.portCount() + 1, "the NIC joined the bridge");
            assertEquals(2, machine.bus().accessCount(machine.ataDevices()[0].commandBlock()) +
                machine.bus().accessCount(machine.ataDevices()[0].controlBlock()));

            final long dtbAt = machine.deviceTreeAddress() - RamBus.RAM_BASE;
            final byte[] header = new byte[8];
            machine.memory().getBytes(dtbAt, header, 0, 8);
            final int size = (header[4] & 0xFF) << 24 | (header[5] & 0xFF) << 16 | (header[6] & 0xFF) << 8 | header[7] & 0xFF;
            final byte[] dtb = new byte[size];
            machine.memory().getBytes(dtbAt, dtb, 0, size);
            final FdtTestAccess.Device ataNode = FdtTestAccess.node(dtb, "/soc/ata@4000000");
            assertEquals(List.of("javisor,pata", "ata-generic"), ataNode.strings("compatible"));
            assertArrayEquals(new long[] {ata, 32, ata + 0x100, 4}, ataNode.u64s("reg"));
            assertEquals(2, ataNode.u32("reg-shift"));
            assertEquals(4, ataNode.u32("pio-mode"));
            assertEquals(12, ataNode.u32("interrupts"));
            final FdtTestAccess.Device lanNode = FdtTestAccess.node(dtb, "/soc/ethernet@4010000");
            assertEquals(List.of("smsc,lan9118", "smsc,lan9115"), lanNode.strings("compatible"));
            assertArrayEquals(new long[] {lan, 0x100}, lanNode.u64s("reg"));
            assertEquals(13, lanNode.u32("interrupts"));
            assertEquals(4, lanNode.u32("reg-io-width"));
            assertEquals("mii", lanNode.string("phy-mode"));
            assertArrayEquals(new byte[] {2, 0x16, 0x3E, 0, 0, 7}, lanNode.raw("local-mac-address"));
        }
        assertEquals(0, bridge.portCount(), "closing the machine detaches the NIC");
    }

    @Test
    void configRefusesGroupMacsAndTooManyDevices()
    {
        final Bridge bridge = new Bridge("br-config");
        assertThrows(IllegalArgumentException.class, () -> new MachineConfig().addLan9118(bridge, 0x01_00_5E_00_00_01L));
        final MachineConfig config = new MachineConfig();
        try (RamDiskImage disk = new RamDiskImage(4096))
        {
            for (int i = 0; i < VirtBoardFdt.MAX_ATA; i++)
            {
                config.addAtaDisk(disk);
            }
            assertThrows(IllegalArgumentException.class, () -> config.addAtaDisk(disk));
        }
    }
}
