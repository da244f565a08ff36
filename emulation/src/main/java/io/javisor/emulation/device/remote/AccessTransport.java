package io.javisor.emulation.device.remote;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * The vCPU side's way of carrying one register access to the stub and its reply back
 * ({@link StubChannelKind}). Used by the vCPU thread only; {@link #close} once it no longer runs.
 */
sealed interface AccessTransport permits AccessTransport.Socket, AccessTransport.Shared
{
    /**
     * Sends {@code request} (a whole frame) and fills {@code reply} (a whole frame); the frames'
     * fields are the caller's to check.
     *
     * @throws StubProtocolViolation when the stub breaks the channel's own rules
     */
    void exchange(ByteBuffer request, ByteBuffer reply) throws IOException;

    /** The failure text a FAILED reply announced, {@code length} bytes. */
    byte[] failureText(int length) throws IOException;

    /** Lets go of what the transport maps; the socket is the owner's to close. */
    void close();

    /** Frames on the socket, both ends blocking. */
    record Socket(SocketChannel channel) implements AccessTransport
    {
        @Override
        public void exchange(final ByteBuffer request, final ByteBuffer reply) throws IOException
        {
            StubFrames.writeFully(channel, request);
            StubFrames.readFully(channel, reply);
        }

        @Override
        public byte[] failureText(final int length) throws IOException
        {
            final ByteBuffer text = ByteBuffer.allocate(length);
            StubFrames.readFully(channel, text);
            return text.array();
        }

        @Override
        public void close()
        {
        }
    }

    /** Frames in the {@link Mailbox}, the socket for wake-ups. */
    final class Shared implements AccessTransport
    {
        private final SocketChannel channel;
        private final Arena arena;
        private final MemorySegment mailbox;
        private final ByteBuffer bell = ByteBuffer.allocateDirect(1);
        private final ByteBuffer bells = ByteBuffer.allocateDirect(64);
        private final long spinNanos = Mailbox.spinNanos();
        private long sequence;

        Shared(final SocketChannel channel, final Arena arena, final MemorySegment mailbox)
        {
            this.channel = channel;
            this.arena = arena;
            this.mailbox = mailbox;
        }

        @Override
        public void exchange(final ByteBuffer request, final ByteBuffer reply) throws IOException
        {
            Mailbox.copyIn(mailbox, Mailbox.REQUEST, MemorySegment.ofBuffer(request));
            final long seq = ++sequence;
            Mailbox.setRelease(mailbox, Mailbox.REQUEST_SEQ, seq);
            Mailbox.wake(mailbox, Mailbox.STUB_PARKED, channel, bell);
            final long answered = Mailbox.await(mailbox, Mailbox.REPLY_SEQ, seq - 1, Mailbox.VCPU_PARKED, channel, bells, spinNanos);
            if (answered != seq)
            {
                throw new StubProtocolViolation("reply sequence " + answered + " to request " + seq);
            }
            Mailbox.copyOut(mailbox, Mailbox.REPLY, MemorySegment.ofBuffer(reply));
        }

        @Override
        public byte[] failureText(final int length)
        {
            return mailbox.asSlice(Mailbox.TEXT, length).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        }

        @Override
        public void close()
        {
            arena.close();
        }
    }
}
