package io.javisor.memory.log;

import org.agrona.concurrent.ManyToManyConcurrentArrayQueue;

import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * The host's log: one line per event, rate limited per key so that a guest that makes a device
 * fail over and over cannot flood the host's stderr or slow the host down.
 * <p>
 * A key names a source (a back end, a device: {@code "blkback vbd 1/51712"}). Each key has a token
 * bucket of {@code linesPerSecond} lines a second with a burst of as many; a line over the budget
 * is counted, not written, and the next line written for that key is preceded by one
 * {@code "<key>: suppressed <n> lines"} summary with the exact count ({@link #flush()} writes
 * pending summaries at once). Keys do not share buckets, except that beyond {@link #MAX_KEYS} keys
 * the rest share one ({@link #OVERFLOW_KEY}) so that the table stays bounded.
 * <p>
 * The caller never blocks and never gets an exception: the bucket is one CAS on an
 * {@link AtomicLong} (GCRA, the one-word token bucket), the line is built only when it is written,
 * control characters in it (guest-controlled text may contain any) become {@code '?'}, and the
 * {@link #HOST shared instance} hands lines to a daemon thread that writes them to stderr through a
 * bounded queue: a line the queue cannot take is counted as suppressed.
 */
public final class HostLog
{
    /** Where lines go; {@code false} when a line could not be taken (it is counted as suppressed). */
    @FunctionalInterface
    public interface Sink
    {
        boolean offer(String line);
    }

    public static final int DEFAULT_LINES_PER_SECOND = 20;
    public static final int MAX_KEYS = 1024;
    public static final String OVERFLOW_KEY = "(other sources)";

    /** The host's log: stderr, {@link #DEFAULT_LINES_PER_SECOND} per key. */
    public static final HostLog HOST = new HostLog(new StderrWriter(), DEFAULT_LINES_PER_SECOND, System::nanoTime);

    private final Sink sink;
    private final long intervalNs;
    private final long burstNs;
    private final LongSupplier nanoClock;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    /**
     * @param sink           where lines go
     * @param linesPerSecond sustained lines per key and second, and the burst
     * @param nanoClock      a monotonic clock in nanoseconds
     */
    public HostLog(final Sink sink, final int linesPerSecond, final LongSupplier nanoClock)
    {
        if (linesPerSecond < 1)
        {
            throw new IllegalArgumentException("linesPerSecond " + linesPerSecond);
        }
        this.sink = Objects.requireNonNull(sink);
        this.nanoClock = Objects.requireNonNull(nanoClock);
        this.intervalNs = TimeUnit.SECONDS.toNanos(1) / linesPerSecond;
        this.burstNs = intervalNs * linesPerSecond;
    }

    /** {@code "<key>: <message>"} on the {@link #HOST host's log}. */
    public static void log(final String key, final String message)
    {
        HOST.emit(key, message, null);
    }

    /** {@code "<key>: <message>: <detail>"} on the {@link #HOST host's log}; detail's text is taken only when written. */
    public static void log(final String key, final String message, final Object detail)
    {
        HOST.emit(key, message, detail);
    }

    /**
     * Writes {@code "<key>: <message>"}, or {@code "<key>: <message>: <detail>"} when detail is not
     * null, unless the key is over its budget. Never blocks on the sink's behalf, never throws.
     */
    public void emit(final String key, final String message, final Object detail)
    {
        try
        {
            final Bucket bucket = bucket(key == null ? "null" : key);
            if (!bucket.tryAcquire(nanoClock.getAsLong(), intervalNs, burstNs))
            {
                bucket.suppressed.incrementAndGet();
                return;
            }
            writeSummary(bucket);
            final String line = detail == null ? bucket.key + ": " + message : bucket.key + ": " + message + ": " + describe(detail);
            if (!sink.offer(sanitize(line)))
            {
                bucket.suppressed.incrementAndGet();
            }
        }
        catch (final Throwable ignored)
        {
            // The log never takes its caller down (a detail whose toString throws, a failing sink).
        }
    }

    /** Writes the summary of every key with suppressed lines pending (at shutdown, or for a test). */
    public void flush()
    {
        try
        {
            for (final Bucket bucket : buckets.values())
            {
                writeSummary(bucket);
            }
        }
        catch (final Throwable ignored)
        {
            // As emit.
        }
    }

    private void writeSummary(final Bucket bucket)
    {
        final long suppressed = bucket.suppressed.getAndSet(0);
        if (suppressed != 0 && !sink.offer(sanitize(bucket.key) + ": suppressed " + suppressed + " lines"))
        {
            bucket.suppressed.addAndGet(suppressed);
        }
    }

    private Bucket bucket(final String key)
    {
        final Bucket existing = buckets.get(key);
        if (existing != null)
        {
            return existing;
        }
        if (buckets.size() >= MAX_KEYS)
        {
            return buckets.computeIfAbsent(OVERFLOW_KEY, k -> new Bucket(k, nanoClock.getAsLong() - burstNs));
        }
        return buckets.computeIfAbsent(key, k -> new Bucket(k, nanoClock.getAsLong() - burstNs));
    }

    /** A throwable as its toString and where it was thrown (one line: no stack trace). */
    private static String describe(final Object detail)
    {
        if (detail instanceof Throwable error && error.getStackTrace().length > 0)
        {
            return error + " at " + error.getStackTrace()[0];
        }
        return String.valueOf(detail);
    }

    /** One event, one line: control characters (newlines, terminal escapes) become '?'. */
    static String sanitize(final String line)
    {
        for (int i = 0; i < line.length(); i++)
        {
            final char c = line.charAt(i);
            if (c < 0x20 || c == 0x7F)
            {
                final char[] chars = line.toCharArray();
                for (int j = i; j < chars.length; j++)
                {
                    if (chars[j] < 0x20 || chars[j] == 0x7F)
                    {
                        chars[j] = '?';
                    }
                }
                return new String(chars);
            }
        }
        return line;
    }

    private static final class Bucket
    {
        final String key;
        /** GCRA's theoretical arrival time: a line may go when it is at most a burst ahead of now. */
        final AtomicLong tat;
        final AtomicLong suppressed = new AtomicLong();

        Bucket(final String key, final long tat)
        {
            this.key = key;
            this.tat = new AtomicLong(tat);
        }

        boolean tryAcquire(final long now, final long intervalNs, final long burstNs)
        {
            while (true)
            {
                final long t = tat.get();
                final long base = t - now > 0 ? t : now;
                final long next = base + intervalNs;
                if (next - now > burstNs)
                {
                    return false;
                }
                if (tat.compareAndSet(t, next))
                {
                    return true;
                }
            }
        }
    }

    /** Lines to stderr from a daemon thread, through a bounded queue; what is queued at exit is written by a shutdown hook. */
    static final class StderrWriter implements Sink, Runnable
    {
        private static final int CAPACITY = 4096;
        private final ManyToManyConcurrentArrayQueue<String> queue = new ManyToManyConcurrentArrayQueue<>(CAPACITY);
        private final Thread writer;

        StderrWriter()
        {
            writer = Thread.ofPlatform().daemon().name("javisor-hostlog").unstarted(this);
            writer.start();
            Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("javisor-hostlog-flush").unstarted(() ->
            {
                HOST.flush();
                drain();
            }));
        }

        @Override
        public boolean offer(final String line)
        {
            if (!queue.offer(line))
            {
                return false;
            }
            LockSupport.unpark(writer);
            return true;
        }

        @Override
        public void run()
        {
            while (true)
            {
                if (drain() == 0)
                {
                    LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(100));
                }
            }
        }

        private int drain()
        {
            int lines = 0;
            String line;
            while ((line = queue.poll()) != null)
            {
                System.err.println(line);
                lines++;
            }
            return lines;
        }
    }
}
