package io.javisor.blkback.durability;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@link DurabilityWriter} running in its own JVM, started the way Surefire started this one
 * (same java, class path and {@code javisor.jvm.options}), with its standard output collected line
 * by line and its standard error kept in a file for failure messages.
 */
final class WriterProcess implements AutoCloseable
{
    /** Used when the tests run outside Maven, which normally passes javisor.jvm.options. */
    private static final String FALLBACK_JVM_OPTIONS =
        "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED --add-exports=java.base/sun.nio.ch=ALL-UNNAMED " +
        "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED --enable-native-access=ALL-UNNAMED " +
        "--sun-misc-unsafe-memory-access=allow";
    /** The exit status Java reports for a process ended by signal 9. */
    static final int KILLED_BY_SIGKILL = 128 + 9;

    private final Process process;
    private final Path stderr;
    private final Thread reader;
    private final List<String> lines = new ArrayList<>();
    private long acks;
    private boolean ready;

    private WriterProcess(final Process process, final Path stderr)
    {
        this.process = process;
        this.stderr = stderr;
        this.reader = Thread.ofPlatform().daemon().name("writer-stdout").start(this::readOutput);
    }

    static WriterProcess start(final Path image, final long runId, final int batchSize, final long lieFrom,
        final Path workDir)
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        final String options = System.getProperty("javisor.jvm.options", FALLBACK_JVM_OPTIONS).trim();
        if (!options.isEmpty())
        {
            command.addAll(Arrays.asList(options.split("\\s+")));
        }
        command.addAll(List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        command.addAll(List.of("-cp", System.getProperty("java.class.path")));
        command.add(DurabilityWriter.class.getName());
        command.addAll(List.of(image.toString(), Long.toString(runId), Integer.toString(batchSize)));
        if (lieFrom != Long.MAX_VALUE)
        {
            command.add(Long.toString(lieFrom));
        }
        final Path stderr = workDir.resolve("writer-" + System.nanoTime() + ".err");
        try
        {
            final Process process = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectError(stderr.toFile())
                .start();
            return new WriterProcess(process, stderr);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot start the writer JVM: " + command, ex);
        }
    }

    private void readOutput()
    {
        try (BufferedReader in = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII)))
        {
            String line;
            while ((line = in.readLine()) != null)
            {
                synchronized (this)
                {
                    lines.add(line);
                    if (line.startsWith(AckLog.ACK + " "))
                    {
                        acks++;
                    }
                    else if (line.startsWith("READY"))
                    {
                        ready = true;
                    }
                    notifyAll();
                }
            }
        }
        catch (final IOException ignored)
        {
            // The pipe broke with the process: what was read is what counts.
        }
        synchronized (this)
        {
            notifyAll();
        }
    }

    long pid()
    {
        return process.pid();
    }

    /**
     * Waits until the writer has acknowledged {@code wanted} batches, or {@code maxAfterReadyNs}
     * passed since it said READY (if it is slow), or {@code startTimeoutNs} passed without READY,
     * or it died.
     *
     * @return the number of acknowledgements seen.
     */
    synchronized long awaitAcks(final long wanted, final long maxAfterReadyNs, final long startTimeoutNs)
        throws InterruptedException
    {
        final long start = System.nanoTime();
        long readyAt = 0;
        while (acks < wanted && process.isAlive())
        {
            final long now = System.nanoTime();
            if (ready && readyAt == 0)
            {
                readyAt = now;
            }
            final long deadline = ready ? readyAt + maxAfterReadyNs : start + startTimeoutNs;
            if (now >= deadline)
            {
                break;
            }
            TimeUnit.NANOSECONDS.timedWait(this, Math.min(deadline - now, TimeUnit.MILLISECONDS.toNanos(50)));
        }
        return acks;
    }

    boolean isAlive()
    {
        return process.isAlive();
    }

    /**
     * Sends SIGKILL ({@code destroyForcibly} is {@code kill(pid, SIGKILL)} on Linux), waits for the
     * death and for the last of its output.
     *
     * @return the exit status: {@link #KILLED_BY_SIGKILL} when the signal ended it.
     */
    int kill() throws InterruptedException
    {
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS))
        {
            throw new IllegalStateException("writer " + process.pid() + " survived SIGKILL for 10 s");
        }
        reader.join(TimeUnit.SECONDS.toMillis(10));
        return process.exitValue();
    }

    synchronized List<String> lines()
    {
        return List.copyOf(lines);
    }

    String stderrTail()
    {
        try
        {
            final List<String> all = Files.readAllLines(stderr, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - 30), all.size()));
        }
        catch (final IOException ex)
        {
            return "(no standard error: " + ex.getMessage() + ")";
        }
    }

    @Override
    public void close() throws InterruptedException
    {
        if (process.isAlive())
        {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
