package io.javisor.emulation.device.ata;

/**
 * Register layout, bits, commands and IDENTIFY DEVICE words of a PIO ATA device as Linux's
 * {@code pata_of_platform} drives it (ATA/ATAPI-8 ACS and ATA8-APT). Register numbers are indices;
 * a register's byte offset in its window is {@code index << regShift}.
 */
public final class AtaDescriptor
{
    // Command block registers (index; offset = index << regShift).
    /** 16-bit data port; a 32-bit access moves two words (32-bit PIO). */
    public static final int DATA = 0;
    /** Read: error; write: features. */
    public static final int ERROR_FEATURES = 1;
    public static final int SECTOR_COUNT = 2;
    public static final int LBA_LOW = 3;
    public static final int LBA_MID = 4;
    public static final int LBA_HIGH = 5;
    /** Bit 6: LBA addressing, bit 4: device 1; bits 3-0: LBA 27-24 in LBA28 commands. */
    public static final int DEVICE = 6;
    /** Read: status (acknowledges INTRQ); write: command. */
    public static final int STATUS_COMMAND = 7;
    public static final int COMMAND_BLOCK_REGISTERS = 8;

    // Control block register (index 0 of the second window).
    /** Read: alternate status (does not acknowledge INTRQ); write: device control. */
    public static final int ALT_STATUS_DEVICE_CONTROL = 0;
    public static final int CONTROL_BLOCK_REGISTERS = 1;

    // Status bits.
    public static final int STATUS_BSY = 0x80;
    public static final int STATUS_DRDY = 0x40;
    public static final int STATUS_DF = 0x20;
    /** Seek complete (DSC) in older standards; drives still report it with DRDY. */
    public static final int STATUS_DSC = 0x10;
    public static final int STATUS_DRQ = 0x08;
    public static final int STATUS_ERR = 0x01;

    // Error bits.
    public static final int ERROR_AMNF = 0x01;
    public static final int ERROR_ABRT = 0x04;
    public static final int ERROR_IDNF = 0x10;
    public static final int ERROR_UNC = 0x40;
    /** The error register after reset or EXECUTE DEVICE DIAGNOSTIC: device 0 passed, no device 1. */
    public static final int DIAGNOSTIC_PASSED = 0x01;

    // Device register bits.
    public static final int DEVICE_LBA = 0x40;
    public static final int DEVICE_DEV1 = 0x10;
    public static final int DEVICE_LBA_HEAD_MASK = 0x0F;

    // Device control bits.
    public static final int CONTROL_NIEN = 0x02;
    public static final int CONTROL_SRST = 0x04;
    /** High order byte: reads of the task file return the previously written (LBA48) bytes. */
    public static final int CONTROL_HOB = 0x80;

    // Commands.
    public static final int CMD_NOP = 0x00;
    public static final int CMD_READ_SECTORS = 0x20;
    public static final int CMD_READ_SECTORS_EXT = 0x24;
    public static final int CMD_READ_MULTIPLE_EXT = 0x29;
    public static final int CMD_WRITE_SECTORS = 0x30;
    public static final int CMD_WRITE_SECTORS_EXT = 0x34;
    public static final int CMD_WRITE_MULTIPLE_EXT = 0x39;
    public static final int CMD_READ_VERIFY = 0x40;
    public static final int CMD_READ_VERIFY_EXT = 0x42;
    public static final int CMD_EXECUTE_DIAGNOSTIC = 0x90;
    public static final int CMD_INITIALIZE_DEVICE_PARAMETERS = 0x91;
    public static final int CMD_READ_MULTIPLE = 0xC4;
    public static final int CMD_WRITE_MULTIPLE = 0xC5;
    public static final int CMD_SET_MULTIPLE_MODE = 0xC6;
    public static final int CMD_STANDBY_IMMEDIATE = 0xE0;
    public static final int CMD_IDLE_IMMEDIATE = 0xE1;
    public static final int CMD_STANDBY = 0xE2;
    public static final int CMD_IDLE = 0xE3;
    public static final int CMD_CHECK_POWER_MODE = 0xE5;
    public static final int CMD_FLUSH_CACHE = 0xE7;
    public static final int CMD_IDENTIFY_DEVICE = 0xEC;
    public static final int CMD_FLUSH_CACHE_EXT = 0xEA;
    public static final int CMD_SET_FEATURES = 0xEF;

