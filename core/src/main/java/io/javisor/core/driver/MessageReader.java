package io.javisor.core.driver;

import org.agrona.MutableDirectBuffer;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Reads {@link DriverProtocol} messages from one end of a driver domain's channel, checking every
 * length before it is used: the peer may be hostile, so a bad length or a payload that does not
 * parse is a {@link DriverProtocolException}, never an out-of-bounds read.
 * <p>
 * Not thread-safe: one reader thread owns it; the fields of a message are valid until the next
 * {@link #next()}.
 */
final class MessageReader
{
    private final SocketChannel channel;
    private final ByteBuffer header = ByteBuffer.allocate(4);
    private final ByteBuffer body = ByteBuffer.allocate(DriverProtocol.MAX_MESSAGE);
    private byte type;

    MessageReader(final SocketChannel channel)
    {
        this.channel = channel;
    }

    /**
     * Blocks for the next message.
     *
     * @return its type.
     * @throws EOFException when the peer closed the channel between messages.
     */
    byte next() throws IOException, DriverProtocolException
    {
        header.clear();
        if (!fill(header, true))
        {
            throw new EOFException("channel closed");
        }
        final int length = header.getInt(0);
        if (length < 1 || length > DriverProtocol.MAX_MESSAGE)
        {
            throw new DriverProtocolException("message length " + length + " is not 1.." + DriverProtocol.MAX_MESSAGE);
        }
        body.clear().limit(length);
        fill(body, false);
        body.flip();
        type = body.get();
        return type;
    }

    byte type()
    {
        return type;
    }

    int getInt() throws DriverProtocolException
    {
        need(4);
        return body.getInt();
    }

    long getLong() throws DriverProtocolException
    {
        need(8);
        return body.getLong();
    }

    int getByte() throws DriverProtocolException
    {
        need(1);
        return body.get() & 0xFF;
    }

    String getString() throws DriverProtocolException
    {
        final int length = getInt();
        if (length == -1)
        {
            return null;
        }
        if (length < 0 || length > body.remaining())
        {
            throw new DriverProtocolException("string of " + length + " bytes in a message with " + body.remaining() + " left");
        }
        final ByteBuffer bytes = body.slice(body.position(), length);
        body.position(body.position() + length);
        try
        {
            return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(bytes).toString();
        }
        catch (final CharacterCodingException ex)
        {
            throw new DriverProtocolException("string is not UTF-8");
        }
    }

    /**
     * Copies a byte field ({@code i32 length | bytes}) into {@code dst} from its start.
     *
     * @return the field's length.
     * @throws DriverProtocolException when the field is negative, longer than the message or than {@code dst}.
     */
    int getBytes(final MutableDirectBuffer dst) throws DriverProtocolException
    {
        need(4);
        final int length = body.getInt();
        if (length < 0 || length > body.remaining() || length > dst.capacity())
        {
            throw new DriverProtocolException("byte field of " + length + " bytes in a message of type " + type);
        }
        dst.putBytes(0, body, body.position(), length);
        body.position(body.position() + length);
        return length;
    }

    /**
     * @throws DriverProtocolException when the message has bytes its type does not define.
     */
    void end() throws DriverProtocolException
    {
        if (body.hasRemaining())
        {
            throw new DriverProtocolException(body.remaining() + " bytes left over in a message of type " + type);
        }
    }

    private void need(final int bytes) throws DriverProtocolException
    {
        if (body.remaining() < bytes)
        {
            throw new DriverProtocolException("message of type " + type + " is " + bytes + " bytes short");
        }
    }

    /**
     * @return false when the channel ended before the first byte and {@code atBoundary} allows it.
     */
    private boolean fill(final ByteBuffer buffer, final boolean atBoundary) throws IOException
    {
        final boolean empty = buffer.position() == 0;
        while (buffer.hasRemaining())
        {
            if (channel.read(buffer) < 0)
            {
                if (atBoundary && empty && buffer.position() == 0)
                {
                    return false;
                }
                throw new EOFException("channel closed inside a message");
            }
        }
        return true;
    }
}
