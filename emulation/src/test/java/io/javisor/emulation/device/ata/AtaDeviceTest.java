package io.javisor.emulation.device.ata;

import static io.javisor.emulation.device.ata.AtaDescriptor.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.javisor.blkback.image.DiskImage;
import io.javisor.blkback.image.RamDiskImage;
import io.javisor.emulation.board.MmioDevice;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The ATA device model against its register specification (ATA8-ACS PIO protocols). */
class AtaDeviceTest
{
    private static final int SHIFT = AtaDevice.DEFAULT_REG_SHIFT;
    private static final long DISK_SECTORS = 2048; // 1 MiB

    private final List<Boolean> edges = new ArrayList<>();
    private boolean irq;
    private RamDiskImage ram = new RamDiskImage(DISK_SECTORS * 512);
    private AtaDevice ata = new AtaDevice(ram, SHIFT, this::line, "TEST MODEL 01", "SERIAL-42");
    private MmioDevice cmd = ata.commandBlock();
    private MmioDevice ctl = ata.controlBlock();

    private void line(final boolean level)
    {
        irq = level;
        edges.add(level);
    }

    @AfterEach
    void close()
    {
        ram.close();
    }

    private void use(final DiskImage image)
    {
        ata = new AtaDevice(image, SHIFT, this::line, null, null);
        cmd = ata.commandBlock();
        ctl = ata.controlBlock();
    }

    private int rd(final int reg)
    {
        return (int)cmd.read(offset(reg, SHIFT), 1);
    }

    private void wr(final int reg, final int v)
    {
        cmd.write(offset(reg, SHIFT), 1, v);
    }

    private int altStatus()
    {
        return (int)ctl.read(0, 1);
    }

    private int data()
    {
        return (int)cmd.read(0, 2);
    }

    private void lba28(final long lba, final int count)
    {
        wr(SECTOR_COUNT, count);
        wr(LBA_LOW, (int)lba);
        wr(LBA_MID, (int)(lba >>> 8));
        wr(LBA_HIGH, (int)(lba >>> 16));
        wr(DEVICE, DEVICE_LBA | (int)(lba >>> 24) & 0xF);
    }

    private void lba48(final long lba, final int count)
    {
        wr(SECTOR_COUNT, count >>> 8);
        wr(LBA_LOW, (int)(lba >>> 24));
        wr(LBA_MID, (int)(lba >>> 32));
        wr(LBA_HIGH, (int)(lba >>> 40));
        wr(SECTOR_COUNT, count);
        wr(LBA_LOW, (int)lba);
        wr(LBA_MID, (int)(lba >>> 8));
        wr(LBA_HIGH, (int)(lba >>> 16));
        wr(DEVICE, DEVICE_LBA);
    }

    /** Writes {@code bytes} through the data port, block by block, as a PIO data-out host does. */
    private void pioOut(final byte[] bytes, final int perBlock)
    {
        for (int at = 0; at < bytes.length; at += 2)
        {
            if (at % (perBlock * SECTOR_SIZE) == 0)
            {
                if (at > 0)
                {
                    assertTrue(irq, "INTRQ before data-out block at " + at);
                    assertEquals(STATUS_DRQ, rd(STATUS_COMMAND) & (STATUS_DRQ | STATUS_BSY | STATUS_ERR),
                        "DRQ before block at " + at);
                }
                else
                {
                    assertEquals(STATUS_DRQ, altStatus() & (STATUS_DRQ | STATUS_BSY | STATUS_ERR),
                        "DRQ before block at " + at);
                }
            }
            cmd.write(0, 2, (bytes[at] & 0xFF) | (bytes[at + 1] & 0xFF) << 8);
        }
    }

    private byte[] pioIn(final int length, final int perBlock)
    {
        final byte[] bytes = new byte[length];
        for (int at = 0; at < length; at += 2)
        {
            if (at % (perBlock * SECTOR_SIZE) == 0)
            {
                assertTrue(irq, "INTRQ before block at " + at);
                assertEquals(STATUS_DRDY | STATUS_DSC | STATUS_DRQ, rd(STATUS_COMMAND), "status before block at " + at);
                assertFalse(irq, "status read acknowledges INTRQ");
            }
            final int w = data();
            bytes[at] = (byte)w;
            bytes[at + 1] = (byte)(w >>> 8);
        }
        return bytes;
    }

