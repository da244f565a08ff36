package io.javisor.emulation.machine;

import io.javisor.blkback.image.DiskImage;
import io.javisor.blkback.image.RamDiskImage;
import io.javisor.blkback.image.RawFileImage;
import io.javisor.emulation.guests.DiskIoJob;
import io.javisor.emulation.guests.DiskIoJobDescriptor;
import io.javisor.emulation.guests.DiskIoResults;
import io.javisor.memory.testing.Seed;
import io.javisor.memory.testing.Seeded;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.SplittableRandom;

import static io.javisor.emulation.guests.DiskIoJobDescriptor.FLAG_INTERRUPTS;
import static io.javisor.emulation.guests.DiskIoJobDescriptor.FLAG_OPEN_LOOP;
import static io.javisor.emulation.guests.DiskIoJobDescriptor.FLAG_PRINT;
import static io.javisor.emulation.guests.DiskIoJobDescriptor.FLAG_VERIFY;
import static io.javisor.emulation.guests.DiskIoJobDescriptor.OP_READ;
import static io.javisor.emulation.guests.DiskIoJobDescriptor.OP_WRITE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The disk-io guests (our own ATA and virtio-blk drivers running a job of QD1 4 KiB requests the
 * host placed in guest RAM, polled and interrupt-driven) on javisor with the default CPU tier, on a
 * RAM disk and on a raw file, filled with the pattern the guest checks every read against. The
 * guest times each request with its own clock and counts its instructions; the runner reads the
 * device's own counters at the console lines that bracket the timed requests.
 */
