package io.javisor.perf.stubdom;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The far end of {@link ChannelProbe}: a process that answers each request frame at once, over a Unix
 * domain socket ({@code uds SOCKET}: read a frame, write it back) or over a shared-memory mailbox
 * ({@code shm FILE}: spin until the request sequence moves, copy the request and publish the reply
 * sequence). It ends when the socket ends, at sequence -1, or when its parent is gone.
 */
public final class ChannelEchoMain
{
    static final int FRAME = 24;
    /** Mailbox layout: request sequence, reply sequence (a cache line apart), request and reply frames. */
    static final int REQUEST_SEQ = 0;
    static final int REPLY_SEQ = 64;
    static final int REQUEST = 128;
    static final int REPLY = 192;
    static final int MAILBOX = 256;
    static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private ChannelEchoMain()
    {
    }

    public static void main(final String[] args) throws IOException
    {
        if ("uds".equals(args[0]))
        {
            echoSocket(Path.of(args[1]));
        }
        else
        {
            echoMailbox(Path.of(args[1]));
        }
    }

    private static void echoSocket(final Path socket) throws IOException
    {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX))
        {
            channel.connect(UnixDomainSocketAddress.of(socket));
            final ByteBuffer frame = ByteBuffer.allocateDirect(FRAME);
            while (true)
            {
                frame.clear();
                while (frame.hasRemaining())
                {
                    if (channel.read(frame) < 0)
                    {
                        return;
                    }
                }
                frame.flip();
                while (frame.hasRemaining())
                {
                    channel.write(frame);
                }
            }
        }
    }

    private static void echoMailbox(final Path file) throws IOException
    {
        final MappedByteBuffer mailbox;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            mailbox = channel.map(FileChannel.MapMode.READ_WRITE, 0, MAILBOX);
        }
        final ProcessHandle parent = ProcessHandle.current().parent().orElseThrow();
        long seen = 0;
        long spins = 0;
        while (true)
        {
            final long seq = (long)LONGS.getAcquire(mailbox, REQUEST_SEQ);
            if (seq == seen)
            {
                Thread.onSpinWait();
                if (++spins % 10_000_000 == 0 && !parent.isAlive())
                {
                    return;
                }
                continue;
            }
            if (seq == -1)
            {
                return;
            }
            for (int i = 0; i < FRAME; i += 8)
            {
                mailbox.putLong(REPLY + i, mailbox.getLong(REQUEST + i));
            }
            LONGS.setRelease(mailbox, REPLY_SEQ, seq);
            seen = seq;
        }
    }
}