    private static byte[] pattern(final int length, final int seed)
    {
        final byte[] b = new byte[length];
        for (int i = 0; i < length; i++)
        {
            b[i] = (byte)(i * 31 + seed + (i >>> 9));
        }
        return b;
    }

    private int[] identify()
    {
        wr(DEVICE, 0);
        wr(STATUS_COMMAND, CMD_IDENTIFY_DEVICE);
        assertTrue(irq);
        final byte[] b = pioIn(512, 1);
        final int[] w = new int[256];
        for (int i = 0; i < 256; i++)
        {
            w[i] = (b[2 * i] & 0xFF) | (b[2 * i + 1] & 0xFF) << 8;
        }
        assertEquals(STATUS_DRDY | STATUS_DSC, rd(STATUS_COMMAND));
        return w;
    }

    private static String string(final int[] w, final int at, final int words)
    {
        final StringBuilder s = new StringBuilder();
        for (int i = 0; i < words; i++)
        {
            s.append((char)(w[at + i] >>> 8)).append((char)(w[at + i] & 0xFF));
        }
        return s.toString();
    }

    @Test
    void resetSignatureAndIdleStatus()
    {
        assertEquals(STATUS_DRDY | STATUS_DSC, altStatus());
        assertEquals(1, rd(SECTOR_COUNT));
        assertEquals(1, rd(LBA_LOW));
        assertEquals(0, rd(LBA_MID));
        assertEquals(0, rd(LBA_HIGH));
        assertEquals(DIAGNOSTIC_PASSED, rd(ERROR_FEATURES));
        assertFalse(irq);
    }

    @Test
    void identifyStringsAreByteSwappedAndPadded()
    {
        final int[] w = identify();
        assertEquals(0x0040, w[ID_GENERAL_CONFIG]);
        assertEquals("TEST MODEL 01" + " ".repeat(27), string(w, ID_MODEL, ID_MODEL_WORDS));
        assertEquals("SERIAL-42" + " ".repeat(11), string(w, ID_SERIAL, ID_SERIAL_WORDS));
        assertEquals("0.1     ", string(w, ID_FIRMWARE, ID_FIRMWARE_WORDS));
        assertEquals(('T' << 8) | 'E', w[ID_MODEL], "first character in the high byte");
    }

    @Test
    void identifyCapacitiesAndFeatures()
    {
        final int[] w = identify();
        assertEquals(DISK_SECTORS, w[ID_LBA28_CAPACITY] | (long)w[ID_LBA28_CAPACITY + 1] << 16);
        assertEquals(DISK_SECTORS, w[ID_LBA48_CAPACITY] | (long)w[ID_LBA48_CAPACITY + 1] << 16);
        assertEquals(0, w[ID_LBA48_CAPACITY + 2] | w[ID_LBA48_CAPACITY + 3]);
        assertEquals(0x8000 | MAX_MULTIPLE, w[ID_MAX_MULTIPLE]);
        assertEquals(0x0100 | MAX_MULTIPLE, w[ID_MULTIPLE_SETTING], "multiple mode on at power-up");
        assertTrue((w[ID_CAPABILITIES] & CAP_LBA) != 0);
        assertTrue((w[ID_COMMAND_SET_2] & COMMAND_SET_2_LBA48) != 0);
        assertTrue((w[ID_ENABLED_2] & COMMAND_SET_2_LBA48) != 0);
        assertTrue((w[ID_ENABLED_2] & COMMAND_SET_2_FLUSH_EXT) != 0);
        assertEquals(0x0003, w[ID_PIO_MODES]);
        assertEquals(0, w[ID_UDMA]);
        assertEquals(0xA5, w[ID_INTEGRITY] & 0xFF);
        int sum = 0;
        for (final int word : w)
        {
            sum += (word & 0xFF) + (word >>> 8);
        }
        assertEquals(0, sum & 0xFF, "integrity checksum");
    }

    @Test
    void lba28CapacityIsCappedOnAHugeDisk()
    {
        final long sectors = (1L << 33) + 5; // 4 TiB
        use(new SparseDiskImage(sectors));
        final int[] w = identify();
        assertEquals(LBA28_LIMIT - 1, w[ID_LBA28_CAPACITY] | (long)w[ID_LBA28_CAPACITY + 1] << 16);
        long lba48 = 0;
        for (int i = 0; i < 4; i++)
        {
            lba48 |= (long)w[ID_LBA48_CAPACITY + i] << (16 * i);
        }
        assertEquals(sectors, lba48);
    }