@Seeded
class DiskIoGuestTest
{
    private static final int DISK = 4 << 20;
    private static final long BLOCKS = DISK / DiskIoJobDescriptor.BLOCK_BYTES;
    private static final int WARMUP = 512;
    private static final int READS = 1536;
    private static final int WRITES = 512;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} on {1}, {2}")
    @CsvSource({"ata, ram, polled", "virtio, ram, polled", "ata, file, interrupts", "virtio, file, interrupts",
        "virtio, ram, interrupts"})
    void everyRequestOfTheJobReachesTheDeviceAsTheGuestIssuedIt(final String disk, final String backing, final String mode,
        final Seed seed) throws Exception
    {
        final boolean interrupts = "interrupts".equals(mode);
        final DiskIoJob job = randomJob(seed.splittableRandom(), FLAG_VERIFY | (interrupts ? FLAG_INTERRUPTS : 0));
        final DiskIoRunner.Run run;
        try (DiskImage image = image(backing))
        {
            run = DiskIoRunner.run(machine(disk, image, MachineConfig.MAX_TIMEBASE_HZ), job);
        }
        assertTrue(run.passed(), run.exit() + "\n" + run.console());
        final DiskIoResults results = run.results();
        assertEquals(0, results.failures(), "every request succeeded and every read matched the pattern");
        final DiskIoRunner.Window window = run.window();
        assertEquals(READS, window.reads(), "the device counted one read command per timed guest read");
        assertEquals(WRITES, window.writes(), "and one write command per timed guest write");
        assertEquals(READS + WRITES, window.ios(), "and no other IO");
        final int n = READS + WRITES;
        if ("ata".equals(disk))
        {
            // The driver counts its own register accesses: the model must have seen each of them.
            assertEquals(results.driverExits(), window.deviceExits(), "device-counted exits equal the driver's own count");
            assertEquals(interrupts ? 8L * n : 0, window.interrupts(),
                "one INTRQ per DRQ block of a 4 KiB transfer when interrupt-driven, none under nIEN when polled");
        }
        else
        {
            assertEquals(interrupts ? 3L * n : n, window.deviceExits(),
                "a notify per request, plus reading and acknowledging the interrupt status when interrupt-driven");
            assertEquals(interrupts ? n : 0, window.interrupts(), "one used-buffer interrupt per request");
        }
        assertEquals(window.interrupts(), results.interrupts(), "the driver claimed each interrupt the device raised");
        System.out.printf("disk-io %s on %s (%s, tier %s, 1 GHz time base): 4 KiB QD1 read p50 %.2f us, write p50 %.2f us; " +
                "device exits/IO %.2f, all MMIO exits/IO %.2f, guest instructions/IO %.1f%n",
            disk, backing, mode, new MachineConfig().cpuTier(), p50us(run, job, OP_READ), p50us(run, job, OP_WRITE),
            (double)window.deviceExits() / n, (double)window.busExits() / n, meanInstructions(results));
    }

    @Test
    void theGuestClockRunsAtTheConfiguredTimeBase(final Seed seed) throws Exception
    {
        final DiskIoJob job = randomJob(seed.splittableRandom(), 0);
        for (final long hz : new long[] {MachineConfig.MAX_TIMEBASE_HZ, 10_000_000L})
        {
            final long before = System.nanoTime();
            final DiskIoRunner.Run run;
            try (DiskImage image = image("ram"))
            {
                run = DiskIoRunner.run(machine("virtio", image, hz), job);
            }
            final long hostNanos = System.nanoTime() - before;
            assertTrue(run.passed(), run.exit() + "\n" + run.console());
            final DiskIoResults r = run.results();
            final double guestNanos = run.nanos(r.end()[r.count() - 1] - r.start()[0]);
            // The timed part is most of the run and cannot outlast it; ticks counted at another rate would be off 100x.
            assertTrue(guestNanos > 0 && guestNanos <= hostNanos,
                hz + " Hz: the guest's span of the timed requests, " + guestNanos + " ns, lies within the host's " + hostNanos + " ns");
            assertTrue(guestNanos >= run.exit().nanos() / 50.0,
                hz + " Hz: the guest's span " + guestNanos + " ns is a real part of the run's " + run.exit().nanos() + " ns");
        }
    }

    @Test
    void openLoopRequestsStartNoEarlierThanDueAndPrintedResultsEqualTheOnesInRam(final Seed seed) throws Exception
    {
        final SplittableRandom random = seed.splittableRandom();
        final int n = 200;
        final int[] ops = new int[n];
        final long[] sectors = new long[n];
        final long[] due = new long[n];
        for (int i = 0; i < n; i++)
        {
            ops[i] = random.nextInt(2);
            sectors[i] = random.nextLong(BLOCKS) * DiskIoJobDescriptor.SECTORS_PER_BLOCK;
            due[i] = i == 0 ? 0 : due[i - 1] + random.nextLong(20_000, 100_000); // 20-100 us apart at 1 GHz
        }
        final DiskIoJob job = new DiskIoJob(ops, sectors, due, 0, FLAG_OPEN_LOOP | FLAG_PRINT | FLAG_VERIFY);
        final DiskIoRunner.Run run;
        try (DiskImage image = image("ram"))
        {
            run = DiskIoRunner.run(machine("virtio", image, MachineConfig.MAX_TIMEBASE_HZ), job);
        }
        assertTrue(run.passed(), run.exit() + "\n" + run.console());
        final DiskIoResults inRam = run.results();
        for (int i = 0; i < n; i++)
        {
            assertTrue(inRam.start()[i] >= due[i], "request " + i + " started at " + inRam.start()[i] + ", due " + due[i]);
        }
        final DiskIoResults printed = job.parseConsole(run.console());
        assertArrayEquals(inRam.start(), printed.start());
        assertArrayEquals(inRam.end(), printed.end());
        assertArrayEquals(inRam.instructions(), printed.instructions());
        assertArrayEquals(inRam.status(), printed.status());
        assertEquals(inRam.driverExits(), printed.driverExits());
    }

    @Test
    void aReadOfOtherDataThanThePatternIsReportedAndFailsTheRun(final Seed seed) throws Exception
    {
        final DiskIoJob job = randomJob(seed.splittableRandom(), FLAG_VERIFY);
        final DiskIoRunner.Run run;
        try (RamDiskImage image = new RamDiskImage(DISK)) // never filled: reads return zeros
        {
            run = DiskIoRunner.run(machine("virtio", image, MachineConfig.MAX_TIMEBASE_HZ), job);
        }
        assertEquals(MachineExit.Kind.FINISHER, run.exit().kind());
        assertEquals(4, run.exit().exitCode(), run.console());
        assertNotNull(run.results());
        assertTrue(run.results().failures() > 0, "some read returned zeros instead of the pattern");
    }

    @ParameterizedTest(name = "virtio on {0}")
    @CsvSource({"ram", "file"})
    void aDeepJobKeepsThirtyTwoRequestsInFlightAndEachReachesTheDeviceOnce(final String backing, final Seed seed)
        throws Exception
    {
        final DiskIoJob qd1 = randomJob(seed.splittableRandom(), FLAG_VERIFY);
        final DiskIoJob job = new DiskIoJob(ops(qd1), sectors(qd1), new long[qd1.count()], WARMUP, FLAG_VERIFY,
            DiskIoJobDescriptor.MAX_DEPTH);
        final DiskIoRunner.Run run;
        try (DiskImage image = image(backing))
        {
            run = DiskIoRunner.run(machine("virtio", image, MachineConfig.MAX_TIMEBASE_HZ), job);
        }
        assertTrue(run.passed(), run.exit() + "\n" + run.console());
        final DiskIoResults results = run.results();
        assertEquals(0, results.failures(), "every request succeeded and every read matched the pattern");
        assertEquals(READS, run.window().reads(), "one read command per timed read");
        assertEquals(WRITES, run.window().writes(), "one write command per timed write");
        assertEquals(READS + WRITES, run.window().deviceExits(), "one queue notify per request, polled");
        // The guest queued the first 32 before it took any completion.
        long firstEnd = Long.MAX_VALUE;
        for (int i = 0; i < results.count(); i++)
        {
            firstEnd = Math.min(firstEnd, results.end()[i]);
        }
        int queuedBeforeFirstEnd = 0;
        for (int i = 0; i < results.count(); i++)
        {
            queuedBeforeFirstEnd += results.start()[i] <= firstEnd ? 1 : 0;
        }
        assertEquals(DiskIoJobDescriptor.MAX_DEPTH, queuedBeforeFirstEnd, "requests in flight at the first completion");
        final double spanNs = run.nanos(java.util.Arrays.stream(results.end()).max().orElseThrow() - results.start()[0]);
        System.out.printf("disk-io virtio on %s at QD%d: %.0f requests/s (guest clock)%n", backing, job.depth(),
            results.count() * 1e9 / spanNs);
    }

    @Test
    void aDepthDeeperThanTheDriversQueueIsRefusedByTheGuest(final Seed seed) throws Exception
    {
        final DiskIoJob qd1 = randomJob(seed.splittableRandom(), 0);
        final DiskIoJob job = new DiskIoJob(ops(qd1), sectors(qd1), new long[qd1.count()], WARMUP, 0, 2);
        final DiskIoRunner.Run run;
        try (DiskImage image = image("ram"))
        {
            run = DiskIoRunner.run(machine("ata", image, MachineConfig.MAX_TIMEBASE_HZ), job);
        }
        assertEquals(MachineExit.Kind.FINISHER, run.exit().kind());
        assertEquals(5, run.exit().exitCode(), run.console());
        assertTrue(run.console().contains("disk-io: depth 2 is deeper than the driver's 1"), run.console());
        assertThrows(IllegalArgumentException.class, () -> new DiskIoJob(new int[1], new long[1], new long[1], 0, 0, 33));
        assertThrows(IllegalArgumentException.class, () -> new DiskIoJob(new int[1], new long[1], new long[1], 0, 0, 0));
    }

    private static int[] ops(final DiskIoJob job)
    {
        final int[] ops = new int[job.count()];
        for (int i = 0; i < ops.length; i++)
        {
            ops[i] = job.op(i);
        }
        return ops;
    }

    private static long[] sectors(final DiskIoJob job)
    {
        final long[] sectors = new long[job.count()];
        for (int i = 0; i < sectors.length; i++)
        {
            sectors[i] = job.sector(i);
        }
        return sectors;
    }

    @ParameterizedTest
    @CsvSource({"ata", "virtio"})
    void withoutAJobTheGuestSaysSoAndFails(final String disk) throws Exception
    {
        final RecordingConsole console = new RecordingConsole();
        final MachineExit exit;
        try (DiskImage image = image("ram");
             VirtMachine machine = VirtMachine.create(machine(disk, image, MachineConfig.MAX_TIMEBASE_HZ).console(console)))
        {
            exit = machine.run();
        }
        assertEquals(MachineExit.Kind.FINISHER, exit.kind());
        assertEquals(1, exit.exitCode());
        assertEquals(GuestPrograms.expected("disk-io-" + disk), console.text(), "output vs expected/disk-io-" + disk + ".out");
    }

    private static MachineConfig machine(final String disk, final DiskImage image, final long timebaseHz)
    {
        final MachineConfig config = new MachineConfig().memoryMiB(16).bootMode(BootMode.BARE).timebaseHz(timebaseHz)
            .kernel(GuestPrograms.image("disk-io-" + disk)).maxInstructions(4_000_000_000L);
        return "ata".equals(disk) ? config.addAtaDisk(image) : config.virtioBlk(image, "vda");
    }

    /** Warm-up reads, then reads and writes in random order, at random blocks. */
    private static DiskIoJob randomJob(final SplittableRandom random, final int flags)
    {
        final int n = WARMUP + READS + WRITES;
        final int[] ops = new int[n];
        final long[] sectors = new long[n];
        int writes = WRITES;
        for (int i = 0; i < n; i++)
        {
            final int left = n - i;
            ops[i] = i >= WARMUP && random.nextInt(left) < writes ? OP_WRITE : OP_READ;
            writes -= ops[i];
            sectors[i] = random.nextLong(BLOCKS) * DiskIoJobDescriptor.SECTORS_PER_BLOCK;
        }
        return new DiskIoJob(ops, sectors, new long[n], WARMUP, flags);
    }

    private DiskImage image(final String backing) throws Exception
    {
        final DiskImage image;
        if ("ram".equals(backing))
        {
            image = new RamDiskImage(DISK);
        }
        else
        {
            final Path file = dir.resolve("disk-" + System.nanoTime() + ".img");
            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
            {
                raf.setLength(DISK);
            }
            image = RawFileImage.open(file, false);
        }
        final ByteBuffer block = ByteBuffer.allocateDirect(DiskIoJobDescriptor.BLOCK_BYTES);
        for (long b = 0; b < BLOCKS; b++)
        {
            block.clear();
            DiskIoJob.fillPattern(block, b);
            assertEquals(DiskImage.OK, image.write(b * DiskIoJobDescriptor.BLOCK_BYTES, block));
        }
        return image;
    }

    private static double p50us(final DiskIoRunner.Run run, final DiskIoJob job, final int op)
    {
        final DiskIoResults r = run.results();
        final double[] sorted = java.util.stream.IntStream.range(0, r.count()).filter(i -> job.op(job.warmup() + i) == op)
            .mapToDouble(i -> run.nanos(r.end()[i] - r.start()[i])).sorted().toArray();
        return sorted[sorted.length / 2] / 1000;
    }

    private static double meanInstructions(final DiskIoResults r)
    {
        return java.util.Arrays.stream(r.instructions()).average().orElse(0);
    }
}
