package io.javisor.blkback.durability;

import io.javisor.blkback.BlkBackend;
import io.javisor.blkback.BlkFront;
import io.javisor.blkback.image.DiskImageException;
import io.javisor.blkback.image.RawFileImage;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.javisor.blkback.durability.DurabilityWorkload.BLOCK_SIZE;
import static io.javisor.blkback.durability.DurabilityWorkload.SECTORS_PER_BLOCK;

/**
 * After the writer died: boots a fresh back end and front end on the image (read-only, so the
 * evidence is not touched), reads every block through the PV path and judges it against the
 * {@link AckLog}.
 * <p>
 * The rules, for block {@code b} whose newest acknowledged batch is {@code A} (or none), when
 * batch {@code F = lastAcked + 1} was possibly in flight:
 * <ul>
 *   <li>the block must be all zeros or an intact record of this run for block {@code b} — never
 *       torn, garbage or another block's data, acknowledged or not;</li>
 *   <li>zeros are legal only if no acknowledged batch wrote {@code b} (else: LOST);</li>
 *   <li>generation {@code A} is legal; so is {@code F} if batch {@code F} writes {@code b} (a write
 *       the writer finished but had not yet acknowledged);</li>
 *   <li>a generation older than {@code A} means an acknowledged, flushed write was lost (LOST);
 *       any other generation cannot be explained (UNEXPECTED).</li>
 * </ul>
 * A block of batch {@code F} may thus hold its old or its new content, but never a mix.
 */
final class DurabilityChecker
{
    enum Kind
    {
        /** The image file's size changed. */
        SIZE_CHANGED,
        /** The writer's acknowledgements break the protocol. */
        ACK_LOG,
        /** Torn, garbage, misdirected, or unreadable. */
        CORRUPT,
        /** An acknowledged-and-flushed block is gone (zeros or an older generation). */
        LOST,
        /** An intact block whose generation no legal history explains. */
        UNEXPECTED
    }

    record Problem(Kind kind, long block, String detail)
    {
        @Override
        public String toString()
        {
            return kind + (block >= 0 ? " block " + block : "") + ": " + detail;
        }
    }

    /**
     * @param acknowledgedBatches batches the writer acknowledged.
     * @param blocksRead          blocks read back through the front end.
     * @param acknowledgedBlocks  blocks written by some acknowledged batch (each must be intact).
     * @param atLatestAck         of those, blocks holding exactly their newest acknowledged generation.
     * @param inFlightNew         blocks of the unacknowledged in-flight batch holding its new content.
     * @param inFlightOld         blocks of that batch still holding their previous content.
     * @param neverWritten        blocks that read as zeros and were never acknowledged.
     */
    record Report(List<Problem> problems, long acknowledgedBatches, long blocksRead, long acknowledgedBlocks,
                  long atLatestAck, long inFlightNew, long inFlightOld, long neverWritten)
    {
        boolean clean()
        {
            return problems.isEmpty();
        }

        boolean has(final Kind kind)
        {
            return problems.stream().anyMatch(p -> p.kind() == kind);
        }

        String summary()
        {
            return acknowledgedBatches + " batches acknowledged; " + blocksRead + " blocks read; " +
                acknowledgedBlocks + " acknowledged blocks, " + atLatestAck + " at their latest acknowledged generation; " +
                "in-flight batch: " + inFlightNew + " new, " + inFlightOld + " old; " + neverWritten + " never written; " +
                problems.size() + " problems";
        }

        String describeProblems(final int max)
        {
            final StringBuilder text = new StringBuilder();
            problems.stream().limit(max).forEach(p -> text.append("\n  ").append(p));
            if (problems.size() > max)
            {
                text.append("\n  ... and ").append(problems.size() - max).append(" more");
            }
            return text.toString();
        }
    }

    private DurabilityChecker()
    {
    }

    static Report check(final Path imageFile, final long expectedSize, final DurabilityWorkload workload, final AckLog log)
    {
        final List<Problem> problems = new ArrayList<>();
        log.problems().forEach(p -> problems.add(new Problem(Kind.ACK_LOG, -1, p)));

        final long size;
        try
        {
            size = Files.size(imageFile);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        if (size != expectedSize)
        {
            problems.add(new Problem(Kind.SIZE_CHANGED, -1, "image is " + size + " bytes, was " + expectedSize));
        }

        final long inFlight = log.lastAcked() + 1;
        final boolean[] inFlightBlock = new boolean[workload.blockCount()];
        for (final int block : workload.blocksOf(inFlight))
        {
            inFlightBlock[block] = true;
        }

        long read = 0, acknowledged = 0, atLatest = 0, flightNew = 0, flightOld = 0, never = 0;
        final byte[] bytes = new byte[BLOCK_SIZE];
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        final RawFileImage image;
        try
        {
            image = RawFileImage.open(imageFile, true);
        }
        catch (final DiskImageException ex)
        {
            problems.add(new Problem(Kind.CORRUPT, -1, "image does not open: " + ex.getMessage()));
            return new Report(List.copyOf(problems), log.acknowledgedBatches(), 0, 0, 0, 0, 0, 0);
        }
        try (image; PvDisk disk = PvDisk.attach(image, BlkBackend.Mode.DENSITY, true))
        {
            final BlkFront front = disk.front();
            final long readable = front.sizeInBytes() / BLOCK_SIZE;
            for (int block = 0; block < workload.blockCount(); block++)
            {
                final long ack = log.latestAck(block);
                if (ack >= 0)
                {
                    acknowledged++;
                }
                if (block >= readable)
                {
                    if (ack >= 0)
                    {
                        problems.add(new Problem(Kind.LOST, block, "acknowledged at sequence " + ack +
                            " but past the end of the image"));
                    }
                    continue;
                }
                final int status = front.readBlocking((long)block * SECTORS_PER_BLOCK, SECTORS_PER_BLOCK, buffer, 0);
                if (status != 0)
                {
                    problems.add(new Problem(Kind.CORRUPT, block, "read failed with status " + status));
                    continue;
                }
                read++;
                switch (workload.inspect(block, bytes, 0))
                {
                    case DurabilityWorkload.Corrupt corrupt ->
                        problems.add(new Problem(Kind.CORRUPT, block, corrupt.why() +
                            (ack >= 0 ? "; acknowledged at sequence " + ack : "; never acknowledged")));
                    case DurabilityWorkload.Zero zero ->
                    {
                        if (ack >= 0)
                        {
                            problems.add(new Problem(Kind.LOST, block, "reads as zeros, acknowledged at sequence " + ack));
                        }
                        else if (inFlightBlock[block])
                        {
                            flightOld++;
                        }
                        else
                        {
                            never++;
                        }
                    }
                    case DurabilityWorkload.Intact(final long seq) ->
                    {
                        if (seq == ack)
                        {
                            atLatest++;
                            if (inFlightBlock[block])
                            {
                                flightOld++;
                            }
                        }
                        else if (seq == inFlight && inFlightBlock[block])
                        {
                            flightNew++;
                        }
                        else if (seq < ack)
                        {
                            problems.add(new Problem(Kind.LOST, block, "holds sequence " + seq +
                                ", older than its acknowledged sequence " + ack));
                        }
                        else
                        {
                            problems.add(new Problem(Kind.UNEXPECTED, block, "holds sequence " + seq + " (latest ack " +
                                ack + ", in flight " + inFlight + (inFlightBlock[block] ? "" : ", which does not write it") + ")"));
                        }
                    }
                }
            }
        }
        return new Report(List.copyOf(problems), log.acknowledgedBatches(), read, acknowledged, atLatest,
            flightNew, flightOld, never);
    }
}