    // SET FEATURES subcommands (features register) and transfer modes (sector count).
    public static final int FEATURE_ENABLE_WRITE_CACHE = 0x02;
    public static final int FEATURE_SET_TRANSFER_MODE = 0x03;
    public static final int FEATURE_DISABLE_WRITE_CACHE = 0x82;
    public static final int FEATURE_DISABLE_REVERTING = 0x66;
    public static final int FEATURE_ENABLE_REVERTING = 0xCC;
    /** Transfer mode 0x00 (PIO default) or 0x01 (PIO default, IORDY off). */
    public static final int XFER_PIO_DEFAULT = 0x00;
    /** Transfer mode 0x08 | n: PIO flow control mode n. */
    public static final int XFER_PIO_FLOW_CONTROL = 0x08;

    // IDENTIFY DEVICE words.
    public static final int ID_WORDS = 256;
    public static final int ID_GENERAL_CONFIG = 0;
    public static final int ID_CYLINDERS = 1;
    public static final int ID_HEADS = 3;
    public static final int ID_SECTORS_PER_TRACK = 6;
    public static final int ID_SERIAL = 10;
    public static final int ID_SERIAL_WORDS = 10;
    public static final int ID_FIRMWARE = 23;
    public static final int ID_FIRMWARE_WORDS = 4;
    public static final int ID_MODEL = 27;
    public static final int ID_MODEL_WORDS = 20;
    /** 0x8000 | the most sectors per DRQ block of READ/WRITE MULTIPLE. */
    public static final int ID_MAX_MULTIPLE = 47;
    public static final int ID_CAPABILITIES = 49;
    public static final int ID_CAPABILITIES_2 = 50;
    public static final int ID_OLD_PIO_MODE = 51;
    public static final int ID_FIELD_VALID = 53;
    public static final int ID_CURRENT_CYLINDERS = 54;
    public static final int ID_CURRENT_HEADS = 55;
    public static final int ID_CURRENT_SECTORS = 56;
    public static final int ID_CURRENT_CAPACITY = 57;
    /** Bit 8: the low byte holds the current multiple setting. */
    public static final int ID_MULTIPLE_SETTING = 59;
    public static final int ID_LBA28_CAPACITY = 60;
    public static final int ID_MWDMA = 63;
    /** Advanced PIO modes: bit 0 PIO 3, bit 1 PIO 4. */
    public static final int ID_PIO_MODES = 64;
    public static final int ID_MIN_MWDMA_CYCLE = 65;
    public static final int ID_REC_MWDMA_CYCLE = 66;
    public static final int ID_MIN_PIO_CYCLE = 67;
    public static final int ID_MIN_PIO_IORDY_CYCLE = 68;
    public static final int ID_MAJOR_VERSION = 80;
    public static final int ID_MINOR_VERSION = 81;
    public static final int ID_COMMAND_SET_1 = 82;
    public static final int ID_COMMAND_SET_2 = 83;
    public static final int ID_COMMAND_SET_EXT = 84;
    public static final int ID_ENABLED_1 = 85;
    public static final int ID_ENABLED_2 = 86;
    public static final int ID_ENABLED_DEFAULT = 87;
    public static final int ID_UDMA = 88;
    public static final int ID_LBA48_CAPACITY = 100;
    public static final int ID_SECTOR_SIZE = 106;
    /** Low byte 0xA5, high byte the checksum that makes the 512 bytes sum to 0 mod 256. */
    public static final int ID_INTEGRITY = 255;

    public static final int CAP_LBA = 1 << 9;
    public static final int CAP_IORDY = 1 << 11;
    public static final int COMMAND_SET_VALID = 1 << 14;
    public static final int COMMAND_SET_2_LBA48 = 1 << 10;
    public static final int COMMAND_SET_2_FLUSH = 1 << 12;
    public static final int COMMAND_SET_2_FLUSH_EXT = 1 << 13;
    public static final int COMMAND_SET_1_WRITE_CACHE = 1 << 5;

    public static final int SECTOR_SIZE = 512;
    public static final int WORDS_PER_SECTOR = SECTOR_SIZE / 2;
    /** The largest LBA28 address + 1 (and the capacity LBA28 reports at most). */
    public static final long LBA28_LIMIT = 1L << 28;
    public static final long LBA48_LIMIT = 1L << 48;
    /** Sectors per DRQ block that SET MULTIPLE MODE may choose, at most (a power of two). */
    public static final int MAX_MULTIPLE = 16;
    /** The fastest PIO mode the device claims. */
    public static final int MAX_PIO_MODE = 4;

    private AtaDescriptor()
    {
    }

    /** @return the byte offset of register {@code index} in a window with stride {@code 1 << regShift}. */
    public static long offset(final int index, final int regShift)
    {
        return (long)index << regShift;
    }
}
