package io.javisor.core.driver;

import io.javisor.blkback.BlkFront;
import io.javisor.blkback.wire.BlkifDescriptor;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A sustained mixed workload of whole-block (4 KiB) reads, writes and flushes on a {@link BlkFront},
 * with a model of what each block must hold: a write's content is derived from its block and a
 * version, and the model takes a version only once the write is acknowledged. No two requests on
 * the same block are in flight together, so a read must return exactly the last acknowledged
 * version. Every completion is checked against its request: a request completed twice, a status
 * other than OKAY, or a read that does not match is recorded as a failure.
 * <p>
 * Runs on its own thread, which owns the front end; {@link #stop()} and the counters are for others.
 */
final class MixedDiskWorkload implements Runnable
{
    static final int BLOCK = 4096;
    static final int SECTORS_PER_BLOCK = BLOCK / BlkifDescriptor.SECTOR_SIZE;

    private final BlkFront front;
    private final SplittableRandom random;
    private final int blocks;
    private final long patternSeed;
    private final AtomicLong completed = new AtomicLong();
    private final List<String> failures = new ArrayList<>();
    private final Map<Long, Request> inFlight = new HashMap<>();
    private final Set<Integer> busyBlocks = new HashSet<>();
    private final Set<Long> completedTags = new HashSet<>();
    /** The last acknowledged version of each block (0: never written, reads as zeros). */
    private final long[] ackedVersion;
    private long nextVersion = 1;
    private long nextTag;
    private long issued;
    private long writesAcknowledged;
    private volatile boolean stopping;
    private volatile Throwable crashed;

    private record Request(long tag, int kind, int block, long version, UnsafeBuffer data)
    {
    }

    private static final int READ = 0;
    private static final int WRITE = 1;
    private static final int FLUSH = 2;

    MixedDiskWorkload(final BlkFront front, final long seed, final int blocks)
    {
        this.front = front;
        this.random = new SplittableRandom(seed);
        this.blocks = blocks;
        this.patternSeed = seed;
        this.ackedVersion = new long[blocks];
    }

    @Override
    public void run()
    {
        try
        {
            while (!stopping)
            {
                while (front.inFlight() < front.queueDepth() && issueOne())
                {
                    // fill the queue
                }
                front.submit();
                front.awaitResponses(TimeUnit.MILLISECONDS.toNanos(1));
                front.poll(this::onComplete);
            }
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (front.inFlight() > 0 && System.nanoTime() < deadline)
            {
                front.awaitResponses(TimeUnit.MILLISECONDS.toNanos(1));
                front.poll(this::onComplete);
            }
            if (front.inFlight() > 0)
            {
                fail(front.inFlight() + " requests never completed");
            }
        }
        catch (final Throwable ex)
        {
            crashed = ex;
        }
    }

    private boolean issueOne()
    {
        final int roll = random.nextInt(100);
        final long tag = nextTag++;
        if (roll < 10)
        {
            if (!front.flush(tag))
            {
                return false;
            }
            inFlight.put(tag, new Request(tag, FLUSH, -1, 0, null));
            issued++;
            return true;
        }
        int block = random.nextInt(blocks);
        for (int tries = 0; busyBlocks.contains(block) && tries < 8; tries++)
        {
            block = random.nextInt(blocks);
        }
        if (busyBlocks.contains(block))
        {
            return false;
        }
        final UnsafeBuffer data = new UnsafeBuffer(new byte[BLOCK]);
        final boolean write = roll < 60;
        final long version = write ? nextVersion++ : ackedVersion[block];
        if (write)
        {
            fillPattern(data, block, version);
        }
        final boolean queued = write ?
            front.write((long)block * SECTORS_PER_BLOCK, SECTORS_PER_BLOCK, data, 0, tag) :
            front.read((long)block * SECTORS_PER_BLOCK, SECTORS_PER_BLOCK, data, 0, tag);
        if (!queued)
        {
            return false;
        }
        busyBlocks.add(block);
        inFlight.put(tag, new Request(tag, write ? WRITE : READ, block, version, data));
        issued++;
        return true;
    }

    private void onComplete(final long tag, final int status)
    {
        if (!completedTags.add(tag))
        {
            fail("request " + tag + " completed twice");
            return;
        }
        final Request request = inFlight.remove(tag);
        if (request == null)
        {
            fail("completion of request " + tag + " that was never issued");
            return;
        }
        completed.incrementAndGet();
        if (status != BlkifDescriptor.STATUS_OKAY)
        {
            fail("request " + tag + " (kind " + request.kind + ") completed with status " + status);
        }
        if (request.block >= 0)
        {
            busyBlocks.remove(request.block);
        }
        if (request.kind == WRITE && status == BlkifDescriptor.STATUS_OKAY)
        {
            ackedVersion[request.block] = request.version;
            writesAcknowledged++;
        }
        else if (request.kind == READ && status == BlkifDescriptor.STATUS_OKAY)
        {
            final UnsafeBuffer expected = new UnsafeBuffer(new byte[BLOCK]);
            fillPattern(expected, request.block, request.version);
            if (!java.util.Arrays.equals(expected.byteArray(), request.data.byteArray()))
            {
                fail("read of block " + request.block + " did not return version " + request.version);
            }
        }
    }

    /**
     * The content of {@code block} at {@code version}: zeros for version 0, else a pattern no other
     * (block, version) has.
     */
    void fillPattern(final UnsafeBuffer buffer, final int block, final long version)
    {
        if (version == 0)
        {
            buffer.setMemory(0, BLOCK, (byte)0);
            return;
        }
        final SplittableRandom pattern = new SplittableRandom(patternSeed ^ (block * 0x9E3779B97F4A7C15L) ^ (version << 20));
        for (int i = 0; i < BLOCK; i += 8)
        {
            buffer.putLong(i, pattern.nextLong());
        }
    }

    private void fail(final String what)
    {
        synchronized (failures)
        {
            if (failures.size() < 20)
            {
                failures.add(what);
            }
        }
    }

    void stop()
    {
        stopping = true;
    }

    long completed()
    {
        return completed.get();
    }

    /** After the thread ended. */
    long issued()
    {
        return issued;
    }

    /** After the thread ended. */
    long writesAcknowledged()
    {
        return writesAcknowledged;
    }

    /** After the thread ended. */
    long ackedVersion(final int block)
    {
        return ackedVersion[block];
    }

    int blocks()
    {
        return blocks;
    }

    Throwable crashed()
    {
        return crashed;
    }

    List<String> failures()
    {
        synchronized (failures)
        {
            return List.copyOf(failures);
        }
    }
}
