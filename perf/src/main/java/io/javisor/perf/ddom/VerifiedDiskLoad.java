package io.javisor.perf.ddom;

import io.javisor.blkback.BlkFront;
import io.javisor.blkback.wire.BlkifDescriptor;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The load a driver domain is killed under: whole-block (4 KiB) writes, reads and flushes (50/40/10)
 * at a fixed queue depth on one {@link BlkFront} with reconnection, with a model of the last
 * acknowledged version of every block (no two requests on one block in flight together), so that
 * afterwards the image can be checked block by block and every read is checked as it completes.
 * <p>
 * For the restart time it publishes when the front end first completed a request after each
 * reconnection. Runs on its own thread, which owns the front end; the volatile counters are for the
 * bench's thread.
 */
final class VerifiedDiskLoad implements Runnable
{
    static final int BLOCK = 4096;
    private static final int SECTORS = BLOCK / BlkifDescriptor.SECTOR_SIZE;
    private static final int READ = 0;
    private static final int WRITE = 1;
    private static final int FLUSH = 2;

    private final BlkFront front;
    private final SplittableRandom random;
    private final long seed;
    private final int blocks;
    private final long[] acked;
    private final boolean[] busy;
    private final int[] kind;
    private final int[] blockOf;
    private final long[] versionOf;
    private final UnsafeBuffer[] data;
    private final ArrayDeque<Integer> freeTags = new ArrayDeque<>();
    private final UnsafeBuffer expected = new UnsafeBuffer(new byte[BLOCK]);
    private long nextVersion = 1;
    private volatile long completed;
    private volatile long reconnectsServed;
    private volatile long lastServedAfterReconnectNanos;
    private volatile boolean stopping;
    private volatile String failure;
    private long writesAcknowledged;
    private long issued;

    VerifiedDiskLoad(final BlkFront front, final long seed, final int blocks)
    {
        this.front = front;
        this.random = new SplittableRandom(seed);
        this.seed = seed;
        this.blocks = blocks;
        this.acked = new long[blocks];
        this.busy = new boolean[blocks];
        final int depth = front.queueDepth();
        kind = new int[depth];
        blockOf = new int[depth];
        versionOf = new long[depth];
        data = new UnsafeBuffer[depth];
        for (int tag = 0; tag < depth; tag++)
        {
            data[tag] = new UnsafeBuffer(new byte[BLOCK]);
            freeTags.add(tag);
        }
    }

    @Override
    public void run()
    {
        try
        {
            while (!stopping)
            {
                while (!freeTags.isEmpty() && issue())
                {
                    // fill the queue
                }
                front.submit();
                front.awaitResponses(TimeUnit.MILLISECONDS.toNanos(1));
                poll();
            }
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (front.inFlight() > 0 && System.nanoTime() < deadline)
            {
                front.awaitResponses(TimeUnit.MILLISECONDS.toNanos(1));
                poll();
            }
            if (front.inFlight() > 0)
            {
                fail(front.inFlight() + " requests never completed");
            }
        }
        catch (final RuntimeException ex)
        {
            fail("front end failed: " + ex.getMessage());
        }
    }

    private void poll()
    {
        final long reconnects = front.reconnects();
        if (front.poll(this::onComplete) > 0 && reconnects > reconnectsServed)
        {
            lastServedAfterReconnectNanos = System.nanoTime();
            reconnectsServed = reconnects;
        }
    }

    private boolean issue()
    {
        final int roll = random.nextInt(100);
        final int tag = freeTags.peek();
        if (roll < 10)
        {
            if (!front.flush(tag))
            {
                return false;
            }
            kind[tag] = FLUSH;
            blockOf[tag] = -1;
        }
        else
        {
            final int block = random.nextInt(blocks);
            if (busy[block])
            {
                return false;
            }
            final boolean write = roll < 60;
            final long version = write ? nextVersion++ : acked[block];
            if (write)
            {
                fill(data[tag], block, version);
            }
            final long sector = (long)block * SECTORS;
            if (!(write ? front.write(sector, SECTORS, data[tag], 0, tag) : front.read(sector, SECTORS, data[tag], 0, tag)))
            {
                return false;
            }
            busy[block] = true;
            kind[tag] = write ? WRITE : READ;
            blockOf[tag] = block;
            versionOf[tag] = version;
        }
        freeTags.poll();
        issued++;
        return true;
    }

    private void onComplete(final long tagValue, final int status)
    {
        final int tag = (int)tagValue;
        if (tag < 0 || tag >= kind.length || freeTags.contains(tag))
        {
            fail("completion of request " + tagValue + ", which was not in flight");
            return;
        }
        completed++;
        freeTags.add(tag);
        if (status != BlkifDescriptor.STATUS_OKAY)
        {
            fail("a request completed with status " + status);
        }
        final int block = blockOf[tag];
        if (block < 0)
        {
            return;
        }
        busy[block] = false;
        if (kind[tag] == WRITE && status == BlkifDescriptor.STATUS_OKAY)
        {
            acked[block] = versionOf[tag];
            writesAcknowledged++;
        }
        else if (kind[tag] == READ && status == BlkifDescriptor.STATUS_OKAY)
        {
            fill(expected, block, versionOf[tag]);
            if (!Arrays.equals(expected.byteArray(), data[tag].byteArray()))
            {
                fail("a read of block " + block + " did not return its last acknowledged write");
            }
        }
    }

    private void fill(final UnsafeBuffer buffer, final int block, final long version)
    {
        if (version == 0)
        {
            buffer.setMemory(0, BLOCK, (byte)0);
            return;
        }
        final SplittableRandom pattern = new SplittableRandom(seed ^ (block * 0x9E3779B97F4A7C15L) ^ (version << 20));
        for (int i = 0; i < BLOCK; i += 8)
        {
            buffer.putLong(i, pattern.nextLong());
        }
    }

    private void fail(final String what)
    {
        if (failure == null)
        {
            failure = what;
        }
    }

    /**
     * After the thread ended: blocks of {@code image} that do not hold their last acknowledged write.
     */
    long acknowledgedWritesLost(final Path image) throws IOException
    {
        long lost = 0;
        try (FileChannel file = FileChannel.open(image, StandardOpenOption.READ))
        {
            final ByteBuffer actual = ByteBuffer.allocate(BLOCK);
            for (int block = 0; block < blocks; block++)
            {
                actual.clear();
                file.read(actual, (long)block * BLOCK);
                fill(expected, block, acked[block]);
                lost += Arrays.equals(expected.byteArray(), actual.array()) ? 0 : 1;
            }
        }
        return lost;
    }

    void stop()
    {
        stopping = true;
    }

    long completed()
    {
        return completed;
    }

    long reconnectsServed()
    {
        return reconnectsServed;
    }

    long lastServedAfterReconnectNanos()
    {
        return lastServedAfterReconnectNanos;
    }

    String failure()
    {
        return failure;
    }

    /** After the thread ended. */
    long writesAcknowledged()
    {
        return writesAcknowledged;
    }

    /** After the thread ended. */
    long issued()
    {
        return issued;
    }
}
