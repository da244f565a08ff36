package io.javisor.perf.net;

import io.javisor.netback.FrameHandler;
import io.javisor.netback.NetFront;
import io.javisor.perf.ring.PingPong;
import org.HdrHistogram.Histogram;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.TimeUnit;

/**
 * Ping-pong between the two guests of a {@link NetRig}, both front ends driven by the calling
 * thread: guest A sends a frame to B and flushes; B's poll hands it to an echo handler that
 * copies it out of the receive buffer, swaps the MAC addresses and sends it back, and B flushes;
 * A polls until the echo arrives. A round trip is timed from before A's send to after A's handler
 * has seen the echo, so it holds two passes through the back end (A → bridge → B, B → bridge → A)
 * and every copy a guest and the back end make on the way.
 * <p>
 * The recording loop allocates nothing: two {@link System#nanoTime()} reads and one
 * {@link Histogram#recordValue} per round trip.
 */
public final class NetPingPong
{
    private static final int SETTLE_ROUND_TRIPS = 2_000;
    private static final int STALL_CHECK_SPINS = 1 << 18;
    private static final long STALL_LIMIT_NS = TimeUnit.SECONDS.toNanos(10);

    private final NetRig rig;
    private final NetFront a;
    private final NetFront b;
    private final int frameSize;
    private final UnsafeBuffer request;
    private final Echo echo;
    private final Reply reply = new Reply();
    private long nextSeq = 1;
    private long mismatches;

    public NetPingPong(final NetRig rig, final int frameSize)
    {
        this.rig = rig;
        this.a = rig.frontA();
        this.b = rig.frontB();
        this.frameSize = frameSize;
        this.request = NetRig.frame(NetRig.MAC_B, NetRig.MAC_A, frameSize);
        this.echo = new Echo(b);
    }

    public int frameSize()
    {
        return frameSize;
    }

    /**
     * Round trips whose echo carried another sequence number than the frame sent (must be 0).
     */
    public long mismatches()
    {
        return mismatches;
    }

    /**
     * Unrecorded round trips, so that both paths are compiled and the bridge has learned both
     * addresses before anything is recorded.
     */
    public void settle()
    {
        for (int i = 0; i < SETTLE_ROUND_TRIPS; i++)
        {
            if (roundTrip(nextSeq) != nextSeq)
            {
                mismatches++;
            }
            nextSeq++;
        }
    }

    /**
     * Records every round trip made in {@code durationNs} into {@code histogram}.
     *
     * @return the number of round trips recorded.
     */
    public long measure(final long durationNs, final Histogram histogram)
    {
        final long deadline = System.nanoTime() + durationNs;
        long seq = nextSeq;
        long bad = 0;
        long end;
        do
        {
            final long start = System.nanoTime();
            final long echoed = roundTrip(seq);
            end = System.nanoTime();
            histogram.recordValue(Math.min(end - start, PingPong.HIGHEST_TRACKABLE_NS));
            if (echoed != seq)
            {
                bad++;
            }
            seq++;
        }
        while (end < deadline);
        mismatches += bad;
        final long count = seq - nextSeq;
        nextSeq = seq;
        return count;
    }

    /**
     * One round trip: A → B, echoed B → A.
     *
     * @return the sequence number the echo carried.
     */
    public long roundTrip(final long seq)
    {
        final NetFront a = this.a;
        final NetFront b = this.b;
        request.putLong(NetRig.SEQ_OFFSET, seq);
        if (!a.send(request, 0, frameSize))
        {
            throw new IllegalStateException("guest A's transmit ring is full with one frame in flight");
        }
        a.flush();
        final long sentAt = System.nanoTime();
        int spins = 0;
        while (b.poll(echo) == 0)
        {
            Thread.onSpinWait();
            if (++spins == STALL_CHECK_SPINS)
            {
                spins = 0;
                checkStall(sentAt, "B to receive");
            }
        }
        b.flush();
        while (a.poll(reply) == 0)
        {
            Thread.onSpinWait();
            if (++spins == STALL_CHECK_SPINS)
            {
                spins = 0;
                checkStall(sentAt, "A to receive the echo");
            }
        }
        return reply.seq;
    }

    private void checkStall(final long sentAt, final String what)
    {
        if (echo.failed != 0)
        {
            throw new IllegalStateException("guest B could not send the echo: its transmit ring is full");
        }
        final String fault = rig.fault();
        if (fault != null)
        {
            throw new IllegalStateException("network path stopped: " + fault);
        }
        final long waited = System.nanoTime() - sentAt;
        if (waited > STALL_LIMIT_NS)
        {
            throw new IllegalStateException("ping-pong: waited " + TimeUnit.NANOSECONDS.toSeconds(waited) + " s for "
                + what + " (drops so far " + rig.drops() + ")");
        }
    }

    /**
     * B's side: copies the frame out of the receive buffer (which goes back to the back end when
     * this returns), swaps destination and source MAC, and queues it on B's transmit ring.
     */
    private static final class Echo implements FrameHandler
    {
        private final NetFront front;
        private final UnsafeBuffer copy;
        long failed;

        Echo(final NetFront front)
        {
            this.front = front;
            this.copy = NetRig.frame(NetRig.MAC_A, NetRig.MAC_B, NetRig.MAX_FRAME);
        }

        @Override
        public void onFrame(final DirectBuffer frame, final int offset, final int length)
        {
            final int n = Math.min(length, copy.capacity());
            frame.getBytes(offset, copy, 0, n);
            final int dstHigh = copy.getInt(0);
            final short dstLow = copy.getShort(4);
            copy.putInt(0, copy.getInt(6));
            copy.putShort(4, copy.getShort(10));
            copy.putInt(6, dstHigh);
            copy.putShort(10, dstLow);
            if (!front.send(copy, 0, n))
            {
                failed++;
            }
        }
    }

    /** A's side: takes the sequence number out of the echo. */
    private static final class Reply implements FrameHandler
    {
        long seq;

        @Override
        public void onFrame(final DirectBuffer frame, final int offset, final int length)
        {
            seq = frame.getLong(offset + NetRig.SEQ_OFFSET);
        }
    }
}
