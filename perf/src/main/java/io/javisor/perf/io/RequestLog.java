package io.javisor.perf.io;

import java.util.Arrays;

/**
 * Requests as they were issued, in issue order, one column per field: op, first sector, size in
 * bytes, queue depth, and three times in ns on the variant's own timeline (intended start, start,
 * end). Growable; appending allocates only when a column is full. Single writer, not thread-safe.
 */
public final class RequestLog
{
    private static final int INITIAL = 1024;

    private byte[] op = new byte[INITIAL];
    private long[] sector = new long[INITIAL];
    private int[] size = new int[INITIAL];
    private short[] queueDepth = new short[INITIAL];
    private long[] intended = new long[INITIAL];
    private long[] start = new long[INITIAL];
    private long[] end = new long[INITIAL];
    private int count;

    public RequestLog()
    {
    }

    /** Room for {@code capacity} requests before any growth. */
    public RequestLog(final int capacity)
    {
        ensure(Math.max(1, capacity));
    }

    /** Appends one request; returns its index. */
    public int add(final IoOp op, final long sector, final int size, final int queueDepth, final long intendedNs,
        final long startNs, final long endNs)
    {
        if (count == this.op.length)
        {
            ensure(count * 2);
        }
        final int i = count++;
        this.op[i] = (byte)op.code();
        this.sector[i] = sector;
        this.size[i] = size;
        this.queueDepth[i] = (short)queueDepth;
        this.intended[i] = intendedNs;
        this.start[i] = startNs;
        this.end[i] = endNs;
        return i;
    }

    /** Sets the completion time of request {@code i} (for requests completed after later ones were issued). */
    public void end(final int i, final long endNs)
    {
        end[i] = endNs;
    }

    /** Appends every request of {@code other}, shifting its times by {@code offsetNs}. */
    public void addAll(final RequestLog other, final long offsetNs)
    {
        ensure(count + other.count);
        for (int i = 0; i < other.count; i++)
        {
            add(other.op(i), other.sector[i], other.size[i], other.queueDepth[i], other.intended[i] + offsetNs,
                other.start[i] + offsetNs, other.end[i] + offsetNs);
        }
    }

    private void ensure(final int capacity)
    {
        if (capacity <= op.length)
        {
            return;
        }
        op = Arrays.copyOf(op, capacity);
        sector = Arrays.copyOf(sector, capacity);
        size = Arrays.copyOf(size, capacity);
        queueDepth = Arrays.copyOf(queueDepth, capacity);
        intended = Arrays.copyOf(intended, capacity);
        start = Arrays.copyOf(start, capacity);
        end = Arrays.copyOf(end, capacity);
    }

    public int count()
    {
        return count;
    }

    public IoOp op(final int i)
    {
        return IoOp.of(op[i]);
    }

    public long sector(final int i)
    {
        return sector[i];
    }

    public int size(final int i)
    {
        return size[i];
    }

    public int queueDepth(final int i)
    {
        return queueDepth[i];
    }

    public long intendedNs(final int i)
    {
        return intended[i];
    }

    public long startNs(final int i)
    {
        return start[i];
    }

    public long endNs(final int i)
    {
        return end[i];
    }

    /** The latest end time, or 0 when empty. */
    public long lastEndNs()
    {
        long last = 0;
        for (int i = 0; i < count; i++)
        {
            last = Math.max(last, end[i]);
        }
        return last;
    }
}
