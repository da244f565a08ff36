package io.javisor.core.toolstack;

import io.javisor.memory.blocking.BlockingSection;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.function.IntConsumer;

/**
 * Carries a domain's console output to one attached client, off the guest's thread: the guest's
 * thread appends to a bounded buffer ({@link #accept}) and a thread of the stream's own writes it to
 * the client's channel (a socket, or the terminal of {@code javisor run}). A daemon's client that
 * reads slower than the guest writes misses the bytes beyond {@link #CAPACITY} (the guest never
 * waits for a client); the foreground terminal loses nothing, so a guest that outpaces it waits
 * for room ({@code lossless}). The buffer is guarded by this object's monitor.
 */
final class ConsoleStream implements IntConsumer
{
    static final int CAPACITY = 64 * 1024;

    private final WritableByteChannel channel;
    private final boolean lossless;
    private final byte[] buffer = new byte[CAPACITY];
    private int head;
    private int count;
    private boolean closed;
    private final Thread writer;

    ConsoleStream(final WritableByteChannel channel, final String name, final boolean lossless)
    {
        this.channel = channel;
        this.lossless = lossless;
        this.writer = Thread.ofPlatform().name(name).daemon().unstarted(this::drain);
    }

    void start()
    {
        writer.start();
    }

    @Override
    public synchronized void accept(final int b)
    {
        if (closed)
        {
            return;
        }
        while (count == CAPACITY)
        {
            if (!lossless)
            {
                return; // the client reads slower than the guest writes: it misses these bytes
            }
            // The guest's vCPU thread waits for the terminal: a scheduler worker lends its place meanwhile.
            final BlockingSection.Compensator blocking = BlockingSection.begin();
            try
            {
                wait();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return;
            }
            finally
            {
                BlockingSection.end(blocking);
            }
            if (closed)
            {
                return;
            }
        }
        buffer[(head + count) % CAPACITY] = (byte)b;
        count++;
        notifyAll();
    }

    private void drain()
    {
        final ByteBuffer out = ByteBuffer.allocate(CAPACITY);
        try
        {
            while (true)
            {
                synchronized (this)
                {
                    while (count == 0 && !closed)
                    {
                        wait();
                    }
                    if (count == 0)
                    {
                        return;
                    }
                    out.clear();
                    final int n = count;
                    for (int i = 0; i < n; i++)
                    {
                        out.put(buffer[(head + i) % CAPACITY]);
                    }
                    head = (head + n) % CAPACITY;
                    count = 0;
                    notifyAll(); // a lossless writer waits for room
                }
                out.flip();
                while (out.hasRemaining())
                {
                    channel.write(out);
                }
            }
        }
        catch (final IOException | InterruptedException gone)
        {
            close(); // the client went away
        }
    }

    synchronized void close()
    {
        closed = true;
        notifyAll();
    }

    void join()
    {
        try
        {
            writer.join(1000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