    @Test
    void lba28WriteAndReadBackRoundTrip()
    {
        final byte[] data = pattern(3 * 512, 7);
        lba28(100, 3);
        wr(STATUS_COMMAND, CMD_WRITE_SECTORS);
        assertFalse(irq, "no interrupt before the first data-out block");
        pioOut(data, 1);
        assertTrue(irq, "interrupt after the last block");
        assertEquals(STATUS_DRDY | STATUS_DSC, rd(STATUS_COMMAND));

        final byte[] onDisk = new byte[3 * 512];
        ram.read(100 * 512, java.nio.ByteBuffer.wrap(onDisk));
        assertArrayEquals(data, onDisk);

        lba28(100, 3);
        wr(STATUS_COMMAND, CMD_READ_SECTORS);
        assertArrayEquals(data, pioIn(data.length, 1));
        assertEquals(STATUS_DRDY | STATUS_DSC, altStatus(), "DRQ clear after the last word");
        assertFalse(irq, "no interrupt after the last data-in block");
        assertEquals(1, ata.statistics().reads());
        assertEquals(1, ata.statistics().writes());
        assertEquals(3, ata.statistics().sectorsRead());
    }

    @Test
    void lba48RoundTripAboveTheLba28Limit()
    {
        final SparseDiskImage big = new SparseDiskImage(1L << 34);
        use(big);
        final long lba = (1L << 32) + 12345;
        final byte[] data = pattern(2 * 512, 99);
        lba48(lba, 2);
        wr(STATUS_COMMAND, CMD_WRITE_SECTORS_EXT);
        pioOut(data, 1);
        assertEquals(STATUS_DRDY | STATUS_DSC, rd(STATUS_COMMAND));
        lba48(lba, 2);
        wr(STATUS_COMMAND, CMD_READ_SECTORS_EXT);
        assertArrayEquals(data, pioIn(data.length, 1));
        // The LBA28 command cannot reach it: it addresses the low 28 bits only.
        lba28(lba, 2);
        wr(STATUS_COMMAND, CMD_READ_SECTORS);
        final byte[] low = pioIn(1024, 1);
        assertArrayEquals(new byte[1024], low);
    }

    @Test
    void lba48ReadsBackPreviousBytesWithHob()
    {
        lba48(0x0605_0403_0201L, 0x0807);
        ctl.write(0, 1, CONTROL_HOB);
        assertEquals(0x08, rd(SECTOR_COUNT));
        assertEquals(0x04, rd(LBA_LOW));
        assertEquals(0x05, rd(LBA_MID));
        assertEquals(0x06, rd(LBA_HIGH));
        ctl.write(0, 1, 0);
        assertEquals(0x07, rd(SECTOR_COUNT));
        assertEquals(0x01, rd(LBA_LOW));
    }

    @Test
    void sectorCountZeroMeans256()
    {
        lba28(0, 0);
        wr(STATUS_COMMAND, CMD_READ_MULTIPLE);
        pioIn(256 * 512, MAX_MULTIPLE);
        assertEquals(256, ata.statistics().sectorsRead());
        assertEquals(STATUS_DRDY | STATUS_DSC, rd(STATUS_COMMAND));
    }

    @Test
    void multipleModeTransfersBlocksOfTheSetSize()
    {
        wr(SECTOR_COUNT, 4);
        wr(STATUS_COMMAND, CMD_SET_MULTIPLE_MODE);
        assertEquals(STATUS_DRDY | STATUS_DSC, rd(STATUS_COMMAND));
        assertEquals(0x0104, identify()[ID_MULTIPLE_SETTING]);
        final byte[] data = pattern(10 * 512, 3);
        lba28(20, 10);
        wr(STATUS_COMMAND, CMD_WRITE_MULTIPLE);
        edges.clear();
        pioOut(data, 4);
        // blocks of 4, 4, 2: an interrupt after each block.
        assertEquals(List.of(true, false, true, false, true), edges.subList(0, edges.size()));
        lba28(20, 10);
        edges.clear();
        wr(STATUS_COMMAND, CMD_READ_MULTIPLE);
        assertArrayEquals(data, pioIn(data.length, 4));
        assertEquals(3, edges.stream().filter(e -> e).count(), "one interrupt per data-in block");
    }

