package io.javisor.emulation.machine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.javisor.blkback.image.RamDiskImage;

import java.nio.ByteBuffer;

import org.junit.jupiter.api.Test;

/** The ata-disk guest (our own C driver) on javisor: pattern written, flushed, read back, polled and with interrupts. */
class AtaGuestTest
{
    @Test
    void ataDiskGuestPassesAndItsDataIsOnTheImage()
    {
        try (RamDiskImage disk = new RamDiskImage(1 << 20))
        {
            final RecordingConsole console = new RecordingConsole();
            final MachineExit exit;
            final long exits;
            try (VirtMachine machine = VirtMachine.create(new MachineConfig().memoryMiB(16).bootMode(BootMode.BARE)
                .kernel(GuestPrograms.image("ata-disk")).console(console).addAtaDisk(disk).maxInstructions(200_000_000)))
            {
                exit = machine.run();
                exits = machine.ataDevices()[0].statistics().exits();
                System.out.println("ata-disk guest: " + machine.ataDevices()[0].statistics());
            }
            final String text = console.text();
            System.out.print(text);
            assertEquals(0, exit.exitCode(), exit + "\n" + text);
            assertTrue(text.contains("ata-disk: model 'JAVISOR HARDDISK', sectors 2048"), text);
            assertTrue(text.contains("ata-disk: polled 4 KiB at lba 16 ok"), text);
            assertTrue(text.contains("ata-disk: interrupts 4 KiB at lba 2040 ok"), text);
            assertTrue(text.contains("ata-disk: pass"), text);
            assertEquals(GuestPrograms.expected("ata-disk"), text, "output vs expected/ata-disk.out (javisor's own record)");
            assertTrue(exits > 4 * 2048, "every data word is an exit");
            // The guest's pattern is on the image, where blkback or virtio would find it.
            final byte[] sector = new byte[8 * 512];
            disk.read(16 * 512, ByteBuffer.wrap(sector));
            final byte[] expected = new byte[8 * 512];
            for (int i = 0; i < expected.length; i++)
            {
                expected[i] = (byte)(i * 13 + 1 + (i >> 9));
            }
            assertArrayEquals(expected, sector);
        }
    }
}
