package io.javisor.emulation.guests;

/**
 * Layout of the job the disk-io guests run ({@code emulation/guests/src/disk-io.c}): a header of
 * {@link #HEADER_LENGTH} bytes at the guest's {@code __heap_start}, then one record of
 * {@link #RECORD_LENGTH} bytes per request, all little-endian. The host writes the inputs (magic,
 * version, count, warm-up, flags, depth; per record sector, due and op); the guest writes the rest.
 * Constants only.
 */
public final class DiskIoJobDescriptor
{
    /** The ELF symbol the job is placed at: the first page past the image (stack included). */
    public static final String SYMBOL = "__heap_start";
    public static final long MAGIC = 0x314A_4F49_4B53_4944L; // "DISKIOJ1"
    public static final long DONE_MAGIC = 0x454E_4F44_4F49_4B44L; // "DKIODONE"
    public static final int VERSION = 1;

    public static final int HEADER_LENGTH = 128;
    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = 8;
    public static final int COUNT_OFFSET = 12;
    public static final int WARMUP_OFFSET = 16;
    public static final int FLAGS_OFFSET = 20;
    public static final int DONE_OFFSET = 24;
    public static final int T_BASE_OFFSET = 32;
    public static final int EXITS_OFFSET = 40;
    public static final int INTERRUPTS_OFFSET = 48;
    public static final int SECTORS_OFFSET = 56;
    public static final int FAILED_OFFSET = 64;
    /** Timed requests in flight at once: 0 or 1 one at a time, up to {@link #MAX_DEPTH} (host). */
    public static final int DEPTH_OFFSET = 68;
    /** The deepest queue the guests run (their {@code DISK_MAX_DEPTH}); a driver may offer less. */
    public static final int MAX_DEPTH = 32;

    public static final int RECORD_LENGTH = 48;
    public static final int SECTOR_OFFSET = 0;
    public static final int DUE_OFFSET = 8;
    public static final int OP_OFFSET = 16;
    public static final int STATUS_OFFSET = 20;
    public static final int START_OFFSET = 24;
    public static final int END_OFFSET = 32;
    public static final int INSTRUCTIONS_OFFSET = 40;

    /** Interrupt-driven driver (else polled). */
    public static final int FLAG_INTERRUPTS = 1;
    /** Open loop: each timed request waits for its due time (else starts when the one before ended). */
    public static final int FLAG_OPEN_LOOP = 2;
    /** The guest prints the timed records on its console (for a board whose RAM the host cannot read). */
    public static final int FLAG_PRINT = 4;
    /** Every read is checked against the pattern the host filled the disk with. */
    public static final int FLAG_VERIFY = 8;

    public static final int OP_READ = 0;
    public static final int OP_WRITE = 1;
    /** Status: the driver reported an error. */
    public static final int STATUS_FAILED = 1;
    /** Status: a read returned other data than the pattern. */
    public static final int STATUS_WRONG_DATA = 2;

    /** Every request moves one 4 KiB block: 8 sectors at a sector that is a multiple of 8. */
    public static final int BLOCK_BYTES = 4096;
    public static final int SECTORS_PER_BLOCK = 8;

    private DiskIoJobDescriptor()
    {
    }

    /** Bytes a job of {@code count} requests takes. */
    public static long length(final int count)
    {
        return HEADER_LENGTH + (long)count * RECORD_LENGTH;
    }

    /**
     * The data word {@code word} (0..1023) of 4 KiB block {@code block} as the guest writes and checks it:
     * the host fills a disk with it for a job with {@link #FLAG_VERIFY}.
     */
    public static int pattern(final long block, final int word)
    {
        return (int)block * 0x9E37_79B9 ^ (word * 0x85EB_CA6B + 0x5A5A_5A5A) ^ (int)(block >>> 32);
    }
}