    @Test
    void setMultipleModeRejectsNonPowersOfTwoAndMultipleOffAbortsMultipleCommands()
    {
        wr(SECTOR_COUNT, 3);
        wr(STATUS_COMMAND, CMD_SET_MULTIPLE_MODE);
        assertEquals(STATUS_DRDY | STATUS_ERR, rd(STATUS_COMMAND));
        assertEquals(ERROR_ABRT, rd(ERROR_FEATURES));
        assertEquals(MAX_MULTIPLE, ata.multipleSetting(), "unchanged");
        wr(SECTOR_COUNT, 32);
        wr(STATUS_COMMAND, CMD_SET_MULTIPLE_MODE);
        assertEquals(ERROR_ABRT, rd(ERROR_FEATURES));
        wr(SECTOR_COUNT, 0);
        wr(STATUS_COMMAND, CMD_SET_MULTIPLE_MODE);
        assertEquals(0, rd(ERROR_FEATURES) & ERROR_ABRT);
        assertEquals(0, ata.multipleSetting());
        lba28(0, 1);
        wr(STATUS_COMMAND, CMD_READ_MULTIPLE_EXT);
        assertEquals(STATUS_ERR, rd(STATUS_COMMAND) & (STATUS_ERR | STATUS_DRQ));
        assertEquals(ERROR_ABRT, rd(ERROR_FEATURES));
    }

    @Test
    void flushCacheAndFlushCacheExtReachTheImage()
    {
        final SparseDiskImage sparse = new SparseDiskImage(64);
        use(sparse);
        wr(STATUS_COMMAND, CMD_FLUSH_CACHE);
        assertTrue(irq);
        assertEquals(STATUS_DRDY | STATUS_DSC, rd(STATUS_COMMAND));
        wr(STATUS_COMMAND, CMD_FLUSH_CACHE_EXT);
        assertEquals(STATUS_DRDY | STATUS_DSC, rd(STATUS_COMMAND));
        assertEquals(2, sparse.flushes);
        assertEquals(2, ata.statistics().flushes());
        sparse.failFlush = DiskImage.E_IO;
        wr(STATUS_COMMAND, CMD_FLUSH_CACHE_EXT);
        assertEquals(STATUS_DRDY | STATUS_DF | STATUS_ERR, rd(STATUS_COMMAND));
        assertEquals(ERROR_ABRT, rd(ERROR_FEATURES));
    }

    @Test
    void imageErrorsBecomeUncAndDeviceFault()
    {
        final SparseDiskImage sparse = new SparseDiskImage(64);
        use(sparse);
        sparse.failReads = DiskImage.E_IO;
        lba28(5, 1);
        wr(STATUS_COMMAND, CMD_READ_SECTORS);
        assertEquals(STATUS_DRDY | STATUS_ERR, rd(STATUS_COMMAND));
        assertEquals(ERROR_UNC, rd(ERROR_FEATURES));
        assertEquals(5, rd(LBA_LOW));
        sparse.failWrites = DiskImage.E_IO;
        lba28(6, 1);
        wr(STATUS_COMMAND, CMD_WRITE_SECTORS);
        pioOut(new byte[512], 1);
        assertEquals(STATUS_DRDY | STATUS_DF | STATUS_ERR, rd(STATUS_COMMAND));
        assertEquals(ERROR_ABRT, rd(ERROR_FEATURES));
    }

    @Test
    void unsupportedCommandsAbort()
    {
        for (final int command : new int[] {CMD_NOP, 0xA0 /* PACKET */, 0xC8 /* READ DMA */, 0xCA /* WRITE DMA */,
            0x25 /* READ DMA EXT */, 0xF8 /* READ NATIVE MAX */, 0xFF})
        {
            wr(STATUS_COMMAND, command);
            assertTrue(irq, "interrupt on abort of 0x" + Integer.toHexString(command));
            assertEquals(STATUS_DRDY | STATUS_ERR, rd(STATUS_COMMAND), "status for 0x" + Integer.toHexString(command));
            assertEquals(ERROR_ABRT, rd(ERROR_FEATURES));
        }
        assertEquals(7, ata.statistics().errors());
    }

