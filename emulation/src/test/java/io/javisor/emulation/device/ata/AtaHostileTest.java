package io.javisor.emulation.device.ata;

import static io.javisor.emulation.device.ata.AtaDescriptor.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.javisor.blkback.image.RamDiskImage;
import io.javisor.emulation.board.MmioDevice;
import io.javisor.memory.testing.Seed;
import io.javisor.memory.testing.Seeded;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/**
 * A guest that writes anything anywhere, in any order: the model never throws, never touches the
 * image outside its capacity, keeps its interrupt line consistent, and works normally after a reset.
 */
@Seeded
class AtaHostileTest
{
    private static final long SECTORS = 256;
    private static final int[] COMMANDS = {CMD_READ_SECTORS, CMD_READ_SECTORS_EXT, CMD_READ_MULTIPLE,
        CMD_READ_MULTIPLE_EXT, CMD_WRITE_SECTORS, CMD_WRITE_SECTORS_EXT, CMD_WRITE_MULTIPLE, CMD_WRITE_MULTIPLE_EXT,
        CMD_IDENTIFY_DEVICE, CMD_SET_MULTIPLE_MODE, CMD_SET_FEATURES, CMD_FLUSH_CACHE, CMD_FLUSH_CACHE_EXT,
        CMD_EXECUTE_DIAGNOSTIC, CMD_READ_VERIFY_EXT};

    private boolean line;

    @Test
    void randomRegisterTrafficLeavesTheHostHealthy(final Seed seed)
    {
        final SplittableRandom random = seed.splittableRandom();
        try (RamDiskImage ram = new RamDiskImage(SECTORS * 512))
        {
            final AtaDevice ata = new AtaDevice(ram, 2, level -> line = level, null, null);
            final MmioDevice cmd = ata.commandBlock();
            final MmioDevice ctl = ata.controlBlock();
            final int[] sizes = {1, 2, 4, 8};
            for (int i = 0; i < 200_000; i++)
            {
                final int choice = random.nextInt(100);
                final long offset;
                final MmioDevice window;
                if (choice < 5)
                {
                    window = ctl;
                    offset = random.nextInt(4);
                }
                else
                {
                    window = cmd;
                    // Mostly real registers, sometimes anywhere in the window.
                    offset = random.nextInt(4) == 0 ? random.nextInt(32) : (long)random.nextInt(8) << 2;
                }
                final int size = sizes[random.nextInt(sizes.length)];
                if (offset + size > window.size() || !window.supports(offset, size))
                {
                    continue; // the bus faults these without calling the device
                }
                if (random.nextBoolean())
                {
                    window.read(offset, size);
                }
                else
                {
                    long value = random.nextLong();
                    if (window == cmd && offset == 28 && random.nextInt(3) > 0)
                    {
                        value = COMMANDS[random.nextInt(COMMANDS.length)];
                    }
                    else if (window == ctl && random.nextInt(4) > 0)
                    {
                        value &= ~CONTROL_SRST; // do not sit in reset most of the time
                    }
                    window.write(offset, size, value);
                }
                assertEquals(line, ata.interruptLine());
            }
            // Recovery: a soft reset, then a normal round trip.
            ctl.write(0, 1, CONTROL_SRST);
            ctl.write(0, 1, 0);
            assertEquals(STATUS_DRDY | STATUS_DSC, ctl.read(0, 1));
            final byte[] data = new byte[512];
            for (int i = 0; i < data.length; i++)
            {
                data[i] = (byte)(i ^ 0x5A);
            }
            cmd.write(8, 1, 1);
            cmd.write(12, 1, 3);
            cmd.write(16, 1, 0);
            cmd.write(20, 1, 0);
            cmd.write(24, 1, DEVICE_LBA);
            cmd.write(28, 1, CMD_WRITE_SECTORS);
            for (int at = 0; at < 512; at += 2)
            {
                cmd.write(0, 2, (data[at] & 0xFF) | (data[at + 1] & 0xFF) << 8);
            }
            assertEquals(STATUS_DRDY | STATUS_DSC, cmd.read(28, 1));
            final byte[] back = new byte[512];
            ram.read(3 * 512, ByteBuffer.wrap(back));
            assertArrayEquals(data, back);
            assertTrue(ata.statistics().exits() > 100_000);
        }
    }
}
