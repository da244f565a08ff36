package io.javisor.perf.jmh;

import io.javisor.perf.ring.SharedRingChannel;
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
 * The shared ring's request path, front end and back end on one thread: claim a slot, write the
 * payload, push (release store + full fence), then the back end reads req_prod once, copies the
 * request out, writes the response into the slot and pushes it, then the front end reads rsp_prod
 * and copies the response out. This is exactly the code {@code javisor bench ring} runs across two
 * threads ({@link SharedRingChannel}).
 * <p>
 * One thread on purpose: it measures the instructions and fences of the path (and its allocation,
 * which must be 0 B/op under {@code -prof gc}) without the cross-core cache-line transfers and
 * scheduling noise that the two-thread harness measures, and which a two-core machine makes erratic
 * for a JMH {@code @Group}. {@link AgronaRingBufferBenchmark} is the same loop over Agrona.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SharedRingBenchmark
{
    @Param({ "64" })
    int payload;

    private SharedRingChannel channel;
    private long seq;

    @Setup(Level.Trial)
    public void setUp()
    {
        channel = new SharedRingChannel(payload);
        channel.prepareRound();
        channel.attachBackEnd();
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        channel.close();
    }

    @Benchmark
    public long roundTrip()
    {
        final long s = ++seq;
        channel.sendRequest(s);
        // A second try only matters for Agrona: a read that reaches its end-of-buffer padding
        // record skips it and delivers nothing in that call.
        if (channel.serveRequests() == 0 && channel.serveRequests() == 0)
        {
            throw new IllegalStateException("request not served");
        }
        if (!channel.pollResponse() && !channel.pollResponse())
        {
            throw new IllegalStateException("no response");
        }
        return channel.responseSeq();
    }
}
