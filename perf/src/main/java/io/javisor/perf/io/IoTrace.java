package io.javisor.perf.io;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A Chronicle Queue of IO requests, one excerpt per request in issue order, as
 * {@code bench io} and {@code replay} write it: variant, round, queue depth, op, first sector,
 * size in bytes, and intended start, start and end in ns on the variant's own timeline (its rounds
 * one after another, so a variant's requests can be re-issued at their recorded times). Each
 * excerpt is raw bytes behind a version byte: {@link #VERSION}, the variant as UTF-8, then
 * int round, short depth, byte op, long sector, int size, long intended, long start, long end.
 * A writer is used from one thread.
 */
public final class IoTrace
{
    public static final byte VERSION = 1;

    /** One request of a trace. */
    public record Entry(String variant, int round, int queueDepth, IoOp op, long sector, int size, long intendedNs,
        long startNs, long endNs)
    {
    }

    private IoTrace()
    {
    }

    /**
     * Opens a new trace in {@code dir}: an existing trace there (only Chronicle's files) is removed first.
     *
     * @throws IllegalArgumentException when {@code dir} holds other files
     */
    public static Writer create(final Path dir)
    {
        try
        {
            if (Files.isDirectory(dir))
            {
                try (Stream<Path> files = Files.list(dir))
                {
                    for (final Path file : files.toList())
                    {
                        final String name = file.getFileName().toString();
                        if (!name.endsWith(".cq4") && !name.endsWith(".cq4t"))
                        {
                            throw new IllegalArgumentException(dir + " holds " + name + ", which is not part of a trace");
                        }
                        Files.delete(file);
                    }
                }
            }
            Files.createDirectories(dir);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot prepare trace directory " + dir + ": " + ex.getMessage(), ex);
        }
        return new Writer(SingleChronicleQueueBuilder.binary(dir).build());
    }

    /** Every request of the trace in {@code dir}, in order. */
    public static List<Entry> read(final Path dir)
    {
        if (!Files.isDirectory(dir))
        {
            throw new IllegalArgumentException("no trace at " + dir + " (not a directory)");
        }
        final List<Entry> entries = new ArrayList<>();
        try (ChronicleQueue queue = SingleChronicleQueueBuilder.binary(dir).readOnly(true).build();
             ExcerptTailer tailer = queue.createTailer())
        {
            while (true)
            {
                try (DocumentContext dc = tailer.readingDocument())
                {
                    if (!dc.isPresent())
                    {
                        break;
                    }
                    entries.add(decode(dc.wire().bytes(), entries.size()));
                }
            }
        }
        return entries;
    }

    private static Entry decode(final Bytes<?> b, final int index)
    {
        final byte version = b.readByte();
        if (version != VERSION)
        {
            throw new IllegalArgumentException("trace entry " + index + " has version " + version + ", not " + VERSION);
        }
        final String variant = b.readUtf8();
        final int round = b.readInt();
        final int depth = b.readShort();
        final IoOp op = IoOp.of(b.readByte());
        final long sector = b.readLong();
        final int size = b.readInt();
        final long intended = b.readLong();
        final long start = b.readLong();
        final long end = b.readLong();
        if (variant == null || variant.isEmpty() || sector < 0 || size <= 0 || end < start)
        {
            throw new IllegalArgumentException("trace entry " + index + " is malformed");
        }
        return new Entry(variant, round, depth, op, sector, size, intended, start, end);
    }

    /** The variants of a trace in order of first appearance, each with its request count. */
    public static Map<String, Integer> variants(final List<Entry> entries)
    {
        final Map<String, Integer> counts = new LinkedHashMap<>();
        for (final Entry e : entries)
        {
            counts.merge(e.variant(), 1, Integer::sum);
        }
        return counts;
    }

    /** Appends requests to a trace; closing it closes the queue. One thread. */
    public static final class Writer implements AutoCloseable
    {
        private final ChronicleQueue queue;
        private final ExcerptAppender appender;
        private long written;

        private Writer(final ChronicleQueue queue)
        {
            this.queue = queue;
            this.appender = queue.createAppender();
        }

        /** Appends every request of {@code log}, its times shifted by {@code offsetNs}. */
        public void append(final String variant, final int round, final RequestLog log, final long offsetNs)
        {
            for (int i = 0; i < log.count(); i++)
            {
                try (DocumentContext dc = appender.writingDocument())
                {
                    final Bytes<?> b = dc.wire().bytes();
                    b.writeByte(VERSION);
                    b.writeUtf8(variant);
                    b.writeInt(round);
                    b.writeShort((short)log.queueDepth(i));
                    b.writeByte((byte)log.op(i).code());
                    b.writeLong(log.sector(i));
                    b.writeInt(log.size(i));
                    b.writeLong(log.intendedNs(i) + offsetNs);
                    b.writeLong(log.startNs(i) + offsetNs);
                    b.writeLong(log.endNs(i) + offsetNs);
                }
                written++;
            }
        }

        public long written()
        {
            return written;
        }

        @Override
        public void close()
        {
            appender.close();
            queue.close();
        }
    }
}
