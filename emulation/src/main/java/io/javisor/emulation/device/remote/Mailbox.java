package io.javisor.emulation.device.remote;

import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.ClosedChannelException;

/**
 * The shared-memory mailbox of a {@link StubChannelKind#MAILBOX} channel: one page of a file both
 * processes map, holding one request and one reply frame ({@link StubProtocol#FRAME} bytes each), a
 * failure text, and four sequence and state words, each on a cache line of its own:
 * <pre>
 *   0 request sequence (vCPU side writes)     64 reply sequence (stub writes)
 * 128 stub parked: 1 while the stub may block in a read of the socket (stub writes)
 * 192 vCPU parked: 1 while the vCPU may block in a read of the socket (vCPU side writes)
 * 256 request frame   320 reply frame   384 failure text (up to {@link StubProtocol#MAX_FAILURE_TEXT} bytes)
 * </pre>
 * A frame is written before its sequence is published (release) and read after the sequence is seen
 * (acquire). Waking a parked peer: publish, full fence, read its parked word, and if set write one
 * {@link #DOORBELL} byte on the socket; a side that parks sets its word, fences, and looks at the
 * sequence once more before it reads the socket, so a wake-up is never lost (each side's store comes
 * before its load, and one of them sees the other's). A stale doorbell only makes a side look again.
 * Any socket byte other than {@link #DOORBELL} is garbage.
 * <p>
 * Stateless helpers over the segment; each side is the single writer of its own words.
 */
final class Mailbox
{
    static final long SIZE = 4096;
    static final long REQUEST_SEQ = 0;
    static final long REPLY_SEQ = 64;
    static final long STUB_PARKED = 128;
    static final long VCPU_PARKED = 192;
    static final long REQUEST = 256;
    static final long REPLY = 320;
    static final long TEXT = 384;
    static final byte DOORBELL = 1;
    /** How long a side spins on the other's sequence before it parks, in ns. */
    static final String SPIN_PROPERTY = "javisor.stubdom.spinNanos";
    private static final long DEFAULT_SPIN_NANOS = 50_000;
    /** Checks with a pause between them before the spin yields the core between checks. */
    private static final int PURE_SPINS = 256;

    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    private Mailbox()
    {
    }

    /** @return the spin before parking: {@value #SPIN_PROPERTY}, else 50 us */
    static long spinNanos()
    {
        return Long.getLong(SPIN_PROPERTY, DEFAULT_SPIN_NANOS);
    }

    static long getAcquire(final MemorySegment mailbox, final long offset)
    {
        return (long)LONG.getAcquire(mailbox, offset);
    }

    static void setRelease(final MemorySegment mailbox, final long offset, final long value)
    {
        LONG.setRelease(mailbox, offset, value);
    }

    static void setVolatile(final MemorySegment mailbox, final long offset, final long value)
    {
        LONG.setVolatile(mailbox, offset, value);
    }

    /** A frame into the mailbox; {@code frame} is a view of a whole frame buffer. */
    static void copyIn(final MemorySegment mailbox, final long offset, final MemorySegment frame)
    {
        MemorySegment.copy(frame, 0, mailbox, offset, StubProtocol.FRAME);
    }

    static void copyOut(final MemorySegment mailbox, final long offset, final MemorySegment frame)
    {
        MemorySegment.copy(mailbox, offset, frame, 0, StubProtocol.FRAME);
    }

    /** After publishing: wakes the peer with a doorbell when it may be parked. */
    static void wake(final MemorySegment mailbox, final long peerParked, final ByteChannel socket, final ByteBuffer bell)
        throws IOException
    {
        VarHandle.fullFence();
        if ((long)LONG.getVolatile(mailbox, peerParked) != 0)
        {
            bell.clear();
            bell.put(0, DOORBELL);
            bell.limit(1);
            StubFrames.writeFully(socket, bell);
        }
    }

    /**
     * Waits until the word at {@code seqOffset} differs from {@code old}: looks {@value #PURE_SPINS}
     * times with a pause between, then yields the core between looks (the peer may need it), up to
     * {@code spinNanos} in all, then parks in reads of the socket (setting {@code ownParked} meanwhile).
     *
     * @return the new value
     * @throws EOFException             when the socket ends while parked
     * @throws ClosedChannelException   when the socket was closed (the channel failed)
     * @throws StubProtocolViolation    for a socket byte that is not a doorbell
     */
    static long await(final MemorySegment mailbox, final long seqOffset, final long old, final long ownParked,
        final ByteChannel socket, final ByteBuffer bells, final long spinNanos) throws IOException
    {
        long spinStart = System.nanoTime();
        int checks = 0;
        while (true)
        {
            final long seq = getAcquire(mailbox, seqOffset);
            if (seq != old)
            {
                return seq;
            }
            if ((++checks & 63) == 0)
            {
                if (!socket.isOpen())
                {
                    throw new ClosedChannelException();
                }
                if (System.nanoTime() - spinStart > spinNanos)
                {
                    final long woken = park(mailbox, seqOffset, old, ownParked, socket, bells);
                    if (woken != old)
                    {
                        return woken;
                    }
                    spinStart = System.nanoTime();
                    checks = 0;
                }
            }
            if (checks < PURE_SPINS)
            {
                Thread.onSpinWait();
            }
            else
            {
                // The peer may wait for this very core: let it run (a pure spin would hold the core until it parks).
                Thread.yield();
            }
        }
    }

    private static long park(final MemorySegment mailbox, final long seqOffset, final long old, final long ownParked,
        final ByteChannel socket, final ByteBuffer bells) throws IOException
    {
        setVolatile(mailbox, ownParked, 1);
        try
        {
            VarHandle.fullFence();
            final long seq = getAcquire(mailbox, seqOffset);
            if (seq != old)
            {
                return seq;
            }
            bells.clear();
            if (socket.read(bells) < 0)
            {
                throw new EOFException("the channel ended");
            }
            for (int i = 0; i < bells.position(); i++)
            {
                if (bells.get(i) != DOORBELL)
                {
                    throw new StubProtocolViolation("byte " + bells.get(i) + " on the socket where only wake-ups go");
                }
            }
            return getAcquire(mailbox, seqOffset);
        }
        finally
        {
            setVolatile(mailbox, ownParked, 0);
        }
    }
}
