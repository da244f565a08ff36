package io.javisor.perf.jmh;

import io.javisor.blkback.BlkCompletionHandler;
import io.javisor.blkback.BlkFront;
import io.javisor.blkback.image.RamDiskImage;
import io.javisor.perf.blk.BlkRig;
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

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * The PV block request path on one thread: the front end queues a 4 KiB request at a random
 * block and submits it (claim a ring slot, write the blkif request, publish req_prod), the back
 * end's duty cycle runs on the same thread ({@code BlkBackend.doWork()}: copy the request out,
 * validate it, look up the persistent grant, map the granted frame as a ByteBuffer window, copy
 * 4 KiB between the RAM disk and the frame, write the response, publish rsp_prod), then the
 * front end polls (copy the response out, copy a read's 4 KiB from its granted page into the
 * caller's buffer, call the completion handler). The back end's thread runs only for the xenbus
 * handshake in set-up and teardown.
 * <p>
 * Like {@link SharedRingBenchmark}, one thread on purpose: it measures the instructions, fences,
 * locks and copies of the path and shows it allocates nothing ({@code -prof gc}: 0 B/op), without
 * the cross-core transfers the two-thread harness ({@code javisor bench blk}) measures.
 * {@link #directRead4k}/{@link #directWrite4k} are the image alone, the floor under the path.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class BlkRequestPathBenchmark
{
    private static final int REGIONS = 64;

    /** RAM disk size: 256 MiB is 8 times this machine's L3, so blocks come from memory. */
    @Param({ "256" })
    public int diskMiB;

    private BlkRig rig;
    private BlkFront front;
    private RamDiskImage image;
    private UnsafeBuffer readBuffer;
    private UnsafeBuffer writeBuffer;
    private ByteBuffer directBuffer;
    private final Status status = new Status();
    private long blocks;
    private long state = 0x243F6A8885A308D3L;
    private long tag;

    @Setup(Level.Trial)
    public void setUp()
    {
        // JMH runs the trial's @TearDown inside the last measured iteration, so -prof gc charges
        // its allocation to that iteration. Build and close a small rig first: the one-time class
        // loading and lambda linkage of the close path (about 1 MB) then happen here, and only
        // the steady-state teardown (about 0.1 MB: xenstore nodes, handshake) lands there.
        new BlkRig(1 << 20, 1, "jmh-prewarm").close();
        rig = new BlkRig((long)diskMiB << 20, 1, "jmh");
        front = rig.front();
        image = rig.image();
        blocks = rig.blocks();
        readBuffer = new UnsafeBuffer(ByteBuffer.allocateDirect((REGIONS + 1) * BlkRig.BLOCK_SIZE).alignedSlice(BlkRig.BLOCK_SIZE));
        writeBuffer = new UnsafeBuffer(ByteBuffer.allocateDirect(2 * BlkRig.BLOCK_SIZE).alignedSlice(BlkRig.BLOCK_SIZE),
            0, BlkRig.BLOCK_SIZE);
        directBuffer = ByteBuffer.allocateDirect(2 * BlkRig.BLOCK_SIZE).alignedSlice(BlkRig.BLOCK_SIZE)
            .limit(BlkRig.BLOCK_SIZE).slice();
        for (int i = 0; i < BlkRig.BLOCK_SIZE; i += Long.BYTES)
        {
            writeBuffer.putLong(i, nextRandom());
            directBuffer.putLong(i, nextRandom());
        }
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        rig.close();
    }

    private long nextRandom()
    {
        long z = (state += 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private long nextBlock()
    {
        return ((nextRandom() >>> 32) * blocks) >>> 32;
    }

    @Benchmark
    public int read4k()
    {
        final long t = tag++;
        if (!front.read(nextBlock() * BlkRig.SECTORS_PER_BLOCK, BlkRig.SECTORS_PER_BLOCK, readBuffer,
            (int)(t & (REGIONS - 1)) * BlkRig.BLOCK_SIZE, t))
        {
            throw new IllegalStateException("queue full");
        }
        return complete();
    }

    @Benchmark
    public int write4k()
    {
        final long t = tag++;
        if (!front.write(nextBlock() * BlkRig.SECTORS_PER_BLOCK, BlkRig.SECTORS_PER_BLOCK, writeBuffer, 0, t))
        {
            throw new IllegalStateException("queue full");
        }
        return complete();
    }

    private int complete()
    {
        front.submit();
        if (rig.serveOnCallerThread() == 0)
        {
            throw new IllegalStateException("request not served");
        }
        if (front.poll(status) != 1)
        {
            throw new IllegalStateException("no response");
        }
        if (status.status != 0)
        {
            throw new IllegalStateException("request failed: " + status.status);
        }
        return status.status;
    }

    @Benchmark
    public int directRead4k()
    {
        directBuffer.clear();
        return image.read(nextBlock() * BlkRig.BLOCK_SIZE, directBuffer);
    }

    @Benchmark
    public int directWrite4k()
    {
        directBuffer.clear();
        return image.write(nextBlock() * BlkRig.BLOCK_SIZE, directBuffer);
    }

    /** Keeps the last completion's status (one object, no capture per call). */
    static final class Status implements BlkCompletionHandler
    {
        int status = Integer.MIN_VALUE;

        @Override
        public void onComplete(final long tag, final int status)
        {
            this.status = status;
        }
    }
}
