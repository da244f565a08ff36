package io.javisor.emulation.device.remote;

import java.io.EOFException;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ByteChannel;
import java.nio.charset.StandardCharsets;

/**
 * Reading and writing {@link StubProtocol} messages on a blocking channel, for both sides. Stateless.
 */
final class StubFrames
{
    private StubFrames()
    {
    }

    static void readFully(final ByteChannel channel, final ByteBuffer buffer) throws IOException
    {
        while (buffer.hasRemaining())
        {
            if (channel.read(buffer) < 0)
            {
                throw new EOFException("the channel ended");
            }
        }
    }

    static void writeFully(final ByteChannel channel, final ByteBuffer buffer) throws IOException
    {
        while (buffer.hasRemaining())
        {
            channel.write(buffer);
        }
    }

    /** A buffer for a set-up message's payload, its type already written. */
    static ByteBuffer setupMessage(final byte type, final int capacity)
    {
        final ByteBuffer buffer = ByteBuffer.allocate(4 + 1 + capacity).order(ByteOrder.LITTLE_ENDIAN);
        buffer.position(4);
        buffer.put(type);
        return buffer;
    }

    /** Sends a message made with {@link #setupMessage}, its length filled in. */
    static void sendSetup(final ByteChannel channel, final ByteBuffer message) throws IOException
    {
        message.flip();
        message.putInt(0, message.limit() - 4);
        writeFully(channel, message);
    }

    /**
     * @return the next set-up message, positioned at its type byte
     * @throws StubProtocolViolation for a length out of range
     */
    static ByteBuffer receiveSetup(final ByteChannel channel) throws IOException
    {
        final ByteBuffer length = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        readFully(channel, length);
        final int size = length.getInt(0);
        if (size < 1 || size > StubProtocol.MAX_SETUP_MESSAGE)
        {
            throw new StubProtocolViolation("a framed message of " + size + " bytes");
        }
        final ByteBuffer message = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        readFully(channel, message);
        return message.flip();
    }

    static void putString(final ByteBuffer buffer, final String text)
    {
        final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        buffer.putShort((short)bytes.length);
        buffer.put(bytes);
    }

    static int stringSize(final String text)
    {
        return 2 + text.getBytes(StandardCharsets.UTF_8).length;
    }

    /** @throws StubProtocolViolation when the buffer ends inside the string */
    static String getString(final ByteBuffer buffer)
    {
        try
        {
            final byte[] bytes = new byte[Short.toUnsignedInt(buffer.getShort())];
            buffer.get(bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        }
        catch (final BufferUnderflowException ex)
        {
            throw new StubProtocolViolation("a string runs past the end of its message");
        }
    }

    /** One line for a reason text from the other side: control characters shown as '?'. */
    static String printable(final String text)
    {
        final StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            out.append(c < 0x20 || c == 0x7F ? '?' : c);
        }
        return out.toString();
    }
}
