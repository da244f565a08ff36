package io.javisor.core.toolstack;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.function.IntConsumer;

/**
 * Carries a domain's console output to one attached client without ever blocking the guest: the
 * guest's thread appends to a bounded buffer ({@link #accept}; bytes beyond {@link #CAPACITY}
 * waiting are dropped), and a thread of the stream's own writes them to the client's
 * socket. The buffer is guarded by this object's monitor.
 */
final class ConsoleStream implements IntConsumer
{
    static final int CAPACITY = 64 * 1024;

    private final SocketChannel channel;
    private final byte[] buffer = new byte[CAPACITY];
    private int head;
    private int count;
    private boolean closed;
    private final Thread writer;

    ConsoleStream(final SocketChannel channel, final String name)
    {
        this.channel = channel;
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
        if (count == CAPACITY)
        {
            return; // the client reads slower than the guest writes: it misses these bytes
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
