package io.javisor.blkback.durability;

import io.javisor.blkback.durability.DurabilityChecker.Kind;
import io.javisor.blkback.durability.DurabilityChecker.Problem;
import io.javisor.blkback.durability.DurabilityChecker.Report;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static io.javisor.blkback.durability.DurabilityWorkload.BLOCK_SIZE;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The checker on hand-made images: a history that a correct writer could leave passes, and each
 * kind of damage a broken one could leave — an acknowledged write lost or rolled back, a torn
 * block, a misdirected write, garbage, a block from nowhere, a resized file, a gap in the
 * acknowledgements — is reported. The image is still read through blkback/blkfront.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DurabilityCheckerTest
{
    private static final int BLOCKS = 64;
    private static final int ACKED = 20; // batches 0..19 acknowledged, 20 in flight
    private static final long SIZE = (long)BLOCKS * BLOCK_SIZE;

    private final DurabilityWorkload workload = new DurabilityWorkload(42, BLOCKS, 4);

    @TempDir
    Path dir;
    private Path image;
    private List<String> output;

    /** Writes batches 0..19 in order, as an honest writer would have, and their ack lines. */
    @BeforeEach
    void writeHonestHistory() throws IOException
    {
        image = dir.resolve("hand.img");
        try (FileChannel file = FileChannel.open(image, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))
        {
            file.truncate(0);
            file.write(ByteBuffer.allocate(1), SIZE - 1);
        }
        output = new ArrayList<>();
        output.add("READY " + BLOCKS);
        for (int seq = 0; seq < ACKED; seq++)
        {
            for (final int block : workload.blocksOf(seq))
            {
                writeRecord(block, seq);
            }
            output.add(AckLog.line(seq, workload.blocksOf(seq)));
        }
    }

    @Test
    void anHonestHistoryWithAHalfWrittenInFlightBatchPasses() throws IOException
    {
        final int[] inFlight = workload.blocksOf(ACKED);
        writeRecord(inFlight[0], ACKED);
        writeRecord(inFlight[1], ACKED);
        output.add("ACK " + ACKED + " 4 " + inFlight[0]); // cut by the kill: not a promise

        final AckLog log = AckLog.parse(output, workload);
        final Report report = check(log);
        assertTrue(report.clean(), report.describeProblems(10));
        assertTrue(log.truncatedTail());
        assertEquals(ACKED, report.acknowledgedBatches());
        assertEquals(BLOCKS, report.blocksRead());
        assertEquals(2, report.inFlightNew());
        assertEquals(2, report.inFlightOld());
        assertEquals(report.acknowledgedBlocks(), report.atLatestAck() + ackedAmong(inFlight[0], inFlight[1]));
    }

    @Test
    void anAcknowledgedBatchRolledBackIsReportedLost() throws IOException
    {
        // What "acknowledged before FLUSH, then the cache was lost" leaves: the last acknowledged
        // batch's blocks hold what they held before it.
        final int last = ACKED - 1;
        for (final int block : workload.blocksOf(last))
        {
            final long before = generationBefore(block, last);
            if (before < 0)
            {
                zero(block);
            }
            else
            {
                writeRecord(block, before);
            }
        }
        final Report report = check(AckLog.parse(output, workload));
        assertEquals(workload.batchSize(), count(report, Kind.LOST), report.describeProblems(10));
        assertEquals(workload.batchSize(), report.problems().size(), report.describeProblems(10));
    }

    @Test
    void anOlderGenerationOfAnAcknowledgedBlockIsReportedLost() throws IOException
    {
        final int block = blockWithTwoAckedGenerations();
        writeRecord(block, generationBefore(block, latest(block)));
        assertOnly(Kind.LOST, block, check(AckLog.parse(output, workload)));
    }

    @Test
    void aZeroedAcknowledgedBlockIsReportedLost() throws IOException
    {
        final int block = workload.blocksOf(3)[0];
        zero(block);
        assertOnly(Kind.LOST, block, check(AckLog.parse(output, workload)));
    }

    @Test
    void aTornAcknowledgedBlockIsReportedCorrupt() throws IOException
    {
        // New first half, old second half: each half is a perfectly good piece of some write.
        final int block = blockWithTwoAckedGenerations();
        final byte[] torn = record(block, latest(block));
        final byte[] old = record(block, generationBefore(block, latest(block)));
        System.arraycopy(old, BLOCK_SIZE / 2, torn, BLOCK_SIZE / 2, BLOCK_SIZE / 2);
        writeBytes(block, torn);
        assertOnly(Kind.CORRUPT, block, check(AckLog.parse(output, workload)));
    }

    @Test
    void aTornInFlightBlockIsReportedCorruptThoughNeverAcknowledged() throws IOException
    {
        final int block = workload.blocksOf(ACKED)[0];
        final byte[] torn = record(block, ACKED);
        // One sector of the new write did not land; that sector reads as before (zeros or older data).
        final long before = latest(block);
        final byte[] old = before < 0 ? new byte[BLOCK_SIZE] : record(block, before);
        System.arraycopy(old, 7 * 512, torn, 7 * 512, 512);
        writeBytes(block, torn);
        assertOnly(Kind.CORRUPT, block, check(AckLog.parse(output, workload)));
    }

    @Test
    void anotherBlocksDataIsReportedAsAMisdirectedWrite() throws IOException
    {
        final int from = workload.blocksOf(5)[0];
        final int to = workload.blocksOf(6)[0] == from ? workload.blocksOf(6)[1] : workload.blocksOf(6)[0];
        writeBytes(to, record(from, latest(from)));
        final Report report = check(AckLog.parse(output, workload));
        assertOnly(Kind.CORRUPT, to, report);
        assertTrue(report.problems().getFirst().detail().contains("misdirected"), report.describeProblems(3));
    }

    @Test
    void garbageInANeverWrittenBlockIsReportedCorrupt() throws IOException
    {
        final int block = neverWritten();
        final byte[] garbage = new byte[BLOCK_SIZE];
        new Random(7).nextBytes(garbage);
        writeBytes(block, garbage);
        assertOnly(Kind.CORRUPT, block, check(AckLog.parse(output, workload)));
    }

    @Test
    void aValidBlockNoHistoryExplainsIsReportedUnexpected() throws IOException
    {
        final int block = neverWritten();
        writeRecord(block, ACKED + 5); // from a batch that cannot have started
        assertOnly(Kind.UNEXPECTED, block, check(AckLog.parse(output, workload)));
    }

    @Test
    void aResizedImageIsReported() throws IOException
    {
        try (FileChannel file = FileChannel.open(image, StandardOpenOption.WRITE))
        {
            file.write(ByteBuffer.allocate(BLOCK_SIZE), SIZE);
        }
        final Report report = check(AckLog.parse(output, workload));
        assertEquals(List.of(Kind.SIZE_CHANGED), report.problems().stream().map(Problem::kind).toList());
    }

    @Test
    void aGapInTheAcknowledgementsIsReported() throws IOException
    {
        output.remove(AckLog.line(7, workload.blocksOf(7)));
        final Report report = check(AckLog.parse(output, workload));
        assertTrue(report.has(Kind.ACK_LOG), report.describeProblems(10));
    }

    // ---------------------------------------------------------------------------------------------

    private Report check(final AckLog log)
    {
        return DurabilityChecker.check(image, SIZE, workload, log);
    }

    private static void assertOnly(final Kind kind, final int block, final Report report)
    {
        assertEquals(List.of(new Problem(kind, block, "")).stream().map(p -> p.kind() + "@" + p.block()).toList(),
            report.problems().stream().map(p -> p.kind() + "@" + p.block()).toList(), report.describeProblems(10));
    }

    private static long count(final Report report, final Kind kind)
    {
        return report.problems().stream().filter(p -> p.kind() == kind).count();
    }

    /** The newest batch among 0..19 that wrote {@code block}, -1 if none. */
    private long latest(final int block)
    {
        return generationBefore(block, ACKED);
    }

    /** The newest batch before {@code seq} that wrote {@code block}, -1 if none. */
    private long generationBefore(final int block, final long seq)
    {
        for (long s = seq - 1; s >= 0; s--)
        {
            for (final int b : workload.blocksOf(s))
            {
                if (b == block)
                {
                    return s;
                }
            }
        }
        return -1;
    }

    private int blockWithTwoAckedGenerations()
    {
        for (int block = 0; block < BLOCKS; block++)
        {
            if (latest(block) >= 0 && generationBefore(block, latest(block)) >= 0)
            {
                return block;
            }
        }
        throw new AssertionError("no block was written twice; change the workload");
    }

    private int neverWritten()
    {
        final int[] inFlight = workload.blocksOf(ACKED);
        outer:
        for (int block = 0; block < BLOCKS; block++)
        {
            for (final int b : inFlight)
            {
                if (b == block)
                {
                    continue outer;
                }
            }
            if (latest(block) < 0)
            {
                return block;
            }
        }
        throw new AssertionError("every block was written; change the workload");
    }

    private long ackedAmong(final int... blocks)
    {
        long n = 0;
        for (final int block : blocks)
        {
            n += latest(block) >= 0 ? 1 : 0;
        }
        return n;
    }

    private byte[] record(final int block, final long seq)
    {
        final byte[] bytes = new byte[BLOCK_SIZE];
        workload.encode(block, seq, bytes, 0);
        return bytes;
    }

    private void writeRecord(final int block, final long seq) throws IOException
    {
        writeBytes(block, record(block, seq));
    }

    private void zero(final int block) throws IOException
    {
        writeBytes(block, new byte[BLOCK_SIZE]);
    }

    private void writeBytes(final int block, final byte[] bytes) throws IOException
    {
        try (FileChannel file = FileChannel.open(image, StandardOpenOption.WRITE))
        {
            final ByteBuffer src = ByteBuffer.wrap(bytes);
            long at = (long)block * BLOCK_SIZE;
            while (src.hasRemaining())
            {
                at += file.write(src, at);
            }
        }
    }
}
