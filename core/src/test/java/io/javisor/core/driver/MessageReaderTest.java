package io.javisor.core.driver;

import org.junit.jupiter.api.Test;

import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The channel's reader takes whatever a hostile process writes: every bad length or payload is a
 * one-line {@link DriverProtocolException}, never an out-of-bounds read or an allocation of the
 * length's size.
 */
class MessageReaderTest
{
    @Test
    void aWellFormedMessageIsReadFieldByField() throws Exception
    {
        final ByteBuffer bytes = ByteBuffer.allocate(64);
        bytes.putInt(0).put(DriverProtocol.XS_WRITE).putInt(3).put("a/b".getBytes()).putInt(-1);
        bytes.putInt(0, bytes.position() - 4).flip();
        try (Pair pair = new Pair())
        {
            pair.send(bytes);
            assertEquals(DriverProtocol.XS_WRITE, pair.reader.next());
            assertEquals("a/b", pair.reader.getString());
            assertNull(pair.reader.getString());
            pair.reader.end();
        }
    }

    @Test
    void aLengthOutOfRangeIsAViolation() throws Exception
    {
        for (final int length : new int[] {0, -1, DriverProtocol.MAX_MESSAGE + 1, Integer.MAX_VALUE})
        {
            try (Pair pair = new Pair())
            {
                pair.send(ByteBuffer.allocate(8).putInt(length).putInt(0).flip());
                assertEquals("message length " + length + " is not 1.." + DriverProtocol.MAX_MESSAGE,
                    assertThrows(DriverProtocolException.class, pair.reader::next).getMessage());
            }
        }
    }

    @Test
    void fieldsBeyondTheMessageAStringLongerThanItAndLeftoverBytesAreViolations() throws Exception
    {
        try (Pair pair = new Pair())
        {
            pair.send(ByteBuffer.allocate(7).putInt(3).put(DriverProtocol.GNT_MAP).putShort((short)1).flip());
            pair.reader.next();
            assertEquals("message of type 6 is 4 bytes short", assertThrows(DriverProtocolException.class, pair.reader::getInt).getMessage());
        }
        try (Pair pair = new Pair())
        {
            pair.send(ByteBuffer.allocate(9).putInt(5).put(DriverProtocol.XS_READ).putInt(1000).flip());
            pair.reader.next();
            assertEquals("string of 1000 bytes in a message with 0 left",
                assertThrows(DriverProtocolException.class, pair.reader::getString).getMessage());
        }
        try (Pair pair = new Pair())
        {
            pair.send(ByteBuffer.allocate(10).putInt(6).put(DriverProtocol.EVT_SEND).putInt(5).put((byte)9).flip());
            pair.reader.next();
            pair.reader.getInt();
            assertEquals("1 bytes left over in a message of type 10",
                assertThrows(DriverProtocolException.class, pair.reader::end).getMessage());
        }
    }

    @Test
    void aStringThatIsNotUtf8IsAViolation() throws Exception
    {
        try (Pair pair = new Pair())
        {
            pair.send(ByteBuffer.allocate(11).putInt(7).put(DriverProtocol.XS_READ).putInt(2).put((byte)0xC3).put((byte)0x28).flip());
            pair.reader.next();
            assertEquals("string is not UTF-8", assertThrows(DriverProtocolException.class, pair.reader::getString).getMessage());
        }
    }

    @Test
    void theChannelEndingBetweenMessagesOrInsideOneIsAnEndOfFile() throws Exception
    {
        try (Pair pair = new Pair())
        {
            pair.writer.close();
            assertEquals("channel closed", assertThrows(EOFException.class, pair.reader::next).getMessage());
        }
        try (Pair pair = new Pair())
        {
            pair.send(ByteBuffer.allocate(6).putInt(100).putShort((short)1).flip());
            pair.writer.close();
            assertEquals("channel closed inside a message", assertThrows(EOFException.class, pair.reader::next).getMessage());
        }
    }

    /** Two ends of a Unix domain socket: raw bytes in, a {@link MessageReader} out. */
    private static final class Pair implements AutoCloseable
    {
        final Path directory = Files.createTempDirectory("javisor-reader-");
        final SocketChannel writer;
        final SocketChannel readerChannel;
        final MessageReader reader;

        Pair() throws IOException
        {
            final Path socket = directory.resolve("s");
            try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX))
            {
                server.bind(UnixDomainSocketAddress.of(socket));
                writer = SocketChannel.open(StandardProtocolFamily.UNIX);
                writer.connect(UnixDomainSocketAddress.of(socket));
                readerChannel = server.accept();
            }
            reader = new MessageReader(readerChannel);
            Files.delete(socket);
        }

        void send(final ByteBuffer bytes) throws IOException
        {
            while (bytes.hasRemaining())
            {
                writer.write(bytes);
            }
        }

        @Override
        public void close() throws IOException
        {
            writer.close();
            readerChannel.close();
            Files.delete(directory);
        }
    }
}
