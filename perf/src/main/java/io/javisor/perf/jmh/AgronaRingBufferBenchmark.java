package io.javisor.perf.jmh;

import io.javisor.perf.ring.AgronaRingChannel;
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
 * The yardstick for {@link SharedRingBenchmark}: the same round trip on one thread over two Agrona
 * {@link org.agrona.concurrent.ringbuffer.OneToOneRingBuffer}s ({@link AgronaRingChannel}, the code
 * {@code javisor bench ring} runs across two threads): write the request, the echo side reads it,
 * copies it out and writes the response, the caller reads the response and copies it out.
 * Allocation must be 0 B/op under {@code -prof gc}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class AgronaRingBufferBenchmark
{
    @Param({ "64" })
    int payload;

    private AgronaRingChannel channel;
    private long seq;

    @Setup(Level.Trial)
    public void setUp()
    {
        channel = new AgronaRingChannel(payload);
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
