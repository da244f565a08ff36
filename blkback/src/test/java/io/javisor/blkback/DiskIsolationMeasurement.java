package io.javisor.blkback;

import io.javisor.blkback.image.RamDiskImage;
import io.javisor.blkback.image.RawFileImage;
import io.javisor.ringio.BackendResources;
import io.javisor.ringio.DomainResources;
import io.javisor.ringio.StandaloneDomains;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static io.javisor.blkback.DiskIsolationTest.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Figures, not a pass/fail bound (this machine's 2 cores are shared): guest B's QD1 4 KiB read
 * latency on a raw file disk, p50/p99/max from HdrHistogram, alone and while guest A, on the
 * same back-end agent, discards its whole 2 GiB sparse file and then loops write + FLUSH; and
 * what a RAM disk discard costs (the figure behind {@link BlkRequestServer#INLINE_DISCARD_LIMIT}).
 * Printed to stdout; about 6 s. Run with
 * {@code mvn -pl blkback -am test -Dtest=DiskIsolationMeasurement -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@Tag("measurement")
class DiskIsolationMeasurement
{
    private static final long RUN_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final StandaloneDomains domains = new StandaloneDomains(256);
    private final BackendResources dom0 = domains.backend(0, 8);
    private final DomainResources guestA = domains.domain(1, 16);
    private final DomainResources guestB = domains.domain(2, 16);

    @TempDir
    Path dir;

    @AfterEach
    void close()
    {
        domains.close();
    }

    @Test
    void readLatencyOfOneGuestWithAndWithoutAnotherGuestsDiscardAndFlushStorm() throws Exception
    {
        final Path fileA = sparseFile(dir.resolve("a.raw"), A_SIZE);
        final Path fileB = filledFile(dir.resolve("b.raw"), B_SIZE);
        try (BlkBackend backend = new BlkBackend(dom0, BlkBackend.Mode.DENSITY, "shared").start())
        {
            backend.attach(guestA.domid(), XVDA, RawFileImage.open(fileA, false), false);
            backend.attach(guestB.domid(), XVDA, RawFileImage.open(fileB, false), false);
            try (BlkFront a = BlkFront.attach(guestA, 0, XVDA, BlkFrontConfig.defaults());
                BlkFront b = BlkFront.attach(guestB, 0, XVDA, BlkFrontConfig.defaults()))
            {
                final UnsafeBuffer data = new UnsafeBuffer(new byte[4096]);
                final long blocks = b.sectors() / 8;
                readLoop(b, data, blocks, 20_000); // warm-up
                final Histogram alone = reads(b, data, blocks);

                final AtomicBoolean stop = new AtomicBoolean();
                final AtomicLong flushes = new AtomicLong();
                final AtomicLong discardNanos = new AtomicLong();
                final Thread storm = new Thread(() ->
                {
                    final UnsafeBuffer block = new UnsafeBuffer(new byte[4096]);
                    final long start = System.nanoTime();
                    assertEquals(0, a.discardBlocking(0, a.sectors()));
                    discardNanos.set(System.nanoTime() - start);
                    while (!stop.get())
                    {
                        assertEquals(0, a.writeBlocking(flushes.get() % 256 * 8, 8, block, 0));
                        assertEquals(0, a.flushBlocking());
                        flushes.incrementAndGet();
                    }
                }, "guest-a-storm");
                storm.start();
                final Histogram stormed = reads(b, data, blocks);
                stop.set(true);
                storm.join();
                print("B alone", alone);
                print("B during A's storm", stormed);
                System.out.printf("A: whole-disk discard %.1f ms, then %d write+FLUSH in %d s; A's file allocates %d KiB%n",
                    discardNanos.get() / 1e6, flushes.get(), TimeUnit.NANOSECONDS.toSeconds(RUN_NANOS),
                    allocatedBytes(fileA) >> 10);
            }
        }
    }

    private static Histogram reads(final BlkFront b, final UnsafeBuffer data, final long blocks)
    {
        final Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        final long end = System.nanoTime() + RUN_NANOS;
        long n = 0;
        while (System.nanoTime() < end)
        {
            final long start = System.nanoTime();
            assertEquals(0, b.readBlocking(n++ % blocks * 8, 8, data, 0));
            histogram.recordValue(System.nanoTime() - start);
        }
        return histogram;
    }

    private static void print(final String what, final Histogram h)
    {
        System.out.printf("%-20s QD1 4 KiB read: n=%d p50=%.1f us p99=%.1f us p99.9=%.1f us max=%.2f ms%n", what,
            h.getTotalCount(), h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(99) / 1e3,
            h.getValueAtPercentile(99.9) / 1e3, h.getMaxValue() / 1e6);
    }

    @Test
    void whatARamDiskDiscardCosts()
    {
        final long size = 512L << 20;
        try (RamDiskImage disk = new RamDiskImage(size))
        {
            final ByteBuffer chunk = ByteBuffer.allocateDirect(1 << 20);
            for (int round = 0; round < 3; round++)
            {
                for (long at = 0; at < size; at += chunk.capacity())
                {
                    chunk.clear();
                    chunk.putLong(0, at + 1);
                    assertEquals(0, disk.write(at, chunk));
                }
                long start = System.nanoTime();
                assertEquals(0, disk.discard(0, 1 << 20));
                final long oneMiB = System.nanoTime() - start;
                start = System.nanoTime();
                assertEquals(0, disk.discard(1 << 20, size - (1 << 20)));
                final long rest = System.nanoTime() - start;
                start = System.nanoTime();
                assertEquals(0, disk.discard(0, size));
                final long untouched = System.nanoTime() - start;
                System.out.printf("RAM discard of written pages: 1 MiB %.3f ms, %d MiB %.1f ms (%.1f GiB/s); of released pages: %d MiB %.2f ms%n",
                    oneMiB / 1e6, (size >> 20) - 1, rest / 1e6, (size - (1 << 20)) / (rest / 1e9) / (1 << 30),
                    size >> 20, untouched / 1e6);
            }
        }
    }
}
