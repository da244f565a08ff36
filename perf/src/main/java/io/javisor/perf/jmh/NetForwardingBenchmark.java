package io.javisor.perf.jmh;

import io.javisor.netback.FrameHandler;
import io.javisor.netback.NetFront;
import io.javisor.netback.NetFrontConfig;
import io.javisor.perf.net.NetRig;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The network forwarding path, one frame at a time: guest A's {@code NetFront} copies the frame
 * into a granted transmit page, writes the tx request and publishes it; the {@code NetBackend}
 * agent copies the request out, grant-copies the frame into dom0's frame buffer, answers the tx
 * slot, hands the frame to the bridge (learn the source, look up the destination), grant-copies it
 * into the receive page B posted and writes the rx response; B's front end polls it, hands it to a
 * handler that reads it, and reposts the buffer; A's poll reclaims its transmit page.
 * <p>
 * The back end's agent runs on its own busy-spinning thread, as in {@code javisor bench net}: a
 * vif's rings belong to the thread that published it (frames bridged from any other thread take
 * the hand-over queue), and the agent cannot be stopped without detaching its vifs, so it cannot
 * be driven from the benchmark thread the way {@link BlkRequestPathBenchmark} drives its back end.
 * The measured operation is therefore one frame sent by A and received by B: its time includes
 * the two cross-core hand-offs (A's tx ring to the agent, B's rx ring back), not only the
 * instructions of the path. {@code -prof gc} counts the allocation of every thread of the JVM (JMH
 * 1.37 reads the JVM-wide allocated-bytes counter), the agent's included, so 0 B/op covers the
 * whole path.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class NetForwardingBenchmark
{
    @Param({ "64", "1500" })
    public int frameSize;

    private NetRig rig;
    private NetFront a;
    private NetFront b;
    private UnsafeBuffer frame;
    private final Receiver receiver = new Receiver();
    private final FrameHandler ignore = (buffer, offset, length) -> { };
    private long seq;

    @Setup(Level.Trial)
    public void setUp()
    {
        // As BlkRequestPathBenchmark: JMH runs the trial's @TearDown inside the last measured
        // iteration, so build and close a rig first, and the one-time class loading and linkage
        // of the close path are not charged to it.
        new NetRig("jmh-prewarm", NetFrontConfig.defaults()).close();
        rig = new NetRig("jmh", NetFrontConfig.defaults());
        a = rig.frontA();
        b = rig.frontB();
        frame = NetRig.frame(NetRig.MAC_B, NetRig.MAC_A, frameSize);
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        rig.close();
    }

    /**
     * One frame A → B: send and flush on A, poll B until it has the frame, poll A to reclaim the
     * transmit page.
     *
     * @return the sequence number B read out of the frame.
     */
    @Benchmark
    public long forward()
    {
        final long s = ++seq;
        frame.putLong(NetRig.SEQ_OFFSET, s);
        if (!a.send(frame, 0, frameSize))
        {
            throw new IllegalStateException("A's transmit ring is full");
        }
        a.flush();
        int spins = 0;
        while (b.poll(receiver) == 0)
        {
            if (++spins == 1 << 22)
            {
                spins = 0;
                final String fault = rig.fault();
                if (fault != null)
                {
                    throw new IllegalStateException("forwarding path stopped: " + fault);
                }
            }
        }
        a.poll(ignore);
        return receiver.seq;
    }

    /** B's handler: reads the sequence number, as a receiver looks at what it got. */
    static final class Receiver implements FrameHandler
    {
        long seq;

        @Override
        public void onFrame(final DirectBuffer frame, final int offset, final int length)
        {
            seq = frame.getLong(offset + NetRig.SEQ_OFFSET);
        }
    }
}
