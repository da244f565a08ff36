package io.javisor.emulation.device.ata;

import static io.javisor.emulation.device.ata.AtaDescriptor.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.javisor.blkback.image.RamDiskImage;
import io.javisor.emulation.board.InterruptSink;
import io.javisor.emulation.board.PlatformBus;
import io.javisor.emulation.board.Plic;
import io.javisor.memory.FrameAllocator;
import io.javisor.memory.GuestMemory;
import io.javisor.memory.MachineMemory;

import org.junit.jupiter.api.Test;

/**
 * The headline figure of emulated PIO: how many traps a 4 KiB read costs, counted by the bus and by
 * the device, with INTRQ going through the PLIC as on the board.
 */
class AtaExitsTest
{
    private static final long COMMAND_BASE = 0x0400_0000L;
    private static final long CONTROL_BASE = 0x0400_0100L;
    private static final int IRQ = 11;

    @Test
    void a4KiBReadCostsTheTaskFileAnd2048DataReads()
    {
        try (MachineMemory machine = MachineMemory.anonymous(16);
             RamDiskImage ram = new RamDiskImage(1 << 20))
        {
            final FrameAllocator allocator = new FrameAllocator(machine);
            allocator.setQuota(1, 16);
            try (GuestMemory memory = GuestMemory.allocate(allocator, 1, 16))
            {
                final long[] mip = new long[1];
                final Plic plic = new Plic((bit, level) -> mip[0] = level ? mip[0] | 1L << bit : mip[0] & ~(1L << bit));
                final AtaDevice ata = new AtaDevice(ram, level -> plic.setSource(IRQ, level));
                final PlatformBus bus = new PlatformBus(memory);
                bus.map(COMMAND_BASE, ata.commandBlock()).map(CONTROL_BASE, ata.controlBlock());
                plic.write(4L * IRQ, 4, 1); // priority
                plic.write(0x2080, 4, 1L << IRQ); // enable for context 1 (S)

                // The guest driver's sequence for READ SECTORS, LBA28, 8 sectors, interrupt driven.
                bus.store8(COMMAND_BASE + 4L * SECTOR_COUNT, 8);
                bus.store8(COMMAND_BASE + 4L * LBA_LOW, 16);
                bus.store8(COMMAND_BASE + 4L * LBA_MID, 0);
                bus.store8(COMMAND_BASE + 4L * LBA_HIGH, 0);
                bus.store8(COMMAND_BASE + 4L * DEVICE, DEVICE_LBA);
                bus.store8(COMMAND_BASE + 4L * STATUS_COMMAND, CMD_READ_SECTORS);
                int interrupts = 0;
                for (int block = 0; block < 8; block++)
                {
                    assertTrue((mip[0] & 1L << InterruptSink.SEIP) != 0, "SEIP for block " + block);
                    assertEquals(IRQ, plic.claim(1));
                    interrupts++;
                    assertEquals(STATUS_DRQ, bus.load8(COMMAND_BASE + 4L * STATUS_COMMAND) & STATUS_DRQ);
                    plic.complete(1, IRQ);
                    for (int w = 0; w < WORDS_PER_SECTOR; w++)
                    {
                        bus.load16(COMMAND_BASE);
                    }
                }
                assertEquals(STATUS_DRDY | STATUS_DSC, bus.load8(COMMAND_BASE + 4L * STATUS_COMMAND));
                final long exits = bus.accessCount(ata.commandBlock()) + bus.accessCount(ata.controlBlock());
                assertEquals(6 + 8 * (1 + 256) + 1, exits);
                assertEquals(exits, ata.statistics().exits(), "the device counts what the bus counts");
                assertEquals(1, ata.statistics().ios());
                assertEquals(8, interrupts);
                System.out.printf("ATA PIO: exits per 4 KiB read = %d (%.1f per IO), interrupts per read = %d%n",
                    exits, ata.statistics().exitsPerIo(), interrupts);
            }
        }
    }
}
