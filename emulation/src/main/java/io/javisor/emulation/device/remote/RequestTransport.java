package io.javisor.emulation.device.remote;

import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The stub side's way of taking register accesses and answering them ({@link StubChannelKind}).
 * Used by the stub's serving thread only.
 */
sealed interface RequestTransport permits RequestTransport.Socket, RequestTransport.Shared
{
    /** Fills {@code request} (a whole frame) with the next access; false once the channel has ended. */
    boolean next(ByteBuffer request) throws IOException;

    /** Sends {@code reply} (a whole frame), and after it {@code text} when not null (a FAILED reply). */
    void answer(ByteBuffer reply, byte[] text) throws IOException;

    static RequestTransport of(final ByteChannel channel, final String mailbox) throws IOException
    {
        if (mailbox.isEmpty())
        {
            return new Socket(channel);
        }
        try (FileChannel file = FileChannel.open(Path.of(mailbox), StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            if (file.size() < Mailbox.SIZE)
            {
                throw new IOException("mailbox " + mailbox + " is shorter than " + Mailbox.SIZE + " bytes");
            }
            return new Shared(channel, file.map(FileChannel.MapMode.READ_WRITE, 0, Mailbox.SIZE, Arena.ofAuto()));
        }
    }

    /** Frames on the socket, both ends blocking. */
    record Socket(ByteChannel channel) implements RequestTransport
    {
        @Override
        public boolean next(final ByteBuffer request) throws IOException
        {
            try
            {
                StubFrames.readFully(channel, request);
                return true;
            }
            catch (final EOFException ex)
            {
                return false;
            }
        }

        @Override
        public void answer(final ByteBuffer reply, final byte[] text) throws IOException
        {
            StubFrames.writeFully(channel, reply);
            if (text != null)
            {
                StubFrames.writeFully(channel, ByteBuffer.wrap(text));
            }
        }
    }

    /** Frames in the {@link Mailbox}, the socket for wake-ups. */
    final class Shared implements RequestTransport
    {
        private final ByteChannel channel;
        private final MemorySegment mailbox;
        private final ByteBuffer bell = ByteBuffer.allocateDirect(1);
        private final ByteBuffer bells = ByteBuffer.allocateDirect(64);
        private final long spinNanos = Mailbox.spinNanos();
        private long sequence;

        Shared(final ByteChannel channel, final MemorySegment mailbox)
        {
            this.channel = channel;
            this.mailbox = mailbox;
        }

        @Override
        public boolean next(final ByteBuffer request) throws IOException
        {
            try
            {
                sequence = Mailbox.await(mailbox, Mailbox.REQUEST_SEQ, sequence, Mailbox.STUB_PARKED, channel, bells, spinNanos);
            }
            catch (final EOFException ex)
            {
                return false;
            }
            Mailbox.copyOut(mailbox, Mailbox.REQUEST, MemorySegment.ofBuffer(request));
            return true;
        }

        @Override
        public void answer(final ByteBuffer reply, final byte[] text) throws IOException
        {
            if (text != null)
            {
                MemorySegment.copy(MemorySegment.ofArray(text), 0, mailbox, Mailbox.TEXT, text.length);
            }
            Mailbox.copyIn(mailbox, Mailbox.REPLY, MemorySegment.ofBuffer(reply));
            Mailbox.setRelease(mailbox, Mailbox.REPLY_SEQ, sequence);
            Mailbox.wake(mailbox, Mailbox.VCPU_PARKED, channel, bell);
        }
    }
}
