package io.javisor.core.stubdom;

import io.javisor.emulation.device.remote.StubProtocol;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;

/**
 * A hostile stub domain process: a correct hello and window list for one ATA disk, then garbage
 * (random bytes seeded by its pid, which it prints): on a socket channel, a random frame for every
 * request; with a mailbox, random words over the whole mailbox and random bytes on the socket every
 * millisecond. It stays up until killed.
 */
public final class GarbageStubMain
{
    private GarbageStubMain()
    {
    }

    public static void main(final String[] args) throws IOException, InterruptedException
    {
        final long seed = ProcessHandle.current().pid();
        System.out.println("garbage stub: seed " + seed);
        final Random random = new Random(seed);
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX))
        {
            channel.connect(UnixDomainSocketAddress.of(Path.of(args[0])));
            final ByteBuffer hello = ByteBuffer.allocate(13).order(ByteOrder.LITTLE_ENDIAN);
            hello.putInt(9).put(StubProtocol.HELLO).putLong(Long.parseLong(args[1])).flip();
            write(channel, hello);
            final String mailbox = mailboxOf(readSetup(channel));
            final ByteBuffer windows = ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN);
            windows.putInt(0).put(StubProtocol.WINDOWS).put((byte)2);
            for (final String name : new String[] {"ata0.command", "ata0.control"})
            {
                final int size = name.endsWith("command") ? 32 : 4;
                windows.put((byte)0).putShort((short)name.length()).put(name.getBytes(StandardCharsets.US_ASCII));
                windows.putInt(size);
                final byte[] every = new byte[size / 2];
                Arrays.fill(every, (byte)-1);
                windows.put(every);
            }
            windows.flip();
            windows.putInt(0, windows.limit() - 4);
            write(channel, windows);
            answerGarbage(channel, mailbox, random);
        }
        catch (final IOException ex)
        {
            // Disconnected: wait to be killed, as a stuck process would.
            Thread.sleep(Long.MAX_VALUE);
        }
    }

    /**
     * Garbage for every access from here on: a random frame per request on the socket, or random words
     * over all of {@code mailbox} and random bytes on the socket every millisecond; until the channel breaks.
     */
    static void answerGarbage(final SocketChannel channel, final String mailbox, final Random random)
        throws IOException, InterruptedException
    {
        if (mailbox.isEmpty())
        {
            final byte[] garbage = new byte[StubProtocol.FRAME];
            while (true)
            {
                read(channel, ByteBuffer.allocate(StubProtocol.FRAME));
                random.nextBytes(garbage);
                write(channel, ByteBuffer.wrap(garbage));
            }
        }
        final MappedByteBuffer shared;
        try (FileChannel file = FileChannel.open(Path.of(mailbox), StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            shared = file.map(FileChannel.MapMode.READ_WRITE, 0, 4096);
        }
        while (true)
        {
            for (int i = 0; i < 4096; i += 8)
            {
                shared.putLong(i, random.nextLong());
            }
            write(channel, ByteBuffer.wrap(new byte[] {(byte)random.nextInt()}));
            Thread.sleep(1);
        }
    }

    static ByteBuffer readSetup(final SocketChannel channel) throws IOException
    {
        final ByteBuffer length = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        read(channel, length);
        final ByteBuffer message = ByteBuffer.allocate(length.getInt(0)).order(ByteOrder.LITTLE_ENDIAN);
        read(channel, message);
        return message.flip();
    }

    /** The DEVICES message's last string. */
    static String mailboxOf(final ByteBuffer devices)
    {
        devices.get(); // type
        final int count = Byte.toUnsignedInt(devices.get());
        for (int i = 0; i < count; i++)
        {
            devices.get();
            final int length = Short.toUnsignedInt(devices.getShort());
            devices.position(devices.position() + length);
        }
        final byte[] path = new byte[Short.toUnsignedInt(devices.getShort())];
        devices.get(path);
        return new String(path, StandardCharsets.UTF_8);
    }

    static void read(final SocketChannel channel, final ByteBuffer buffer) throws IOException
    {
        while (buffer.hasRemaining())
        {
            if (channel.read(buffer) < 0)
            {
                throw new IOException("ended");
            }
        }
    }

    static void write(final SocketChannel channel, final ByteBuffer buffer) throws IOException
    {
        while (buffer.hasRemaining())
        {
            channel.write(buffer);
        }
    }
}
