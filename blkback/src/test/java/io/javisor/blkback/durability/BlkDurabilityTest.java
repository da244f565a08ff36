package io.javisor.blkback.durability;

import io.javisor.memory.testing.Seed;
import io.javisor.memory.testing.Seeded;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static io.javisor.blkback.durability.DurabilityWorkload.BLOCK_SIZE;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Crash consistency of the PV block path with a real process: a child JVM writes through
 * blkfront/blkback to a raw file image, acknowledging each batch only after its FLUSH completed;
 * it is killed with SIGKILL at an arbitrary moment; then this JVM — fresh process state, as after a
 * restart — attaches the image again and checks that every acknowledged-and-flushed block reads
 * back intact, that no block anywhere is torn or garbage, and that the file kept its size.
 * <p>
 * What SIGKILL can and cannot show: the kernel keeps what a killed process already wrote (the page
 * cache outlives it), so this finds writes acknowledged before they reached the image (answered
 * early, buffered in the JVM, lost by a ring or grant bug, misdirected, torn), not a missing
 * {@code fsync} — that needs a power cut. The second test proves the checker notices the former.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
@Seeded
class BlkDurabilityTest
{
    private static final int BLOCKS = 512; // a 2 MiB image
    private static final int BATCH = 8;
    private static final long WANTED_ACKS = 2000;
    private static final long MIN_ACKS = 50;
    private static final long MAX_RUN_NS = TimeUnit.SECONDS.toNanos(3);
    private static final long START_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);

    @TempDir
    Path dir;

    @Test
    void afterSigkillEveryAcknowledgedFlushedBlockReadsBackIntact(final Seed seed) throws Exception
    {
        final long started = System.nanoTime();
        final Path image = newImage("disk.img");
        final long runId = seed.splittableRandom().nextLong(1, Long.MAX_VALUE);
        final DurabilityWorkload workload = new DurabilityWorkload(runId, BLOCKS, BATCH);

        final Killed killed = runAndKill(image, workload, Long.MAX_VALUE, WANTED_ACKS);
        final AckLog log = AckLog.parse(killed.lines, workload);
        assertTrue(log.acknowledgedBatches() >= MIN_ACKS,
            "the writer acknowledged only " + log.acknowledgedBatches() + " batches before the kill");

        // "Restart": a new back end and front end in this JVM, on the image as the kill left it.
        final DurabilityChecker.Report report = DurabilityChecker.check(image, (long)BLOCKS * BLOCK_SIZE, workload, log);
        final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        System.out.println("BlkDurabilityTest: writer pid " + killed.pid + " sent SIGKILL once it had acknowledged " +
            killed.acksAtKill + " flushes (" + log.acknowledgedBatches() + " acknowledged in its final output" +
            (log.truncatedTail() ? ", last line cut" : "") + "); " + report.summary() + "; " + elapsedMs + " ms");

        assertTrue(report.clean(), report.summary() + report.describeProblems(20));
        assertEquals(BLOCKS, report.blocksRead(), "every block read back");
        assertTrue(report.acknowledgedBlocks() - report.atLatestAck() <= report.inFlightNew(),
            "an acknowledged block not at its latest acknowledged generation must hold the in-flight batch's");
        assertTrue(report.inFlightNew() + report.inFlightOld() <= BATCH, report.summary());
        assertTrue(report.acknowledgedBlocks() > BLOCKS / 2, "the run touched most of the disk");
        assertEquals((long)BLOCKS * BLOCK_SIZE, Files.size(image), "image size unchanged");
    }

    /**
     * The same run with a writer that, from batch 20 on, acknowledges batches it never wrote — what
     * acknowledging before the data is safe looks like after a crash. The checker must say LOST.
     */
    @Test
    void aWriterThatAcknowledgesWritesItNeverMadeIsCaught(final Seed seed) throws Exception
    {
        final Path image = newImage("lying.img");
        final long runId = seed.splittableRandom().nextLong(1, Long.MAX_VALUE);
        final DurabilityWorkload workload = new DurabilityWorkload(runId, BLOCKS, BATCH);

        final Killed killed = runAndKill(image, workload, 20, 120);
        final AckLog log = AckLog.parse(killed.lines, workload);
        assertTrue(log.acknowledgedBatches() >= 40, "only " + log.acknowledgedBatches() + " batches acknowledged");

        final DurabilityChecker.Report report = DurabilityChecker.check(image, (long)BLOCKS * BLOCK_SIZE, workload, log);
        System.out.println("BlkDurabilityTest (lying writer): " + report.summary() + report.describeProblems(3));
        assertFalse(report.clean(), "a writer that acknowledged unwritten batches passed: " + report.summary());
        assertTrue(report.has(DurabilityChecker.Kind.LOST), report.describeProblems(10));
        assertFalse(report.has(DurabilityChecker.Kind.CORRUPT), "nothing was torn, only lost" + report.describeProblems(10));
    }

    private record Killed(long pid, long acksAtKill, java.util.List<String> lines)
    {
    }

    private Killed runAndKill(final Path image, final DurabilityWorkload workload, final long lieFrom, final long wantedAcks)
        throws InterruptedException
    {
        try (WriterProcess writer = WriterProcess.start(image, workload.runId(), workload.batchSize(), lieFrom, dir))
        {
            final long acks = writer.awaitAcks(wantedAcks, MAX_RUN_NS, START_TIMEOUT_NS);
            // Messages as suppliers: building them reaps the process, which must only happen on failure.
            assertTrue(writer.isAlive(), () -> "the writer died on its own after " + acks + " acks, exit " +
                exitOf(writer) + ":\n" + writer.stderrTail());
            assertTrue(acks >= 1, () -> "the writer acknowledged nothing:\n" + writer.stderrTail());
            // Let the writer go on for a random few cycles (one is ~1.5 ms), so that the kill lands at an
            // arbitrary point of a batch (writing, flushing, printing) rather than right after an ack.
            // (Thread.sleep, not parkNanos: a permit left by the monitor wait would make parkNanos return at once.)
            Thread.sleep(Duration.ofNanos(new SplittableRandom(workload.runId()).nextLong(TimeUnit.MILLISECONDS.toNanos(10))));
            final int exit = writer.kill();
            assertEquals(WriterProcess.KILLED_BY_SIGKILL, exit,
                "the writer was not ended by SIGKILL:\n" + writer.stderrTail());
            return new Killed(writer.pid(), acks, writer.lines());
        }
    }

    private static String exitOf(final WriterProcess writer)
    {
        try
        {
            return Integer.toString(writer.kill());
        }
        catch (final InterruptedException | RuntimeException ex)
        {
            return "unknown";
        }
    }

    private Path newImage(final String name) throws IOException
    {
        final Path image = dir.resolve(name);
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw"))
        {
            file.setLength((long)BLOCKS * BLOCK_SIZE); // sparse: reads as zeros
        }
        return image;
    }
}
