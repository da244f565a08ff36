package io.javisor.perf.stubdom;

import io.javisor.perf.JvmOptions;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The round trip of one 24-byte register-access frame to another process and back, the two ways a
 * stub domain's channel could carry it: a Unix domain socket (both ends block in the kernel) and a
 * shared-memory mailbox where the far end spins on the request sequence and this end spins on the
 * reply's. Each is an HdrHistogram of single round trips after a warm-up, from a fresh
 * {@link ChannelEchoMain} process. Single-threaded.
 */
final class ChannelProbe
{
    private ChannelProbe()
    {
    }

    static Histogram socketRoundTrips(final int warmup, final int samples)
    {
        final Path dir = tempDir();
        final Path socket = dir.resolve("probe.sock");
        Process echo = null;
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX))
        {
            server.bind(UnixDomainSocketAddress.of(socket));
            echo = launch("uds", socket);
            try (SocketChannel channel = server.accept())
            {
                final ByteBuffer frame = ByteBuffer.allocateDirect(ChannelEchoMain.FRAME);
                final Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
                for (int i = 0; i < warmup + samples; i++)
                {
                    final long start = System.nanoTime();
                    frame.clear();
                    frame.putLong(0, i);
                    while (frame.hasRemaining())
                    {
                        channel.write(frame);
                    }
                    frame.clear();
                    while (frame.hasRemaining())
                    {
                        if (channel.read(frame) < 0)
                        {
                            throw new IllegalStateException("the echo process ended");
                        }
                    }
                    final long took = System.nanoTime() - start;
                    if (i >= warmup)
                    {
                        histogram.recordValue(took);
                    }
                }
                return histogram;
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        finally
        {
            end(echo);
            delete(dir);
        }
    }

    static Histogram mailboxRoundTrips(final int warmup, final int samples)
    {
        final Path dir = tempDir();
        final Path file = dir.resolve("mailbox");
        Process echo = null;
        try
        {
            final MappedByteBuffer mailbox;
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE))
            {
                channel.truncate(ChannelEchoMain.MAILBOX);
                channel.write(ByteBuffer.allocate(ChannelEchoMain.MAILBOX));
                mailbox = channel.map(FileChannel.MapMode.READ_WRITE, 0, ChannelEchoMain.MAILBOX);
            }
            echo = launch("shm", file);
            final Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            for (long seq = 1; seq <= warmup + samples; seq++)
            {
                final long start = System.nanoTime();
                for (int i = 0; i < ChannelEchoMain.FRAME; i += 8)
                {
                    mailbox.putLong(ChannelEchoMain.REQUEST + i, seq);
                }
                ChannelEchoMain.LONGS.setRelease(mailbox, ChannelEchoMain.REQUEST_SEQ, seq);
                while ((long)ChannelEchoMain.LONGS.getAcquire(mailbox, ChannelEchoMain.REPLY_SEQ) != seq)
                {
                    Thread.onSpinWait();
                    if (System.nanoTime() > deadline)
                    {
                        throw new IllegalStateException("the mailbox echo did not answer request " + seq);
                    }
                }
                final long took = System.nanoTime() - start;
                if (seq > warmup)
                {
                    histogram.recordValue(took);
                }
            }
            ChannelEchoMain.LONGS.setRelease(mailbox, ChannelEchoMain.REQUEST_SEQ, -1L);
            return histogram;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        finally
        {
            end(echo);
            delete(dir);
        }
    }

    private static Process launch(final String mode, final Path path) throws IOException
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JvmOptions.list());
        command.add("-Dchronicle.analytics.disable=true");
        command.add("-XX:+UseSerialGC");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(ChannelEchoMain.class.getName());
        command.add(mode);
        command.add(path.toString());
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    private static void end(final Process process)
    {
        if (process == null)
        {
            return;
        }
        process.destroy();
        try
        {
            if (!process.waitFor(5, TimeUnit.SECONDS))
            {
                process.destroyForcibly().waitFor();
            }
        }
        catch (final InterruptedException ex)
        {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static Path tempDir()
    {
        try
        {
            return Files.createTempDirectory("javisor-channel-");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static void delete(final Path dir)
    {
        try (var files = Files.list(dir))
        {
            for (final Path file : files.toList())
            {
                Files.deleteIfExists(file);
            }
            Files.deleteIfExists(dir);
        }
        catch (final IOException ignored)
        {
            // A temporary directory left behind is all that can go wrong.
        }
    }
}
