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
 * Commands out of order (a new command, a flush, a reset or IDENTIFY in the middle of a transfer,
 * data-port traffic with no transfer, ranges past the end) never put anything on the disk but the
 * whole DRQ blocks the host completed, and reads return exactly what is on it.
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

    @Test
    void commandsOutOfOrderOnlyEverCommitWholeBlocks(final Seed seed)
    {
        final SplittableRandom random = seed.splittableRandom();
        try (RamDiskImage ram = new RamDiskImage(SECTORS * 512))
        {
            final AtaDevice ata = new AtaDevice(ram, 2, level -> line = level, null, null);
            final OrderedHost host = new OrderedHost(ata, random);
            for (int i = 0; i < 20_000; i++)
            {
                final int choice = random.nextInt(100);
                if (choice < 30)
                {
                    host.readOrWrite();
                }
                else if (choice < 75)
                {
                    host.data(random.nextInt(1, 600));
                }
                else if (choice < 80)
                {
                    host.softReset();
                }
                else if (choice < 85)
                {
                    host.nonData(random.nextBoolean() ? CMD_FLUSH_CACHE : CMD_FLUSH_CACHE_EXT);
                }
                else if (choice < 90)
                {
                    host.identify();
                }
                else if (choice < 95)
                {
                    host.setMultiple(1 << random.nextInt(5));
                }
                else
                {
                    host.outOfRange();
                }
                assertEquals(host.transferring(), (host.altStatus() & STATUS_DRQ) != 0, "DRQ iff a transfer is under way");
                assertEquals(0, host.altStatus() & STATUS_BSY, "never busy outside a reset");
                assertEquals(line, ata.interruptLine());
            }
            final byte[] image = new byte[(int)SECTORS * 512];
            ram.read(0, ByteBuffer.wrap(image));
            assertArrayEquals(host.shadow, image, "the disk holds exactly the blocks the host completed");
        }
    }

    /**
     * A host that issues commands at random moments, and keeps the disk as it must be: a data-out
     * block reaches it when its last word is written, and not at all if something interrupts it.
     */
    private static final class OrderedHost
    {
        final byte[] shadow = new byte[(int)SECTORS * 512];
        private final MmioDevice cmd;
        private final MmioDevice ctl;
        private final SplittableRandom random;
        private int multiple = MAX_MULTIPLE;
        /** 0 none, 1 data-in (a read, compared), 2 data-out, 3 IDENTIFY data-in (not compared). */
        private int transfer;
        private long sector;
        private int remaining;
        private int perBlock;
        private int blockWords;
        private int word;
        private final int[] block = new int[MAX_MULTIPLE * 256];

        OrderedHost(final AtaDevice ata, final SplittableRandom random)
        {
            this.cmd = ata.commandBlock();
            this.ctl = ata.controlBlock();
            this.random = random;
        }

        boolean transferring()
        {
            return transfer != 0;
        }

        int altStatus()
        {
            return (int)ctl.read(0, 1);
        }

        private void wr(final int register, final int value)
        {
            cmd.write(offset(register, 2), 1, value);
        }

        private int status()
        {
            return (int)cmd.read(offset(STATUS_COMMAND, 2), 1);
        }

        private void taskFile(final long lba, final int count)
        {
            wr(SECTOR_COUNT, count);
            wr(LBA_LOW, (int)lba);
            wr(LBA_MID, (int)(lba >>> 8));
            wr(LBA_HIGH, (int)(lba >>> 16));
            wr(DEVICE, DEVICE_LBA | (int)(lba >>> 24) & 0xF);
        }

        /** READ or WRITE, SECTORS or MULTIPLE, at a valid range: whatever was under way is abandoned. */
        void readOrWrite()
        {
            final boolean write = random.nextBoolean();
            final boolean multi = random.nextBoolean();
            final int count = random.nextInt(1, 2 * MAX_MULTIPLE);
            final long lba = random.nextLong(SECTORS - count + 1);
            taskFile(lba, count);
            wr(STATUS_COMMAND, write ? (multi ? CMD_WRITE_MULTIPLE : CMD_WRITE_SECTORS) :
                (multi ? CMD_READ_MULTIPLE : CMD_READ_SECTORS));
            transfer = write ? 2 : 1;
            sector = lba;
            remaining = count;
            perBlock = multi ? multiple : 1;
            startBlock();
            assertEquals(STATUS_DRQ, status() & (STATUS_DRQ | STATUS_ERR), "the command started its transfer");
        }

        private void startBlock()
        {
            blockWords = Math.min(remaining, perBlock) * 256;
            word = 0;
        }

        /** Data-port words: moved within a transfer, ignored (writes) or zero (reads) outside one. */
        void data(final int words)
        {
            for (int i = 0; i < words; i++)
            {
                if (transfer == 2 || transfer == 0 && random.nextBoolean())
                {
                    final int value = random.nextInt(0x10000);
                    cmd.write(0, 2, value);
                    if (transfer == 2)
                    {
                        block[word++] = value;
                        blockDone();
                    }
                }
                else
                {
                    final int value = (int)cmd.read(0, 2);
                    if (transfer == 0)
                    {
                        assertEquals(0, value, "the data port reads 0 without DRQ");
                    }
                    else
                    {
                        if (transfer == 1)
                        {
                            final int at = (int)(sector * 512) + 2 * word;
                            assertEquals((shadow[at] & 0xFF) | (shadow[at + 1] & 0xFF) << 8, value,
                                "word " + word + " of sector " + sector + " reads what is on the disk");
                        }
                        word++;
                        blockDone();
                    }
                }
            }
        }

        private void blockDone()
        {
            if (word < blockWords)
            {
                return;
            }
            final int sectors = blockWords / 256;
            if (transfer == 2)
            {
                for (int w = 0; w < blockWords; w++)
                {
                    shadow[(int)(sector * 512) + 2 * w] = (byte)block[w];
                    shadow[(int)(sector * 512) + 2 * w + 1] = (byte)(block[w] >>> 8);
                }
            }
            if (transfer == 3)
            {
                transfer = 0;
                return;
            }
            sector += sectors;
            remaining -= sectors;
            if (remaining == 0)
            {
                transfer = 0;
            }
            else
            {
                startBlock();
            }
        }

        void softReset()
        {
            ctl.write(0, 1, CONTROL_SRST);
            assertEquals(STATUS_BSY, altStatus() & STATUS_BSY, "busy while held in reset");
            ctl.write(0, 1, 0);
            transfer = 0;
        }

        void nonData(final int command)
        {
            wr(STATUS_COMMAND, command);
            transfer = 0;
            assertEquals(0, status() & (STATUS_ERR | STATUS_DRQ));
        }

        void identify()
        {
            wr(DEVICE, 0);
            wr(STATUS_COMMAND, CMD_IDENTIFY_DEVICE);
            transfer = 3;
            blockWords = 256;
            word = 0;
        }

        void setMultiple(final int sectors)
        {
            wr(SECTOR_COUNT, sectors);
            wr(STATUS_COMMAND, CMD_SET_MULTIPLE_MODE);
            transfer = 0;
            assertEquals(0, status() & STATUS_ERR, "a power of two up to " + MAX_MULTIPLE + " is accepted");
            multiple = sectors;
        }

        /** A range reaching past the end: IDNF before any data moves. */
        void outOfRange()
        {
            final int count = random.nextInt(2, 9);
            taskFile(SECTORS - count + 1 + random.nextInt(4), count);
            wr(STATUS_COMMAND, random.nextBoolean() ? CMD_WRITE_SECTORS : CMD_READ_SECTORS);
            transfer = 0;
            assertEquals(STATUS_ERR, status() & (STATUS_ERR | STATUS_DRQ));
            assertEquals(ERROR_IDNF, cmd.read(offset(ERROR_FEATURES, 2), 1) & ERROR_IDNF);
        }
    }
}