    @Test
    void setFeaturesAcceptsPioModesAndRejectsDma()
    {
        wr(ERROR_FEATURES, FEATURE_SET_TRANSFER_MODE);
        wr(SECTOR_COUNT, XFER_PIO_FLOW_CONTROL | 3);
        wr(STATUS_COMMAND, CMD_SET_FEATURES);
        assertEquals(STATUS_DRDY | STATUS_DSC, rd(STATUS_COMMAND));
        assertEquals(3, ata.pioMode());
        wr(ERROR_FEATURES, FEATURE_SET_TRANSFER_MODE);
        wr(SECTOR_COUNT, 0x40 | 2); // UDMA 2
        wr(STATUS_COMMAND, CMD_SET_FEATURES);
        assertEquals(STATUS_DRDY | STATUS_ERR, rd(STATUS_COMMAND));
        assertEquals(ERROR_ABRT, rd(ERROR_FEATURES));
        wr(ERROR_FEATURES, FEATURE_SET_TRANSFER_MODE);
        wr(SECTOR_COUNT, XFER_PIO_FLOW_CONTROL | 5);
        wr(STATUS_COMMAND, CMD_SET_FEATURES);
        assertEquals(ERROR_ABRT, rd(ERROR_FEATURES));
        assertEquals(3, ata.pioMode());
    }

    @Test
    void outOfRangeLbasAnswerIdnf()
    {
        lba28(DISK_SECTORS - 1, 2); // the second sector is past the end
        wr(STATUS_COMMAND, CMD_READ_SECTORS);
        assertEquals(STATUS_DRDY | STATUS_ERR, rd(STATUS_COMMAND));
        assertEquals(ERROR_IDNF, rd(ERROR_FEATURES));
        lba48(1L << 40, 1);
        wr(STATUS_COMMAND, CMD_WRITE_SECTORS_EXT);
        assertEquals(STATUS_DRDY | STATUS_ERR, rd(STATUS_COMMAND), "no DRQ: no data moves");
        assertEquals(ERROR_IDNF, rd(ERROR_FEATURES));
        lba28(DISK_SECTORS - 1, 1);
        wr(STATUS_COMMAND, CMD_READ_SECTORS);
        assertEquals(STATUS_DRDY | STATUS_DSC | STATUS_DRQ, rd(STATUS_COMMAND), "the last sector is fine");
    }

    @Test
    void chsAddressingAborts()
    {
        wr(SECTOR_COUNT, 1);
        wr(DEVICE, 0); // LBA bit clear
        wr(STATUS_COMMAND, CMD_READ_SECTORS);
        assertEquals(ERROR_ABRT, rd(ERROR_FEATURES));
    }

    @Test
    void nienMasksTheLineButNotTheStatus()
    {
        ctl.write(0, 1, CONTROL_NIEN);
        wr(STATUS_COMMAND, CMD_FLUSH_CACHE);
        assertFalse(irq);
        assertTrue(edges.isEmpty());
        ctl.write(0, 1, 0);
        assertTrue(irq, "INTRQ still pending shows when nIEN clears");
        assertEquals(STATUS_DRDY | STATUS_DSC, altStatus());
        assertTrue(irq, "alternate status does not acknowledge");
        rd(STATUS_COMMAND);
        assertFalse(irq, "status acknowledges");
    }

    @Test
    void softResetHoldsBsyThenLeavesTheSignature()
    {
        lba28(50, 4);
        wr(STATUS_COMMAND, CMD_READ_SECTORS);
        assertEquals(STATUS_DRQ, altStatus() & STATUS_DRQ);
        ctl.write(0, 1, CONTROL_SRST | CONTROL_NIEN);
        assertEquals(STATUS_BSY, altStatus());
        assertEquals(STATUS_BSY, rd(STATUS_COMMAND));
        assertFalse(irq);
        wr(STATUS_COMMAND, CMD_IDENTIFY_DEVICE); // ignored while in reset
        ctl.write(0, 1, CONTROL_NIEN);
        assertEquals(STATUS_DRDY | STATUS_DSC, altStatus());
        assertEquals(1, rd(SECTOR_COUNT));
        assertEquals(1, rd(LBA_LOW));
        assertEquals(DIAGNOSTIC_PASSED, rd(ERROR_FEATURES));
        assertEquals(0, data(), "the abandoned transfer left no DRQ");
        assertEquals(1, ata.statistics().resets());
        assertEquals(1, ata.statistics().abortedTransfers());
        assertEquals(MAX_MULTIPLE, ata.multipleSetting(), "multiple setting survives SRST");
    }

