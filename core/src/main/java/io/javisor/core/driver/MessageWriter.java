package io.javisor.core.driver;

import org.agrona.DirectBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Writes {@link DriverProtocol} messages to one end of a driver domain's channel.
 * <p>
 * Thread-safe: a message is built and written under a lock ({@link #start} takes it, {@link #send}
 * or {@link #abandon} releases it), so messages from several threads never interleave. The
 * one-port messages of the data path ({@link #sendPort}) allocate nothing.
 */
final class MessageWriter
{
    private final SocketChannel channel;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(4 + DriverProtocol.MAX_MESSAGE);
    private final ReentrantLock lock = new ReentrantLock();

    MessageWriter(final SocketChannel channel)
    {
        this.channel = channel;
    }

    /**
     * Starts a message of {@code type}; the caller adds its fields and calls {@link #send}.
     */
    MessageWriter start(final byte type)
    {
        lock.lock();
        buffer.clear();
        buffer.putInt(0).put(type);
        return this;
    }

    MessageWriter putInt(final int value)
    {
        buffer.putInt(value);
        return this;
    }

    MessageWriter putLong(final long value)
    {
        buffer.putLong(value);
        return this;
    }

    MessageWriter putByte(final int value)
    {
        buffer.put((byte)value);
        return this;
    }

    /**
     * Adds a byte field: {@code i32 length | bytes}, the bytes copied from {@code src}.
     */
    MessageWriter putBytes(final DirectBuffer src, final int offset, final int length)
    {
        if (length + 4 > buffer.remaining())
        {
            abandon();
            throw new IllegalArgumentException("a byte field of " + length + " bytes does not fit a message");
        }
        buffer.putInt(length);
        src.getBytes(offset, buffer, buffer.position(), length);
        buffer.position(buffer.position() + length);
        return this;
    }

    MessageWriter putString(final String value)
    {
        if (value == null)
        {
            buffer.putInt(-1);
            return this;
        }
        final byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        if (bytes.length + 4 > buffer.remaining())
        {
            abandon();
            throw new IllegalArgumentException("a string of " + bytes.length + " bytes does not fit in a message");
        }
        buffer.putInt(bytes.length).put(bytes);
        return this;
    }

    /**
     * Writes the message started by {@link #start} and releases the lock.
     */
    void send() throws IOException
    {
        try
        {
            buffer.putInt(0, buffer.position() - 4);
            buffer.flip();
            while (buffer.hasRemaining())
            {
                channel.write(buffer);
            }
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Releases the lock of a message that could not be built (too large for the buffer).
     */
    void abandon()
    {
        if (lock.isHeldByCurrentThread())
        {
            lock.unlock();
        }
    }

    /**
     * Writes a message whose payload is one port number.
     */
    void sendPort(final byte type, final int port) throws IOException
    {
        start(type).putInt(port).send();
    }
}
