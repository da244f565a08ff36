package io.javisor.perf.ddom;

import org.HdrHistogram.Histogram;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The doorbell mechanisms a driver domain's channel could use, measured as a ping-pong between two
 * threads: a 4-byte message over a Unix domain socket (blocking reads: the reader sleeps in the
 * kernel and is woken by the write), and over a pair of Agrona one-to-one ring buffers in a shared
 * file mapping, read by a thread that busy-spins or that polls with a 50 us park (a process cannot
 * wake a thread of another process through shared memory alone, so a parked reader can only poll).
 * The round trip of each, HdrHistogram. Both threads are in this process: the kernel paths (socket
 * wake-up, park) are those two processes would take.
 */
final class DoorbellProbe
{
    static final long POLL_PARK_NANOS = 50_000;
    private static final int RING_CAPACITY = 64 * 1024;

    private DoorbellProbe()
    {
    }

    static Histogram socket(final int pings) throws IOException, InterruptedException
    {
        final Path directory = Files.createTempDirectory("javisor-doorbell-");
        final Path path = directory.resolve("probe.sock");
        final Histogram histogram = histogram();
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX))
        {
            server.bind(UnixDomainSocketAddress.of(path));
            final SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX);
            client.connect(UnixDomainSocketAddress.of(path));
            final SocketChannel peer = server.accept();
            final Thread echo = Thread.ofPlatform().name("doorbell-echo").start(() ->
            {
                final ByteBuffer message = ByteBuffer.allocateDirect(4);
                try
                {
                    while (true)
                    {
                        message.clear();
                        while (message.hasRemaining())
                        {
                            if (peer.read(message) < 0)
                            {
                                return;
                            }
                        }
                        message.flip();
                        peer.write(message);
                    }
                }
                catch (final IOException ex)
                {
                    // The probe is over.
                }
            });
            final ByteBuffer message = ByteBuffer.allocateDirect(4);
            for (int i = 0; i < pings; i++)
            {
                final long start = System.nanoTime();
                message.clear().putInt(0, i);
                client.write(message);
                message.clear();
                while (message.hasRemaining())
                {
                    client.read(message);
                }
                histogram.recordValue(System.nanoTime() - start);
            }
            client.close();
            echo.join(5_000);
            peer.close();
        }
        finally
        {
            Files.deleteIfExists(path);
            Files.deleteIfExists(directory);
        }
        return histogram;
    }

    static Histogram sharedRings(final int pings, final boolean spin) throws IOException, InterruptedException
    {
        final Path file = Files.createTempFile(Files.isDirectory(Path.of("/dev/shm")) ? Path.of("/dev/shm") : null,
            "javisor-doorbell-", ".rings");
        final int ringBytes = RING_CAPACITY + RingBufferDescriptor.TRAILER_LENGTH;
        final Histogram histogram = histogram();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
             Arena arena = Arena.ofShared())
        {
            final MemorySegment mapping = channel.map(FileChannel.MapMode.READ_WRITE, 0, 2L * ringBytes, arena);
            final OneToOneRingBuffer ping = new OneToOneRingBuffer(new UnsafeBuffer(mapping.address(), ringBytes));
            final OneToOneRingBuffer pong = new OneToOneRingBuffer(new UnsafeBuffer(mapping.address() + ringBytes, ringBytes));
            final UnsafeBuffer message = new UnsafeBuffer(new byte[4]);
            final java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            final Thread echo = Thread.ofPlatform().name("doorbell-echo").start(() ->
            {
                final UnsafeBuffer reply = new UnsafeBuffer(new byte[4]);
                while (!stop.get())
                {
                    final int read = ping.read((type, buffer, index, length) ->
                    {
                        reply.putInt(0, buffer.getInt(index));
                        while (!pong.write(1, reply, 0, 4))
                        {
                            Thread.onSpinWait();
                        }
                    });
                    if (read == 0)
                    {
                        idle(spin);
                    }
                }
            });
            final int[] answered = new int[1];
            for (int i = 0; i < pings; i++)
            {
                final long start = System.nanoTime();
                message.putInt(0, i);
                while (!ping.write(1, message, 0, 4))
                {
                    Thread.onSpinWait();
                }
                answered[0] = 0;
                while (answered[0] == 0)
                {
                    if (pong.read((type, buffer, index, length) -> answered[0] = 1) == 0)
                    {
                        idle(spin);
                    }
                }
                histogram.recordValue(System.nanoTime() - start);
            }
            stop.set(true);
            echo.join(5_000);
        }
        finally
        {
            Files.deleteIfExists(file);
        }
        return histogram;
    }

    private static void idle(final boolean spin)
    {
        if (spin)
        {
            Thread.onSpinWait();
        }
        else
        {
            LockSupport.parkNanos(POLL_PARK_NANOS);
        }
    }

    private static Histogram histogram()
    {
        return new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
    }
}