    @Test
    void deviceOneIsAbsent()
    {
        wr(DEVICE, DEVICE_DEV1);
        assertEquals(0, altStatus());
        assertEquals(0, rd(STATUS_COMMAND));
        wr(STATUS_COMMAND, CMD_IDENTIFY_DEVICE);
        assertFalse(irq);
        wr(SECTOR_COUNT, 0x55);
        assertEquals(0x55, rd(SECTOR_COUNT), "task file registers are shared");
        wr(DEVICE, 0);
        assertEquals(STATUS_DRDY | STATUS_DSC, altStatus());
        assertEquals(0, ata.statistics().commands());
    }

    @Test
    void dataPortWithoutDrqIsSpurious()
    {
        assertEquals(0, data());
        cmd.write(0, 2, 0xBEEF);
        cmd.write(0, 4, 0xBEEF_BEEFL);
        assertEquals(3, ata.statistics().spuriousDataAccesses());
        assertEquals(STATUS_DRDY | STATUS_DSC, altStatus());
    }

    @Test
    void aCommandDuringATransferAbandonsIt()
    {
        final byte[] old = pattern(512, 1);
        lba28(9, 1);
        wr(STATUS_COMMAND, CMD_WRITE_SECTORS);
        pioOut(old, 1);
        rd(STATUS_COMMAND);
        lba28(9, 2);
        wr(STATUS_COMMAND, CMD_WRITE_SECTORS);
        for (int i = 0; i < 100; i++)
        {
            cmd.write(0, 2, 0xFFFF); // a partial block
        }
        wr(STATUS_COMMAND, CMD_IDENTIFY_DEVICE);
        assertEquals(STATUS_DRDY | STATUS_DSC | STATUS_DRQ, rd(STATUS_COMMAND));
        assertEquals(0x0040, data(), "IDENTIFY data, not the write's");
        lba28(9, 1);
        wr(STATUS_COMMAND, CMD_READ_SECTORS);
        assertArrayEquals(old, pioIn(512, 1), "the partial block never reached the disk");
    }

    @Test
    void thirtyTwoBitDataAccessesMoveTwoWords()
    {
        final byte[] data = pattern(512, 5);
        lba28(1, 1);
        wr(STATUS_COMMAND, CMD_WRITE_SECTORS);
        for (int at = 0; at < 512; at += 4)
        {
            cmd.write(0, 4, (data[at] & 0xFFL) | (data[at + 1] & 0xFFL) << 8 | (data[at + 2] & 0xFFL) << 16 |
                (data[at + 3] & 0xFFL) << 24);
        }
        assertEquals(STATUS_DRDY | STATUS_DSC, rd(STATUS_COMMAND));
        lba28(1, 1);
        wr(STATUS_COMMAND, CMD_READ_SECTORS);
        final byte[] back = new byte[512];
        for (int at = 0; at < 512; at += 4)
        {
            final long v = cmd.read(0, 4);
            for (int i = 0; i < 4; i++)
            {
                back[at + i] = (byte)(v >>> (8 * i));
            }
        }
        assertArrayEquals(data, back);
    }

    @Test
    void registerWindowsFollowRegShift()
    {
        final AtaDevice narrow = new AtaDevice(ram, 0, l -> { }, null, null);
        assertEquals(8, narrow.commandBlock().size());
        assertEquals(1, narrow.controlBlock().size());
        assertTrue(narrow.commandBlock().supports(7, 1));
        assertTrue(narrow.commandBlock().supports(0, 2));
        assertFalse(narrow.commandBlock().supports(0, 1));
        assertEquals(32, cmd.size());
        assertEquals(4, ctl.size());
        assertFalse(cmd.supports(5, 1), "between registers");
        assertTrue(cmd.supports(28, 4));
        assertTrue(cmd.supports(28, 1));
        assertEquals(STATUS_DRDY | STATUS_DSC, narrow.controlBlock().read(0, 1));
    }
}
