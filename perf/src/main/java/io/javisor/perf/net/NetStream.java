package io.javisor.perf.net;

import io.javisor.netback.FrameHandler;
import io.javisor.netback.NetFront;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.TimeUnit;

/**
 * Streams frames of one size from guest A to guest B of a {@link NetRig}, both front ends driven
 * by the calling thread, in a loop of: queue up to {@code batch} frames on A's transmit ring (each
 * carrying its sequence number), flush once (one {@code req_prod} publication and at most one
 * notification per batch), poll A (reclaims its transmit pages), poll B (hands every received
 * frame to a handler that reads its sequence number, and reposts the receive buffers).
 * <p>
 * A window keeps at most {@code window} frames between A's send and B's handler, as a transport
 * protocol's flow control would: B never runs out of posted receive buffers for lack of polling,
 * so what is measured is the forwarding rate, not a drop rate. Drops are still counted from the
 * vifs' statistics (they must stay 0).
 * <p>
 * Throughput is the frames B's handler saw between the start and the deadline over that time; the
 * frames still in flight at the deadline are then drained, unrecorded. Nothing in the loop allocates.
 */
public final class NetStream
{
    private static final long STALL_LIMIT_NS = TimeUnit.SECONDS.toNanos(10);

    private final NetRig rig;
    private final NetFront a;
    private final NetFront b;
    private final int frameSize;
    private final int batch;
    private final int window;
    private final UnsafeBuffer frame;
    private final Counter counter = new Counter();
    private final FrameHandler ignore = (buffer, offset, length) -> { };
    private long nextSeq;
    private long lastFrames;
    private long lastElapsedNs;
    private long lastSent;
    private long lastDrops;

    /**
     * @param batch  most frames queued before each flush
     * @param window most frames sent and not yet seen by B's handler
     */
    public NetStream(final NetRig rig, final int frameSize, final int batch, final int window)
    {
        if (batch < 1 || window < 1)
        {
            throw new IllegalArgumentException("batch and window must be >= 1: " + batch + ", " + window);
        }
        this.rig = rig;
        this.a = rig.frontA();
        this.b = rig.frontB();
        this.frameSize = frameSize;
        this.batch = batch;
        this.window = window;
        this.frame = NetRig.frame(NetRig.MAC_B, NetRig.MAC_A, frameSize);
    }

    public int frameSize()
    {
        return frameSize;
    }

    /**
     * Streams for {@code durationNs}.
     *
     * @return the frames B received in that time.
     */
    public long run(final long durationNs)
    {
        final NetFront a = this.a;
        final NetFront b = this.b;
        final Counter counter = this.counter;
        final UnsafeBuffer frame = this.frame;
        final int frameSize = this.frameSize;
        final long dropsBefore = rig.drops();
        final long firstSeq = nextSeq;
        counter.expected = firstSeq;
        final long receivedBefore = counter.count;
        long seq = firstSeq;
        long lastProgressAt;
        long lastCount = receivedBefore;
        final long start = System.nanoTime();
        final long deadline = start + durationNs;
        lastProgressAt = start;
        long now;
        while (true)
        {
            final long limit = Math.min(batch, counter.count + window - (seq - firstSeq) - receivedBefore);
            int queued = 0;
            while (queued < limit)
            {
                frame.putLong(NetRig.SEQ_OFFSET, seq);
                if (!a.send(frame, 0, frameSize))
                {
                    break;
                }
                seq++;
                queued++;
            }
            if (queued > 0)
            {
                a.flush();
            }
            a.poll(ignore);
            b.poll(counter);
            now = System.nanoTime();
            if (now - deadline >= 0)
            {
                break;
            }
            if (counter.count != lastCount)
            {
                lastCount = counter.count;
                lastProgressAt = now;
            }
            else if (now - lastProgressAt > STALL_LIMIT_NS)
            {
                throw stalled(seq - firstSeq, counter.count - receivedBefore);
            }
        }
        lastElapsedNs = now - start;
        lastFrames = counter.count - receivedBefore;
        lastSent = seq - firstSeq;
        drain(lastSent, receivedBefore, dropsBefore);
        lastDrops = rig.drops() - dropsBefore;
        nextSeq = seq;
        return lastFrames;
    }

    /**
     * Polls until every frame sent was received or counted as dropped, so that the next phase
     * starts with empty rings.
     */
    private void drain(final long sent, final long receivedBefore, final long dropsBefore)
    {
        final long start = System.nanoTime();
        while (counter.count - receivedBefore + rig.drops() - dropsBefore < sent)
        {
            a.poll(ignore);
            b.poll(counter);
            if (System.nanoTime() - start > STALL_LIMIT_NS)
            {
                throw stalled(sent, counter.count - receivedBefore);
            }
        }
        // A's last transmit responses may trail B's last frame.
        final long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
        while (a.txBuffersFree() < txBuffers() && System.nanoTime() < until)
        {
            a.poll(ignore);
        }
    }

    private int txBuffers()
    {
        return rig.txBuffers();
    }

    private IllegalStateException stalled(final long sent, final long received)
    {
        final String fault = rig.fault();
        return new IllegalStateException("stream of " + frameSize + " B frames stalled: " + sent + " sent, "
            + received + " received, " + rig.drops() + " dropped" + (fault == null ? "" : "; " + fault));
    }

    /** Frames B received in the last run (up to the deadline). */
    public long lastFrames()
    {
        return lastFrames;
    }

    public long lastElapsedNs()
    {
        return lastElapsedNs;
    }

    /** Frames A sent in the last run (up to the deadline). */
    public long lastSent()
    {
        return lastSent;
    }

    /** Frames the vifs counted as dropped during the last run and its drain. */
    public long lastDrops()
    {
        return lastDrops;
    }

    /** Frames that arrived out of order or with a wrong sequence number, over every run. */
    public long outOfOrder()
    {
        return counter.outOfOrder;
    }

    /** B's handler: counts frames and checks that sequence numbers follow each other. */
    private static final class Counter implements FrameHandler
    {
        long count;
        long expected;
        long outOfOrder;

        @Override
        public void onFrame(final DirectBuffer frame, final int offset, final int length)
        {
            final long seq = frame.getLong(offset + NetRig.SEQ_OFFSET);
            if (seq != expected)
            {
                outOfOrder++;
            }
            expected = seq + 1;
            count++;
        }
    }
}
