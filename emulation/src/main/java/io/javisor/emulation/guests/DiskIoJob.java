package io.javisor.emulation.guests;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

import static io.javisor.emulation.guests.DiskIoJobDescriptor.*;

/**
 * One job for the disk-io guests: the requests in order (op, sector, due time in guest ticks after
 * the timed part began), how many lead as an untimed warm-up, and the flags; {@link #encode()}
 * gives the bytes to place at the guest's {@link DiskIoJobDescriptor#SYMBOL}. Immutable.
 */
public final class DiskIoJob
{
    private final int[] ops;
    private final long[] sectors;
    private final long[] due;
    private final int warmup;
    private final int flags;
    private final int depth;

    /**
     * @param ops     {@link DiskIoJobDescriptor#OP_READ} or {@link DiskIoJobDescriptor#OP_WRITE} per request
     * @param sectors each request's first sector, a multiple of 8 (4 KiB blocks)
     * @param due     each request's due time in guest ticks after the timed part began (used with
     *                {@link DiskIoJobDescriptor#FLAG_OPEN_LOOP}); non-decreasing over the timed requests
     * @param warmup  how many leading requests are an untimed warm-up
     * @param flags   {@code FLAG_*} of {@link DiskIoJobDescriptor}
     * @throws IllegalArgumentException naming the first bad input
     */
    public DiskIoJob(final int[] ops, final long[] sectors, final long[] due, final int warmup, final int flags)
    {
        this(ops, sectors, due, warmup, flags, 1);
    }

    /**
     * As the five-argument constructor, with the timed requests run {@code depth} at a time in a
     * closed loop (1: one at a time, as the others).
     *
     * @throws IllegalArgumentException naming the first bad input, a depth outside 1..{@link DiskIoJobDescriptor#MAX_DEPTH} included
     */
    public DiskIoJob(final int[] ops, final long[] sectors, final long[] due, final int warmup, final int flags, final int depth)
    {
        if (depth < 1 || depth > MAX_DEPTH)
        {
            throw new IllegalArgumentException("queue depth " + depth + " is outside 1.." + MAX_DEPTH);
        }
        if (ops.length != sectors.length || ops.length != due.length)
        {
            throw new IllegalArgumentException("ops, sectors and due times differ in length: " + ops.length + ", " +
                sectors.length + ", " + due.length);
        }
        if (warmup < 0 || warmup > ops.length)
        {
            throw new IllegalArgumentException("warm-up " + warmup + " is not within the " + ops.length + " requests");
        }
        if ((flags & ~(FLAG_INTERRUPTS | FLAG_OPEN_LOOP | FLAG_PRINT | FLAG_VERIFY)) != 0)
        {
            throw new IllegalArgumentException("unknown job flags 0x" + Integer.toHexString(flags));
        }
        for (int i = 0; i < ops.length; i++)
        {
            if (ops[i] != OP_READ && ops[i] != OP_WRITE)
            {
                throw new IllegalArgumentException("request " + i + ": op " + ops[i] + " is neither read nor write");
            }
            if (sectors[i] < 0 || sectors[i] % SECTORS_PER_BLOCK != 0)
            {
                throw new IllegalArgumentException("request " + i + ": sector " + sectors[i] + " is not a 4 KiB block's first");
            }
            if (due[i] < 0 || (i > warmup && due[i] < due[i - 1]))
            {
                throw new IllegalArgumentException("request " + i + ": due time " + due[i] + " is negative or earlier than the one before");
            }
        }
        this.ops = ops.clone();
        this.sectors = sectors.clone();
        this.due = due.clone();
        this.warmup = warmup;
        this.flags = flags;
        this.depth = depth;
    }

    public int count()
    {
        return ops.length;
    }

    public int warmup()
    {
        return warmup;
    }

    /** Requests after the warm-up. */
    public int timed()
    {
        return ops.length - warmup;
    }

    public int flags()
    {
        return flags;
    }

    public int op(final int request)
    {
        return ops[request];
    }

    public long sector(final int request)
    {
        return sectors[request];
    }

    public long due(final int request)
    {
        return due[request];
    }

    /** Timed requests in flight at once. */
    public int depth()
    {
        return depth;
    }

    /** A copy with other flags. */
    public DiskIoJob withFlags(final int newFlags)
    {
        return new DiskIoJob(ops, sectors, due, warmup, newFlags, depth);
    }

    /** The bytes to place at the guest's {@link DiskIoJobDescriptor#SYMBOL}: header and records, results zero. */
    public byte[] encode()
    {
        final ByteBuffer b = ByteBuffer.allocate((int)length(ops.length)).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(MAGIC_OFFSET, MAGIC)
            .putInt(VERSION_OFFSET, VERSION)
            .putInt(COUNT_OFFSET, ops.length)
            .putInt(WARMUP_OFFSET, warmup)
            .putInt(FLAGS_OFFSET, flags)
            .putInt(DEPTH_OFFSET, depth);
        for (int i = 0; i < ops.length; i++)
        {
            final int at = HEADER_LENGTH + i * RECORD_LENGTH;
            b.putLong(at + SECTOR_OFFSET, sectors[i]).putLong(at + DUE_OFFSET, due[i]).putInt(at + OP_OFFSET, ops[i]);
        }
        return b.array();
    }

