package io.javisor.netback.pcap;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.EpochNanoClock;
import org.agrona.concurrent.SystemEpochNanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes Ethernet frames to a classic libpcap file, the format tcpdump, tshark and Wireshark
 * read, with nanosecond timestamps:
 * <pre>
 *   global header (24 B)  u32 magic 0xa1b23c4d, u16 major 2, u16 minor 4, i32 thiszone 0,
 *                         u32 sigfigs 0, u32 snaplen, u32 linktype 1 (Ethernet)
 *   each record (16 B)    u32 ts_sec, u32 ts_nsec, u32 incl_len, u32 orig_len, then incl_len bytes
 * </pre>
 * All little-endian; a reader tells the byte order and the timestamp unit from the magic. A frame
 * longer than the snap length is cut to it: incl_len is what was kept, orig_len what was seen.
 * <p>
 * Records gather in a preallocated direct buffer and go to the file in one channel write when it
 * fills, every {@code flushEveryRecords} records if that is positive, on {@link #flush()} and on
 * {@link #close()}; writing a frame allocates nothing. The global header is written at once, so
 * that a capture that never sees a frame is still a valid file. A flush hands the bytes to the
 * operating system; it does not force them to the disk.
 * <p>
 * Single writer: one thread owns a writer (a bridge or vif calls it from its agent thread); it
 * takes no lock. I/O failures surface as {@link UncheckedIOException}; the records staged at
 * that moment are dropped.
 */
public final class PcapWriter implements AutoCloseable
{
    public static final int MAGIC_MICROS = 0xA1B2_C3D4;
    public static final int MAGIC_NANOS = 0xA1B2_3C4D;
    public static final int VERSION_MAJOR = 2;
    public static final int VERSION_MINOR = 4;
    public static final int LINKTYPE_ETHERNET = 1;
    public static final int DEFAULT_SNAPLEN = 65535;
    /** libpcap's own ceiling; readers reject larger records. */
    public static final int MAX_SNAPLEN = 262144;

    public static final int GLOBAL_HEADER_LENGTH = 24;
    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_MAJOR_OFFSET = 4;
    public static final int VERSION_MINOR_OFFSET = 6;
    public static final int THISZONE_OFFSET = 8;
    public static final int SIGFIGS_OFFSET = 12;
    public static final int SNAPLEN_OFFSET = 16;
    public static final int LINKTYPE_OFFSET = 20;

    public static final int RECORD_HEADER_LENGTH = 16;
    public static final int TS_SEC_OFFSET = 0;
    public static final int TS_NSEC_OFFSET = 4;
    public static final int INCL_LEN_OFFSET = 8;
    public static final int ORIG_LEN_OFFSET = 12;

    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final int STAGING_SLACK = 64 * 1024;

    private final FileChannel channel;
    private final ByteBuffer staging;
    private final UnsafeBuffer stagingView;
    private final int snaplen;
    private final int flushEveryRecords;
    private final EpochNanoClock clock;

    /** Bytes staged and not yet written; there is always room for one whole record after a drain. */
    private int position;
    private int recordsSinceFlush;
    private long records;
    private boolean closed;

    /**
     * @param channel           a channel open for writing at the start of an empty file; owned
     *                          by the writer from now on.
     * @param snaplen           bytes kept of each frame, 1..{@value #MAX_SNAPLEN}.
     * @param flushEveryRecords write the staged records out after this many; 0 only when the
     *                          staging buffer fills, on flush and on close.
     * @param clock             the timestamps of {@link #write(DirectBuffer, int, int)}.
     */
    public PcapWriter(
        final FileChannel channel, final int snaplen, final int flushEveryRecords, final EpochNanoClock clock)
    {
        if (snaplen < 1 || snaplen > MAX_SNAPLEN)
        {
            throw new IllegalArgumentException("pcap snaplen " + snaplen + " is not in 1.." + MAX_SNAPLEN);
        }
        if (flushEveryRecords < 0)
        {
            throw new IllegalArgumentException("pcap flushEveryRecords " + flushEveryRecords + " is negative");
        }
        this.channel = channel;
        this.snaplen = snaplen;
        this.flushEveryRecords = flushEveryRecords;
        this.clock = clock;
        this.staging = ByteBuffer.allocateDirect(RECORD_HEADER_LENGTH + snaplen + STAGING_SLACK).order(LE);
        this.stagingView = new UnsafeBuffer(staging);

        stagingView.putInt(MAGIC_OFFSET, MAGIC_NANOS, LE);
        stagingView.putShort(VERSION_MAJOR_OFFSET, (short)VERSION_MAJOR, LE);
        stagingView.putShort(VERSION_MINOR_OFFSET, (short)VERSION_MINOR, LE);
        stagingView.putInt(THISZONE_OFFSET, 0, LE);
        stagingView.putInt(SIGFIGS_OFFSET, 0, LE);
        stagingView.putInt(SNAPLEN_OFFSET, snaplen, LE);
        stagingView.putInt(LINKTYPE_OFFSET, LINKTYPE_ETHERNET, LE);
        position = GLOBAL_HEADER_LENGTH;
        drain();
    }

    /**
     * Creates (or truncates) {@code path}: snap length {@value #DEFAULT_SNAPLEN}, flushed when
     * the staging buffer fills, timestamps from the system clock.
     */
    public static PcapWriter open(final Path path)
    {
        return open(path, DEFAULT_SNAPLEN, 0);
    }

    public static PcapWriter open(final Path path, final int snaplen, final int flushEveryRecords)
    {
        final FileChannel channel;
        try
        {
            channel = FileChannel.open(path,
                StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot open pcap file " + path, ex);
        }
        try
        {
            return new PcapWriter(channel, snaplen, flushEveryRecords, new SystemEpochNanoClock());
        }
        catch (final RuntimeException ex)
        {
            closeQuietly(channel, ex);
            throw ex;
        }
    }

    /**
     * Records {@code length} bytes of {@code frame} from {@code offset}, stamped now.
     */
    public void write(final DirectBuffer frame, final int offset, final int length)
    {
        write(frame, offset, length, clock.nanoTime());
    }

    /**
     * Records {@code length} bytes of {@code frame} from {@code offset}, stamped
     * {@code epochNanos} (nanoseconds since 1970-01-01 UTC).
     */
    public void write(final DirectBuffer frame, final int offset, final int length, final long epochNanos)
    {
        if (closed)
        {
            throw new IllegalStateException("pcap writer is closed");
        }
        if (length < 0)
        {
            throw new IllegalArgumentException("frame length " + length + " is negative");
        }
        final int included = Math.min(length, snaplen);
        if (position + RECORD_HEADER_LENGTH + included > staging.capacity())
        {
            drain();
        }
        final int at = position;
        stagingView.putInt(at + TS_SEC_OFFSET, (int)Math.floorDiv(epochNanos, NANOS_PER_SECOND), LE);
        stagingView.putInt(at + TS_NSEC_OFFSET, (int)Math.floorMod(epochNanos, NANOS_PER_SECOND), LE);
        stagingView.putInt(at + INCL_LEN_OFFSET, included, LE);
        stagingView.putInt(at + ORIG_LEN_OFFSET, length, LE);
        stagingView.putBytes(at + RECORD_HEADER_LENGTH, frame, offset, included);
        position = at + RECORD_HEADER_LENGTH + included;
        records++;
        if (flushEveryRecords > 0 && ++recordsSinceFlush >= flushEveryRecords)
        {
            drain();
        }
    }

    /**
     * Writes the staged records to the file.
     */
    public void flush()
    {
        if (!closed)
        {
            drain();
        }
    }

    private void drain()
    {
        staging.limit(position).position(0);
        try
        {
            while (staging.hasRemaining())
            {
                channel.write(staging);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("pcap write failed", ex);
        }
        finally
        {
            staging.clear();
            position = 0;
            recordsSinceFlush = 0;
        }
    }

    /**
     * Frames recorded so far, flushed or not.
     */
    public long records()
    {
        return records;
    }

    public int snaplen()
    {
        return snaplen;
    }

    /**
     * Flushes and closes the file; later calls do nothing.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        try
        {
            drain();
        }
        catch (final UncheckedIOException ex)
        {
            closeQuietly(channel, ex);
            throw ex;
        }
        try
        {
            channel.close();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("pcap close failed", ex);
        }
    }

    private static void closeQuietly(final FileChannel channel, final Exception cause)
    {
        try
        {
            channel.close();
        }
        catch (final IOException suppressed)
        {
            cause.addSuppressed(suppressed);
        }
    }
}
