package io.javisor.perf.blk;

import io.javisor.blkback.BlkCompletionHandler;
import io.javisor.blkback.BlkFront;
import io.javisor.perf.ring.PingPong;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * The guest's side of the block benchmark: drives a {@link BlkFront} from the calling thread with
 * 4 KiB requests at random 4 KiB-aligned sectors of the disk, the back end serving on its own
 * thread. Three ways to drive it:
 * <ul>
 * <li>{@link #latencyQd1}: one request at a time, each timed from queueing to its completion;</li>
 * <li>{@link #closedLoop}: keep {@code qd} requests in flight for a fixed time, counting
 * completions (IOPS), no per-request timing;</li>
 * <li>{@link #openLoop}: issue requests on a fixed schedule whatever the device does and time
 * each from its intended start, so that a stall delays (and is charged to) every request
 * scheduled behind it — the coordinated-omission-correct measure.</li>
 * </ul>
 * Reads land in a 256 KiB guest buffer, a different 4 KiB region for each of 64 consecutive
 * requests; writes all come from one 4 KiB buffer of random bytes. Nothing here allocates once
 * built: the completion handler is one object, tags index preallocated arrays.
 */
final class PvDriver
{
    static final int REGIONS = 64;
    private static final int REGION_MASK = REGIONS - 1;
    private static final int STALL_CHECK_SPINS = 1 << 20;
    private static final long STALL_LIMIT_NS = TimeUnit.SECONDS.toNanos(10);
    private static final int TIME_CHECK_MASK = 63;

    private final BlkRig rig;
    private final BlkFront front;
    private final RandomBlocks random;
    private final UnsafeBuffer readBuffer;
    private final UnsafeBuffer writeBuffer;
    private final long[] intendedStart = new long[REGIONS];
    private final Completions completions = new Completions();
    private Histogram openLoopHistogram;
    private double openIntervalNs;
    private long openStart;
    private long openIssueEnd;
    private long openDue;
    private long openIssued;
    private boolean refilling;
    private boolean refillWrite;
    private int refillDepth;
    private long completedCount;
    private long errors;
    private long nextTag;
    private long lastElapsedNs;
    private long lastIssued;

    PvDriver(final BlkRig rig, final long seed)
    {
        this.rig = rig;
        this.front = rig.front();
        this.random = new RandomBlocks(rig.blocks(), seed);
        readBuffer = new UnsafeBuffer(ByteBuffer.allocateDirect((REGIONS + 1) * BlkRig.BLOCK_SIZE)
            .alignedSlice(BlkRig.BLOCK_SIZE));
        final ByteBuffer source = ByteBuffer.allocateDirect(2 * BlkRig.BLOCK_SIZE).alignedSlice(BlkRig.BLOCK_SIZE);
        writeBuffer = new UnsafeBuffer(source, 0, BlkRig.BLOCK_SIZE);
        long seedWord = seed ^ 0x5DEECE66DL;
        for (int i = 0; i < BlkRig.BLOCK_SIZE; i += Long.BYTES)
        {
            seedWord = RandomBlocks.mix(seedWord + i);
            writeBuffer.putLong(i, seedWord);
        }
    }

    /**
     * Requests that completed with a status other than OKAY, over every run so far (must be 0).
     */
    long errors()
    {
        return errors;
    }

    /**
     * The measured time of the last {@link #closedLoop} or {@link #openLoop}, in ns.
     */
    long lastElapsedNs()
    {
        return lastElapsedNs;
    }

    /**
     * Requests issued by the last {@link #openLoop}.
     */
    long lastIssued()
    {
        return lastIssued;
    }

    /**
     * Checks the data path end to end once: a block written through the front end reads back
     * from the image directly, and a block read through the front end equals the image's bytes.
     *
     * @return the number of bytes that differed (0 when the path is right).
     */
    long verify(final long block)
    {
        final long sector = block * BlkRig.SECTORS_PER_BLOCK;
        final long offset = block * BlkRig.BLOCK_SIZE;
        final ByteBuffer direct = ByteBuffer.allocateDirect(BlkRig.BLOCK_SIZE);
        long differences = 0;
        if (front.writeBlocking(sector, BlkRig.SECTORS_PER_BLOCK, writeBuffer, 0) != 0 ||
            rig.image().read(offset, direct) != 0)
        {
            return BlkRig.BLOCK_SIZE;
        }
        for (int i = 0; i < BlkRig.BLOCK_SIZE; i++)
        {
            differences += direct.get(i) != writeBuffer.getByte(i) ? 1 : 0;
        }
        final long other = (block + 1) % rig.blocks();
        direct.clear();
        if (front.readBlocking(other * BlkRig.SECTORS_PER_BLOCK, BlkRig.SECTORS_PER_BLOCK, readBuffer, 0) != 0 ||
            rig.image().read(other * BlkRig.BLOCK_SIZE, direct) != 0)
        {
            return differences + BlkRig.BLOCK_SIZE;
        }
        for (int i = 0; i < BlkRig.BLOCK_SIZE; i++)
        {
            differences += direct.get(i) != readBuffer.getByte(i) ? 1 : 0;
        }
        return differences;
    }

    /**
     * Unrecorded QD1 requests, after the back end's thread started, so that it is spinning.
     */
    void settle(final int requests)
    {
        for (int i = 0; i < requests; i++)
        {
            oneRequest((i & 1) != 0);
        }
    }

    /**
     * Queue depth 1: each request timed from just before it is queued to just after its
     * completion was consumed (the read's data copied into the guest buffer).
     *
     * @return the number of requests recorded.
     */
    long latencyQd1(final boolean write, final long durationNs, final Histogram histogram)
    {
        final long deadline = System.nanoTime() + durationNs;
        long count = 0;
        long end;
        do
        {
            final long start = System.nanoTime();
            oneRequest(write);
            end = System.nanoTime();
            histogram.recordValue(Math.min(end - start, PingPong.HIGHEST_TRACKABLE_NS));
            count++;
        }
        while (end < deadline);
        return count;
    }

    private void oneRequest(final boolean write)
    {
        if (!queueOne(write))
        {
            throw new IllegalStateException("block front end queue full at queue depth 1");
        }
        front.submit();
        final long start = System.nanoTime();
        int spins = 0;
        while (front.poll(completions) == 0)
        {
            Thread.onSpinWait();
            if (++spins == STALL_CHECK_SPINS)
            {
                spins = 0;
                checkBackEnd(start);
            }
        }
    }

    /**
     * Closed loop: keeps {@code queueDepth} requests in flight for {@code durationNs}. Each
     * completion queues and submits its replacement at once, from the completion handler, so the
     * back end is handed new work while the front end is still consuming the rest of a batch of
     * responses (refilling only after a whole batch was consumed leaves the back end idle for
     * that long: about 20% fewer IOPS at queue depth 32 on a 2-core machine).
     *
     * @return requests completed within the time; {@link #lastElapsedNs()} is the time it took.
     */
    long closedLoop(final boolean write, final int queueDepth, final long durationNs)
    {
        final BlkFront front = this.front;
        refillWrite = write;
        refillDepth = queueDepth;
        completedCount = 0;
        refilling = true;
        final long start = System.nanoTime();
        final long deadline = start + durationNs;
        long lastProgress = start;
        long lastCount = 0;
        int spins = 0;
        int iterations = 0;
        long now;
        long completed;
        fill(write, queueDepth);
        while (true)
        {
            if (front.poll(completions) == 0 && ++spins == STALL_CHECK_SPINS)
            {
                spins = 0;
                checkBackEnd(lastProgress);
            }
            if ((++iterations & TIME_CHECK_MASK) == 0)
            {
                now = System.nanoTime();
                completed = completedCount;
                if (completed != lastCount)
                {
                    lastCount = completed;
                    lastProgress = now;
                    spins = 0;
                }
                if (now >= deadline)
                {
                    break;
                }
            }
        }
        refilling = false;
        lastElapsedNs = now - start;
        drain();
        return completed;
    }

    private void fill(final boolean write, final int queueDepth)
    {
        int queued = 0;
        while (front.inFlight() < queueDepth && queueOne(write))
        {
            queued++;
        }
        if (queued > 0)
        {
            front.submit();
        }
    }

    private boolean queueOne(final boolean write)
    {
        final long tag = nextTag++;
        return write ?
            front.write(random.nextSector(), BlkRig.SECTORS_PER_BLOCK, writeBuffer, 0, tag) :
            front.read(random.nextSector(), BlkRig.SECTORS_PER_BLOCK, readBuffer, region(tag), tag);
    }

    /**
     * Open loop: 4 KiB random reads issued at {@code ratePerSecond} on a fixed schedule (request i
     * is due at start + i / rate) for {@code durationNs}, as many in flight as the schedule
     * demands (at most the front end's queue depth: a request that finds the queue full waits
     * and its wait counts). Each request's latency runs from its intended start to its
     * completion. A request that is due when a slot frees is issued from the completion handler
     * at once, so that a backlog after a stall drains at the pipelined rate.
     *
     * @return requests completed and recorded; {@link #lastIssued()} and {@link #lastElapsedNs()}
     * (from the first intended start to the last completion) describe the run.
     */
    long openLoop(final double ratePerSecond, final long durationNs, final Histogram histogram)
    {
        if (!(ratePerSecond > 0))
        {
            throw new IllegalArgumentException("rate must be > 0: " + ratePerSecond);
        }
        final BlkFront front = this.front;
        final long recordedBefore = histogram.getTotalCount();
        openIntervalNs = 1e9 / ratePerSecond;
        openStart = System.nanoTime() + TimeUnit.MICROSECONDS.toNanos(10);
        openIssueEnd = openStart + durationNs;
        openDue = openStart;
        openIssued = 0;
        openLoopHistogram = histogram;
        long lastProgress = openStart;
        long lastCount = histogram.getTotalCount();
        int spins = 0;
        while (true)
        {
            final long now = System.nanoTime();
            if (now >= openIssueEnd)
            {
                break;
            }
            issueDue(now);
            if (front.poll(completions) > 0)
            {
                spins = 0;
            }
            else if (++spins == STALL_CHECK_SPINS)
            {
                spins = 0;
                final long count = histogram.getTotalCount();
                if (count != lastCount || front.inFlight() == 0) // a slow schedule may leave nothing in flight
                {
                    lastCount = count;
                    lastProgress = now;
                }
                checkBackEnd(lastProgress);
            }
        }
        openIssueEnd = Long.MIN_VALUE; // nothing more is due: the handler issues no more
        drain();
        lastElapsedNs = System.nanoTime() - openStart;
        lastIssued = openIssued;
        openLoopHistogram = null;
        return histogram.getTotalCount() - recordedBefore;
    }

    /**
     * Issues every request of the open-loop schedule due by {@code now} that finds a free slot,
     * and submits them together.
     */
    private void issueDue(final long now)
    {
        int queued = 0;
        while (openDue <= now && openDue < openIssueEnd)
        {
            final long tag = nextTag;
            if (!front.read(random.nextSector(), BlkRig.SECTORS_PER_BLOCK, readBuffer, region(tag), tag))
            {
                break; // queue full: this request waits, and its wait is part of its latency
            }
            nextTag++;
            intendedStart[(int)(tag & REGION_MASK)] = openDue;
            openIssued++;
            queued++;
            openDue = openStart + (long)(openIssued * openIntervalNs);
        }
        if (queued > 0)
        {
            front.submit();
        }
    }

    /**
     * Completes everything in flight (not counted by the closed loop).
     */
    void drain()
    {
        final long start = System.nanoTime();
        int spins = 0;
        while (front.inFlight() > 0)
        {
            if (front.poll(completions) == 0)
            {
                Thread.onSpinWait();
                if (++spins == STALL_CHECK_SPINS)
                {
                    spins = 0;
                    checkBackEnd(start);
                }
            }
        }
    }

    private static int region(final long tag)
    {
        return (int)(tag & REGION_MASK) * BlkRig.BLOCK_SIZE;
    }

    private void checkBackEnd(final long waitingSince)
    {
        final String fault = rig.backEndFault();
        if (fault != null)
        {
            throw new IllegalStateException("block back end failed: " + fault);
        }
        if (!rig.isBackEndRunning())
        {
            throw new IllegalStateException("block back end thread is not running");
        }
        final long waited = System.nanoTime() - waitingSince;
        if (waited > STALL_LIMIT_NS)
        {
            throw new IllegalStateException("block back end: no response for "
                + TimeUnit.NANOSECONDS.toSeconds(waited) + " s");
        }
    }

    /**
     * The one completion handler: counts errors; in a closed loop, queues the replacement; in an
     * open loop, records the request's latency from its intended start and issues what is due.
     */
    private final class Completions implements BlkCompletionHandler
    {
        @Override
        public void onComplete(final long tag, final int status)
        {
            if (status != 0)
            {
                errors++;
            }
            completedCount++;
            // BlkFront.poll has freed this request's slot before calling here, so the
            // replacement can take it; its response can only be seen by a later poll.
            if (refilling && front.inFlight() < refillDepth && queueOne(refillWrite))
            {
                front.submit();
            }
            final Histogram histogram = openLoopHistogram;
            if (histogram != null)
            {
                final long now = System.nanoTime();
                final long latency = now - intendedStart[(int)(tag & REGION_MASK)];
                histogram.recordValue(Math.max(0, Math.min(latency, PingPong.HIGHEST_TRACKABLE_NS)));
                issueDue(now);
            }
        }
    }
}