    /**
     * Reads the guest's results out of the job's bytes after the run, validated once: the guest must
     * have finished, and every field is checked before it is used.
     *
     * @throws IllegalArgumentException when the guest did not finish the job or wrote something impossible
     */
    public DiskIoResults decode(final byte[] bytes)
    {
        if (bytes.length < length(ops.length))
        {
            throw new IllegalArgumentException("job bytes too short: " + bytes.length + " < " + length(ops.length));
        }
        final ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getLong(DONE_OFFSET) != DONE_MAGIC)
        {
            throw new IllegalArgumentException("the guest did not finish the job (no done mark)");
        }
        final int n = timed();
        final long[] start = new long[n];
        final long[] end = new long[n];
        final long[] instructions = new long[n];
        final int[] status = new int[n];
        final long tBase = b.getLong(T_BASE_OFFSET);
        for (int i = 0; i < n; i++)
        {
            final int at = HEADER_LENGTH + (warmup + i) * RECORD_LENGTH;
            start[i] = b.getLong(at + START_OFFSET) - tBase;
            end[i] = b.getLong(at + END_OFFSET) - tBase;
            instructions[i] = b.getLong(at + INSTRUCTIONS_OFFSET);
            status[i] = b.getInt(at + STATUS_OFFSET);
        }
        return DiskIoResults.of(this, start, end, instructions, status, b.getLong(EXITS_OFFSET), b.getLong(INTERRUPTS_OFFSET));
    }

    /**
     * Reads the results the guest printed ({@link DiskIoJobDescriptor#FLAG_PRINT}): the line
     * {@code disk-io: results t_base=.. exits=.. interrupts=..}, then one line per timed request of
     * hex fields: start after t_base, duration, instructions, status.
     *
     * @throws IllegalArgumentException when the text lacks the results or has a malformed line
     */
    public DiskIoResults parseConsole(final String text)
    {
        final String[] lines = text.split("\r?\n");
        int at = 0;
        while (at < lines.length && !lines[at].startsWith("disk-io: results "))
        {
            at++;
        }
        if (at == lines.length)
        {
            throw new IllegalArgumentException("no results line in the guest's output");
        }
        long exits = 0;
        long interrupts = 0;
        for (final String field : lines[at].substring("disk-io: results ".length()).split(" "))
        {
            final int eq = field.indexOf('=');
            final String key = eq < 0 ? field : field.substring(0, eq);
            final long value = eq < 0 ? 0 : hex(field.substring(eq + 1), lines[at]);
            if ("exits".equals(key))
            {
                exits = value;
            }
            else if ("interrupts".equals(key))
            {
                interrupts = value;
            }
        }
        final int n = timed();
        if (lines.length - at - 1 < n)
        {
            throw new IllegalArgumentException("the guest printed " + (lines.length - at - 1) + " result lines for " + n + " requests");
        }
        final long[] start = new long[n];
        final long[] end = new long[n];
        final long[] instructions = new long[n];
        final int[] status = new int[n];
        for (int i = 0; i < n; i++)
        {
            final String line = lines[at + 1 + i];
            final String[] f = line.trim().split(" ");
            if (f.length != 4)
            {
                throw new IllegalArgumentException("malformed result line " + i + ": '" + line + "'");
            }
            start[i] = hex(f[0], line);
            end[i] = start[i] + hex(f[1], line);
            instructions[i] = hex(f[2], line);
            status[i] = (int)Math.min(Integer.MAX_VALUE, hex(f[3], line));
        }
        return DiskIoResults.of(this, start, end, instructions, status, exits, interrupts);
    }

    private static long hex(final String digits, final String line)
    {
        if (digits.isEmpty() || digits.length() > 16)
        {
            throw new IllegalArgumentException("bad number '" + digits + "' in '" + line + "'");
        }
        try
        {
            return Long.parseUnsignedLong(digits, 16);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("bad number '" + digits + "' in '" + line + "'", ex);
        }
    }

    /** Fills {@code block} (4 KiB from its position) with 4 KiB block {@code number}'s pattern, little-endian words. */
    public static void fillPattern(final ByteBuffer block, final long number)
    {
        final ByteBuffer le = block.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        final int base = block.position();
        for (int w = 0; w < BLOCK_BYTES / Integer.BYTES; w++)
        {
            le.putInt(base + w * Integer.BYTES, pattern(number, w));
        }
    }

    @Override
    public String toString()
    {
        return "DiskIoJob[" + ops.length + " requests, " + warmup + " warm-up, flags 0x" + Integer.toHexString(flags) +
            ", ops " + Arrays.stream(ops).limit(4).boxed().toList() + "...]";
    }
}
