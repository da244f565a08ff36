package io.javisor.emulation.device.ata;

import static io.javisor.emulation.device.ata.AtaDescriptor.*;

import io.javisor.blkback.image.DiskImage;
import io.javisor.emulation.board.IrqLine;
import io.javisor.emulation.board.MmioDevice;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * An emulated ATA hard disk, PIO only, as device 0 alone on its channel, over a {@link DiskImage}:
 * the device Linux's {@code pata_of_platform} ({@code ata-generic}) drives. It shows two register
 * windows to the bus, {@link #commandBlock()} and {@link #controlBlock()}, with registers
 * {@code 1 << regShift} bytes apart, and drives one interrupt line (INTRQ, active high, to the PLIC).
 * <p>
 * <b>Threading: not thread-safe; single writer is the vCPU thread.</b> Every register access runs
 * on the vCPU thread of the machine the device is mapped on, and so does the disk IO: commands
 * execute synchronously inside the command-register write or the data-register access that ends a
 * DRQ block. BSY is therefore never seen except while SRST is held. A file-backed image blocks the
 * vCPU for the duration of its IO, which is part of what emulated IO costs. {@link #statistics()}
 * may be read from any thread.
 * <p>
 * Protocol (ATA8-ACS, PIO data-in / data-out / non-data classes):
 * <ul>
 * <li>PIO data-in (READ SECTORS/MULTIPLE (EXT), IDENTIFY DEVICE): the device loads a DRQ block (one
 * sector, or the multiple count), sets DRQ and raises INTRQ; the host reads 256 words per sector;
 * after the last word of the last block the status is DRDY with no further interrupt.</li>
 * <li>PIO data-out (WRITE SECTORS/MULTIPLE (EXT)): DRQ at once without an interrupt; after each
 * block the sectors go to the image, then INTRQ with DRQ for the next block or DRDY when done.</li>
 * <li>Non-data commands complete at once with DRDY and INTRQ.</li>
 * <li>Errors: DRDY | ERR with ABRT (unsupported command or parameter, CHS addressing, write to a
 * read-only image, READ/WRITE MULTIPLE with multiple mode off), IDNF (a range reaching past the
 * capacity or the command's address space; checked before any data moves, the LBA registers then
 * name the first bad sector), UNC (the image failed a read) or DF | ABRT (the image failed a write
 * or flush). Every error completes the command and raises INTRQ.</li>
 * <li>INTRQ is pending from the moment the device raises it until the host reads the status
 * register (not the alternate status) or writes a command; the line to the PLIC is high while it is
 * pending, nIEN is clear and device 0 is selected.</li>
 * <li>SRST (device control bit 2): while set the status reads BSY and any transfer is abandoned;
 * clearing it leaves the reset signature (count 1, LBA low 1, LBA mid/high 0, error 01h) and DRDY.
 * The multiple setting survives, as on QEMU's drive.</li>
 * <li>Device 1 does not exist: with DEV set, status and alternate status read 0, commands are
 * ignored and INTRQ is released, while the task file registers stay shared as on real hardware.</li>
 * <li>A command written during a data transfer abandons that transfer (a partially written block
 * is discarded) and then runs. Data-port accesses with DRQ clear read 0 or are ignored, and are
 * counted as spurious.</li>
 * </ul>
 */
public final class AtaDevice
{
    public static final int DEFAULT_REG_SHIFT = 2;
    public static final String DEFAULT_MODEL = "JAVISOR HARDDISK";
    public static final String FIRMWARE = "0.1";

    private static final int NONE = 0;
    private static final int DATA_IN = 1;
    private static final int DATA_OUT = 2;
    private static final int IDENTIFY = 3;
    private static final int IDLE_STATUS = STATUS_DRDY | STATUS_DSC;
    private static final int CHS_HEADS = 16;
    private static final int CHS_SECTORS = 63;
    private static final int CHS_MAX_CYLINDERS = 16383;

    private final DiskImage image;
    private final long capacity;
    private final int regShift;
    private final IrqLine irq;
    private final String model;
    private final String serial;
    private final AtaStatistics statistics = new AtaStatistics();
    private final byte[] buffer = new byte[MAX_MULTIPLE * SECTOR_SIZE];
    /** A view of {@link #buffer} for the image's IO; position and limit set before each use. */
    private final ByteBuffer bufferView = ByteBuffer.wrap(buffer);
    private final CommandBlock commandBlock = new CommandBlock();
    private final ControlBlock controlBlock = new ControlBlock();

    // Task file: current bytes and, for LBA48, the previously written ones (read back with HOB).
    private int features;
    private int featuresPrevious;
    private int count;
    private int countPrevious;
    private int lbaLow;
    private int lbaLowPrevious;
    private int lbaMid;
    private int lbaMidPrevious;
    private int lbaHigh;
    private int lbaHighPrevious;
    private int device;
    private int error = DIAGNOSTIC_PASSED;
    private int status = IDLE_STATUS;
    private int control;
    private boolean intrq;
    private boolean line;

    private int multiple = MAX_MULTIPLE;
    private int pioMode = MAX_PIO_MODE;
    private boolean writeCache = true;

    // The transfer in progress. Invariant: transfer != NONE iff status has DRQ.
    private int transfer = NONE;
    private int transferCommand;
    private long nextLba;
    /** Sectors of the command not yet fully transferred, the current block's included. */
    private long remaining;
    /** Sectors in the current DRQ block. */
    private int blockSectors;
    /** Sectors per DRQ block for the command in progress. */
    private int perBlock;
    private int position;
    private int end;

    /**
     * @param image    the disk; its size is the capacity (whole sectors), up to 2^48 sectors.
     * @param regShift register stride is {@code 1 << regShift} bytes (0..3), as the DT's {@code reg-shift}.
     * @param irq      INTRQ, active high (e.g. a PLIC source).
     * @param model    at most 40 ASCII characters for IDENTIFY words 27-46, or null for the default.
     * @param serial   at most 20 ASCII characters for words 10-19, or null to derive one from the image.
     */
    public AtaDevice(final DiskImage image, final int regShift, final IrqLine irq, final String model, final String serial)
    {
        if (regShift < 0 || regShift > 3)
        {
            throw new IllegalArgumentException("reg-shift must be 0..3, got " + regShift);
        }
        this.image = image;
        this.capacity = Math.min(image.sectors(), LBA48_LIMIT - 1);
        this.regShift = regShift;
        this.irq = irq;
        this.model = checkAscii("model", model == null ? DEFAULT_MODEL : model, ID_MODEL_WORDS * 2);
        this.serial = checkAscii("serial", serial == null ?
            "JV" + Long.toHexString(image.description().hashCode() & 0xFFFF_FFFFL).toUpperCase() : serial,
            ID_SERIAL_WORDS * 2);
        setSignature();
    }

    public AtaDevice(final DiskImage image, final IrqLine irq)
    {
        this(image, DEFAULT_REG_SHIFT, irq, null, null);
    }

    private static String checkAscii(final String what, final String text, final int max)
    {
        if (text.length() > max || !StandardCharsets.US_ASCII.newEncoder().canEncode(text))
        {
            throw new IllegalArgumentException("ATA " + what + " must be at most " + max + " ASCII characters: " + text);
        }
        return text;
    }

    /** The command block window (8 registers): map it at the DT's first {@code reg}. */
    public MmioDevice commandBlock()
    {
        return commandBlock;
    }

    /** The control block window (alternate status / device control): the DT's second {@code reg}. */
    public MmioDevice controlBlock()
    {
        return controlBlock;
    }

    public AtaStatistics statistics()
    {
        return statistics;
    }

    public int regShift()
    {
        return regShift;
    }

    /** Capacity in 512-byte sectors. */
    public long capacity()
    {
        return capacity;
    }

    public DiskImage image()
    {
        return image;
    }

    /** The level of the interrupt line, as last driven. */
    public boolean interruptLine()
    {
        return line;
    }

    /** The current READ/WRITE MULTIPLE block size, 0 when multiple mode is off. */
    public int multipleSetting()
    {
        return multiple;
    }

    /** The PIO mode last chosen with SET FEATURES. */
    public int pioMode()
    {
        return pioMode;
    }

    // ---------------------------------------------------------------------------------------------
    // Register windows.
    // ---------------------------------------------------------------------------------------------

    private final class CommandBlock implements MmioDevice
    {
        @Override
        public long size()
        {
            return (long)COMMAND_BLOCK_REGISTERS << regShift;
        }

        @Override
        public boolean supports(final long offset, final int size)
        {
            if ((offset & ((1L << regShift) - 1)) != 0)
            {
                return false;
            }
            if (offset == 0)
            {
                return size == 2 || size == 4;
            }
            return size == 1 || size <= 1 << regShift;
        }

        @Override
        public long read(final long offset, final int size)
        {
            statistics.increment(AtaStatistics.REGISTER_READS);
            return readCommandBlock((int)(offset >>> regShift), size);
        }

        @Override
        public void write(final long offset, final int size, final long value)
        {
            statistics.increment(AtaStatistics.REGISTER_WRITES);
            writeCommandBlock((int)(offset >>> regShift), size, value);
        }
    }

    private final class ControlBlock implements MmioDevice
    {
        @Override
        public long size()
        {
            return (long)CONTROL_BLOCK_REGISTERS << regShift;
        }

        @Override
        public boolean supports(final long offset, final int size)
        {
            return offset == 0 && (size == 1 || size <= 1 << regShift);
        }

        @Override
        public long read(final long offset, final int size)
        {
            statistics.increment(AtaStatistics.REGISTER_READS);
            return currentStatus();
        }

        @Override
        public void write(final long offset, final int size, final long value)
        {
            statistics.increment(AtaStatistics.REGISTER_WRITES);
            writeDeviceControl((int)value & 0xFF);
        }
    }

    private boolean device1Selected()
    {
        return (device & DEVICE_DEV1) != 0;
    }

    private boolean inReset()
    {
        return (control & CONTROL_SRST) != 0;
    }

    private int currentStatus()
    {
        if (inReset())
        {
            return STATUS_BSY;
        }
        return device1Selected() ? 0 : status;
    }

    private long readCommandBlock(final int register, final int size)
    {
        final boolean hob = (control & CONTROL_HOB) != 0;
        return switch (register)
        {
            case DATA -> readData(size);
            case ERROR_FEATURES -> error;
            case SECTOR_COUNT -> hob ? countPrevious : count;
            case LBA_LOW -> hob ? lbaLowPrevious : lbaLow;
            case LBA_MID -> hob ? lbaMidPrevious : lbaMid;
            case LBA_HIGH -> hob ? lbaHighPrevious : lbaHigh;
            case DEVICE -> device;
            default ->
            {
                final int s = currentStatus();
                // Reading the status register acknowledges INTRQ (the alternate status does not).
                if (!device1Selected() && !inReset())
                {
                    intrq = false;
                    updateLine();
                }
                yield s;
            }
        };
    }

    private void writeCommandBlock(final int register, final int size, final long value)
    {
        final int v = (int)value & 0xFF;
        if (register != DATA && register != STATUS_COMMAND)
        {
            control &= ~CONTROL_HOB; // a task-file write clears HOB
        }
        switch (register)
        {
            case DATA -> writeData(size, value);
            case ERROR_FEATURES ->
            {
                featuresPrevious = features;
                features = v;
            }
            case SECTOR_COUNT ->
            {
                countPrevious = count;
                count = v;
            }
            case LBA_LOW ->
            {
                lbaLowPrevious = lbaLow;
                lbaLow = v;
            }
            case LBA_MID ->
            {
                lbaMidPrevious = lbaMid;
                lbaMid = v;
            }
            case LBA_HIGH ->
            {
                lbaHighPrevious = lbaHigh;
                lbaHigh = v;
            }
            case DEVICE ->
            {
                device = v;
                updateLine();
            }
            default -> command(v);
        }
    }

    private void writeDeviceControl(final int value)
    {
        final boolean wasReset = inReset();
        control = value & (CONTROL_NIEN | CONTROL_SRST | CONTROL_HOB);
        if (!wasReset && inReset())
        {
            abandonTransfer();
            intrq = false;
            statistics.increment(AtaStatistics.RESETS);
        }
        else if (wasReset && !inReset())
        {
            setSignature();
            status = IDLE_STATUS;
        }
        updateLine();
    }

    // ---------------------------------------------------------------------------------------------
    // Data port.
    // ---------------------------------------------------------------------------------------------

    private long readData(final int size)
    {
        statistics.increment(AtaStatistics.DATA_ACCESSES);
        if ((transfer != DATA_IN && transfer != IDENTIFY) || device1Selected() || inReset())
        {
            statistics.increment(AtaStatistics.SPURIOUS_DATA);
            return 0;
        }
        // The block is a whole number of sectors, so a 4-byte access never straddles its end.
        long value = (buffer[position] & 0xFF) | (buffer[position + 1] & 0xFF) << 8;
        position += 2;
        if (size == 4 && position < end)
        {
            value |= ((long)(buffer[position] & 0xFF) | (buffer[position + 1] & 0xFF) << 8) << 16;
            position += 2;
        }
        if (position >= end)
        {
            dataInBlockDone();
        }
        return value;
    }

    private void writeData(final int size, final long value)
    {
        statistics.increment(AtaStatistics.DATA_ACCESSES);
        if (transfer != DATA_OUT || device1Selected() || inReset())
        {
            statistics.increment(AtaStatistics.SPURIOUS_DATA);
            return;
        }
        buffer[position] = (byte)value;
        buffer[position + 1] = (byte)(value >>> 8);
        position += 2;
        if (size == 4 && position < end)
        {
            buffer[position] = (byte)(value >>> 16);
            buffer[position + 1] = (byte)(value >>> 24);
            position += 2;
        }
        if (position >= end)
        {
            dataOutBlockDone();
        }
    }

    private void dataInBlockDone()
    {
        if (transfer == IDENTIFY)
        {
            endTransfer();
            return;
        }
        nextLba += blockSectors;
        remaining -= blockSectors;
        if (remaining > 0)
        {
            loadReadBlock();
        }
        else
        {
            endTransfer();
            statistics.increment(AtaStatistics.READS);
        }
    }

    private void dataOutBlockDone()
    {
        bufferView.limit(blockSectors * SECTOR_SIZE).position(0);
        final int rc = image.write(nextLba * SECTOR_SIZE, bufferView);
        if (rc != DiskImage.OK)
        {
            transfer = NONE;
            setLbaRegisters(nextLba, isExt(transferCommand));
            fail(rc == DiskImage.E_ROFS ? 0 : STATUS_DF, rc == DiskImage.E_RANGE ? ERROR_IDNF : ERROR_ABRT);
            return;
        }
        statistics.add(AtaStatistics.SECTORS_WRITTEN, blockSectors);
        nextLba += blockSectors;
        remaining -= blockSectors;
        if (remaining > 0)
        {
            startBlock(DATA_OUT);
        }
        else
        {
            endTransfer();
            statistics.increment(AtaStatistics.WRITES);
        }
        raise();
    }

    private void endTransfer()
    {
        transfer = NONE;
        status = IDLE_STATUS;
    }

    private void abandonTransfer()
    {
        if (transfer != NONE)
        {
            statistics.increment(AtaStatistics.ABORTED_TRANSFERS);
            transfer = NONE;
            status = IDLE_STATUS;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Commands.
    // ---------------------------------------------------------------------------------------------

    private void command(final int command)
    {
        if (inReset() || device1Selected())
        {
            return; // device 0 ignores commands meant for device 1, and everything while in reset
        }
        abandonTransfer();
        intrq = false; // writing the command register acknowledges INTRQ
        updateLine();
        statistics.increment(AtaStatistics.COMMANDS);
        transferCommand = command;
        error = 0;
        status = IDLE_STATUS;
        switch (command)
        {
            case CMD_READ_SECTORS, CMD_READ_SECTORS_EXT, CMD_READ_MULTIPLE, CMD_READ_MULTIPLE_EXT -> startRead(command);
            case CMD_WRITE_SECTORS, CMD_WRITE_SECTORS_EXT, CMD_WRITE_MULTIPLE, CMD_WRITE_MULTIPLE_EXT ->
                startWrite(command);
            case CMD_READ_VERIFY, CMD_READ_VERIFY_EXT -> verify(command == CMD_READ_VERIFY_EXT);
            case CMD_IDENTIFY_DEVICE -> identify();
            case CMD_SET_MULTIPLE_MODE -> setMultipleMode();
            case CMD_SET_FEATURES -> setFeatures();
            case CMD_FLUSH_CACHE, CMD_FLUSH_CACHE_EXT -> flush();
            case CMD_EXECUTE_DIAGNOSTIC ->
            {
                statistics.increment(AtaStatistics.RESETS);
                setSignature();
                raise();
            }
            case CMD_INITIALIZE_DEVICE_PARAMETERS, CMD_STANDBY_IMMEDIATE, CMD_IDLE_IMMEDIATE, CMD_STANDBY, CMD_IDLE ->
                raise();
            case CMD_CHECK_POWER_MODE ->
            {
                count = 0xFF; // active or idle
                raise();
            }
            default -> fail(0, ERROR_ABRT); // NOP included: it always aborts
        }
    }

    private static boolean isExt(final int command)
    {
        return command == CMD_READ_SECTORS_EXT || command == CMD_READ_MULTIPLE_EXT ||
            command == CMD_WRITE_SECTORS_EXT || command == CMD_WRITE_MULTIPLE_EXT || command == CMD_READ_VERIFY_EXT;
    }

    private static boolean isMultiple(final int command)
    {
        return command == CMD_READ_MULTIPLE || command == CMD_READ_MULTIPLE_EXT ||
            command == CMD_WRITE_MULTIPLE || command == CMD_WRITE_MULTIPLE_EXT;
    }

    /**
     * Decodes the command's range into {@link #nextLba}/{@link #remaining}; on a bad range it fails
     * the command (ABRT for CHS addressing, IDNF past the end) and returns false.
     */
    private boolean decodeRange(final boolean ext)
    {
        if ((device & DEVICE_LBA) == 0)
        {
            fail(0, ERROR_ABRT); // CHS addressing is not supported
            return false;
        }
        final long lba;
        final long sectors;
        final long limit;
        if (ext)
        {
            lba = (long)lbaHighPrevious << 40 | (long)lbaMidPrevious << 32 | (long)lbaLowPrevious << 24 |
                lbaHigh << 16 | lbaMid << 8 | lbaLow;
            final int n = countPrevious << 8 | count;
            sectors = n == 0 ? 65536 : n;
            limit = LBA48_LIMIT;
        }
        else
        {
            lba = (long)(device & DEVICE_LBA_HEAD_MASK) << 24 | lbaHigh << 16 | lbaMid << 8 | lbaLow;
            sectors = count == 0 ? 256 : count;
            limit = LBA28_LIMIT;
        }
        // lba < 2^48 and sectors <= 65536: no overflow.
        if (lba + sectors > capacity || lba + sectors > limit)
        {
            setLbaRegisters(Math.max(lba, Math.min(capacity, limit - 1)), ext);
            fail(0, ERROR_IDNF);
            return false;
        }
        nextLba = lba;
        remaining = sectors;
        return true;
    }

    private boolean checkMultiple(final int command)
    {
        if (isMultiple(command))
        {
            if (multiple == 0)
            {
                fail(0, ERROR_ABRT);
                return false;
            }
            perBlock = multiple;
        }
        else
        {
            perBlock = 1;
        }
        return true;
    }

    private void startRead(final int command)
    {
        if (!checkMultiple(command) || !decodeRange(isExt(command)))
        {
            return;
        }
        loadReadBlock();
    }

    /** Reads the next DRQ block from the image and offers it (DRQ + INTRQ), or fails with UNC. */
    private void loadReadBlock()
    {
        blockSectors = (int)Math.min(remaining, perBlock);
        bufferView.limit(blockSectors * SECTOR_SIZE).position(0);
        final int rc = image.read(nextLba * SECTOR_SIZE, bufferView);
        if (rc != DiskImage.OK)
        {
            transfer = NONE;
            setLbaRegisters(nextLba, isExt(transferCommand));
            fail(0, rc == DiskImage.E_RANGE ? ERROR_IDNF : ERROR_UNC);
            return;
        }
        statistics.add(AtaStatistics.SECTORS_READ, blockSectors);
        startBlock(DATA_IN);
        raise();
    }

    private void startWrite(final int command)
    {
        if (!checkMultiple(command) || !decodeRange(isExt(command)))
        {
            return;
        }
        if (image.isReadOnly())
        {
            fail(0, ERROR_ABRT);
            return;
        }
        blockSectors = (int)Math.min(remaining, perBlock);
        startBlock(DATA_OUT); // the first block of a PIO data-out command comes without an interrupt
    }

    private void startBlock(final int direction)
    {
        if (direction == DATA_OUT)
        {
            blockSectors = (int)Math.min(remaining, perBlock);
        }
        transfer = direction;
        position = 0;
        end = blockSectors * SECTOR_SIZE;
        status = STATUS_DRDY | STATUS_DSC | STATUS_DRQ;
    }

    private void verify(final boolean ext)
    {
        if (decodeRange(ext))
        {
            raise();
        }
    }

    private void flush()
    {
        final int rc = image.flush();
        if (rc != DiskImage.OK)
        {
            fail(STATUS_DF, ERROR_ABRT);
            return;
        }
        statistics.increment(AtaStatistics.FLUSHES);
        raise();
    }

    private void setMultipleMode()
    {
        final int n = count;
        if (n != 0 && (n > MAX_MULTIPLE || Integer.bitCount(n) != 1))
        {
            fail(0, ERROR_ABRT);
            return;
        }
        multiple = n;
        raise();
    }

    private void setFeatures()
    {
        switch (features)
        {
            case FEATURE_SET_TRANSFER_MODE ->
            {
                final int mode = count;
                if (mode == XFER_PIO_DEFAULT || mode == XFER_PIO_DEFAULT + 1)
                {
                    pioMode = MAX_PIO_MODE;
                }
                else if ((mode & ~7) == XFER_PIO_FLOW_CONTROL && (mode & 7) <= MAX_PIO_MODE)
                {
                    pioMode = mode & 7;
                }
                else
                {
                    fail(0, ERROR_ABRT); // DMA modes and anything else
                    return;
                }
            }
            case FEATURE_ENABLE_WRITE_CACHE -> writeCache = true;
            case FEATURE_DISABLE_WRITE_CACHE -> writeCache = false;
            case FEATURE_DISABLE_REVERTING, FEATURE_ENABLE_REVERTING ->
            {
                // accepted; nothing reverts on reset here anyway
            }
            default ->
            {
                fail(0, ERROR_ABRT);
                return;
            }
        }
        raise();
    }

    private void identify()
    {
        final short[] words = identifyWords();
        for (int i = 0; i < ID_WORDS; i++)
        {
            buffer[2 * i] = (byte)words[i];
            buffer[2 * i + 1] = (byte)(words[i] >>> 8);
        }
        blockSectors = 1;
        transfer = IDENTIFY;
        position = 0;
        end = SECTOR_SIZE;
        status = STATUS_DRDY | STATUS_DSC | STATUS_DRQ;
        raise();
    }

    /** The 256 IDENTIFY DEVICE words for the current settings, the integrity word included. */
    short[] identifyWords()
    {
        final short[] w = new short[ID_WORDS];
        final long chsCylinders = Math.min(CHS_MAX_CYLINDERS, capacity / (CHS_HEADS * CHS_SECTORS));
        final long lba28 = Math.min(capacity, LBA28_LIMIT - 1);
        w[ID_GENERAL_CONFIG] = 0x0040; // ATA device, fixed
        w[ID_CYLINDERS] = (short)chsCylinders;
        w[ID_HEADS] = CHS_HEADS;
        w[ID_SECTORS_PER_TRACK] = CHS_SECTORS;
        putString(w, ID_SERIAL, ID_SERIAL_WORDS, serial);
        putString(w, ID_FIRMWARE, ID_FIRMWARE_WORDS, FIRMWARE);
        putString(w, ID_MODEL, ID_MODEL_WORDS, model);
        w[ID_MAX_MULTIPLE] = (short)(0x8000 | MAX_MULTIPLE);
        w[ID_CAPABILITIES] = (short)(CAP_LBA | CAP_IORDY);
        w[ID_CAPABILITIES_2] = 0x4000;
        w[ID_OLD_PIO_MODE] = 0x0200;
        w[ID_FIELD_VALID] = 0x0007; // words 54-58, 64-70 and 88 are valid
        w[ID_CURRENT_CYLINDERS] = (short)chsCylinders;
        w[ID_CURRENT_HEADS] = CHS_HEADS;
        w[ID_CURRENT_SECTORS] = CHS_SECTORS;
        final long chsCapacity = chsCylinders * CHS_HEADS * CHS_SECTORS;
        w[ID_CURRENT_CAPACITY] = (short)chsCapacity;
        w[ID_CURRENT_CAPACITY + 1] = (short)(chsCapacity >>> 16);
        w[ID_MULTIPLE_SETTING] = (short)(multiple == 0 ? 0 : 0x0100 | multiple);
        w[ID_LBA28_CAPACITY] = (short)lba28;
        w[ID_LBA28_CAPACITY + 1] = (short)(lba28 >>> 16);
        w[ID_MWDMA] = 0;
        w[ID_PIO_MODES] = 0x0003; // PIO 3 and 4
        w[ID_MIN_MWDMA_CYCLE] = 120;
        w[ID_REC_MWDMA_CYCLE] = 120;
        w[ID_MIN_PIO_CYCLE] = 120;
        w[ID_MIN_PIO_IORDY_CYCLE] = 120;
        w[ID_MAJOR_VERSION] = 0x01F0; // ATA/ATAPI-4 to ATA8-ACS
        w[ID_COMMAND_SET_1] = (short)(COMMAND_SET_1_WRITE_CACHE);
        w[ID_COMMAND_SET_2] = (short)(COMMAND_SET_VALID | COMMAND_SET_2_LBA48 | COMMAND_SET_2_FLUSH |
            COMMAND_SET_2_FLUSH_EXT);
        w[ID_COMMAND_SET_EXT] = (short)COMMAND_SET_VALID;
        w[ID_ENABLED_1] = (short)(writeCache ? COMMAND_SET_1_WRITE_CACHE : 0);
        w[ID_ENABLED_2] = (short)(COMMAND_SET_2_LBA48 | COMMAND_SET_2_FLUSH | COMMAND_SET_2_FLUSH_EXT);
        w[ID_ENABLED_DEFAULT] = (short)COMMAND_SET_VALID;
        w[ID_UDMA] = 0;
        for (int i = 0; i < 4; i++)
        {
            w[ID_LBA48_CAPACITY + i] = (short)(capacity >>> (16 * i));
        }
        w[ID_SECTOR_SIZE] = 0x4000; // valid, one logical sector per physical, 512 bytes
        int sum = 0xA5;
        for (int i = 0; i < ID_INTEGRITY; i++)
        {
            sum += (w[i] & 0xFF) + ((w[i] >>> 8) & 0xFF);
        }
        w[ID_INTEGRITY] = (short)(0xA5 | ((-sum) & 0xFF) << 8);
        return w;
    }

    /** ATA strings: space padded, two characters a word, the first in the high byte. */
    private static void putString(final short[] words, final int at, final int wordCount, final String text)
    {
        for (int i = 0; i < wordCount; i++)
        {
            final int hi = 2 * i < text.length() ? text.charAt(2 * i) : ' ';
            final int lo = 2 * i + 1 < text.length() ? text.charAt(2 * i + 1) : ' ';
            words[at + i] = (short)(hi << 8 | lo);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Status, errors and INTRQ.
    // ---------------------------------------------------------------------------------------------

    private void fail(final int extraStatus, final int errorBits)
    {
        transfer = NONE;
        error = errorBits;
        status = STATUS_DRDY | STATUS_ERR | extraStatus;
        statistics.increment(AtaStatistics.ERRORS);
        raise();
    }

    private void setLbaRegisters(final long lba, final boolean ext)
    {
        lbaLow = (int)lba & 0xFF;
        lbaMid = (int)(lba >>> 8) & 0xFF;
        lbaHigh = (int)(lba >>> 16) & 0xFF;
        if (ext)
        {
            lbaLowPrevious = (int)(lba >>> 24) & 0xFF;
            lbaMidPrevious = (int)(lba >>> 32) & 0xFF;
            lbaHighPrevious = (int)(lba >>> 40) & 0xFF;
        }
        else
        {
            device = (device & ~DEVICE_LBA_HEAD_MASK) | (int)(lba >>> 24) & DEVICE_LBA_HEAD_MASK;
        }
    }

    /** The register values a reset or EXECUTE DEVICE DIAGNOSTIC leaves: an ATA device, passed. */
    private void setSignature()
    {
        count = 1;
        lbaLow = 1;
        lbaMid = 0;
        lbaHigh = 0;
        countPrevious = lbaLowPrevious = lbaMidPrevious = lbaHighPrevious = 0;
        device = 0;
        error = DIAGNOSTIC_PASSED;
    }

    private void raise()
    {
        intrq = true;
        updateLine();
    }

    private void updateLine()
    {
        final boolean level = intrq && (control & CONTROL_NIEN) == 0 && !device1Selected();
        if (level != line)
        {
            line = level;
            if (level)
            {
                statistics.increment(AtaStatistics.INTERRUPTS);
            }
            irq.set(level);
        }
    }
}
