package io.javisor.perf.blk;

import io.javisor.blkback.image.DiskImage;
import io.javisor.perf.ring.PingPong;
import org.HdrHistogram.Histogram;

import java.nio.ByteBuffer;

/**
 * The no-virtualization baseline: the same 4 KiB random reads and writes done on the disk image
 * directly from the calling thread, {@link DiskImage#read}/{@link DiskImage#write} between the
 * image and one page-aligned 4 KiB direct {@link ByteBuffer}: no ring, no grant, no second thread,
 * no copy into a guest buffer. What is left is the image's own work (range checks, the bulk copy).
 */
final class DirectDriver
{
    private static final int TIME_CHECK_MASK = 63;

    private final DiskImage image;
    private final RandomBlocks random;
    private final ByteBuffer buffer;
    private long errors;
    private long lastElapsedNs;

    DirectDriver(final DiskImage image, final long seed)
    {
        this.image = image;
        this.random = new RandomBlocks(image.sizeInBytes() / BlkRig.BLOCK_SIZE, seed);
        buffer = ByteBuffer.allocateDirect(2 * BlkRig.BLOCK_SIZE).alignedSlice(BlkRig.BLOCK_SIZE)
            .limit(BlkRig.BLOCK_SIZE).slice();
        for (int i = 0; i < BlkRig.BLOCK_SIZE; i += Long.BYTES)
        {
            buffer.putLong(i, RandomBlocks.mix(seed + i));
        }
    }

    long errors()
    {
        return errors;
    }

    long lastElapsedNs()
    {
        return lastElapsedNs;
    }

    /**
     * One operation at a time, each timed.
     *
     * @return operations recorded.
     */
    long latency(final boolean write, final long durationNs, final Histogram histogram)
    {
        final long deadline = System.nanoTime() + durationNs;
        long count = 0;
        long end;
        do
        {
            final long start = System.nanoTime();
            final int rc = op(write);
            end = System.nanoTime();
            if (rc != DiskImage.OK)
            {
                errors++;
            }
            histogram.recordValue(Math.min(end - start, PingPong.HIGHEST_TRACKABLE_NS));
            count++;
        }
        while (end < deadline);
        return count;
    }

    /**
     * Back-to-back operations for {@code durationNs}, untimed.
     *
     * @return operations done; {@link #lastElapsedNs()} is the time they took.
     */
    long throughput(final boolean write, final long durationNs)
    {
        final long start = System.nanoTime();
        final long deadline = start + durationNs;
        long count = 0;
        long now;
        while (true)
        {
            if (op(write) != DiskImage.OK)
            {
                errors++;
            }
            if ((++count & TIME_CHECK_MASK) == 0 && (now = System.nanoTime()) >= deadline)
            {
                break;
            }
        }
        lastElapsedNs = now - start;
        return count;
    }

    private int op(final boolean write)
    {
        final long offset = random.nextOffset();
        buffer.clear();
        return write ? image.write(offset, buffer) : image.read(offset, buffer);
    }
}
