package io.javisor.blkback.durability;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What the writer promised: the parsed {@code ACK} lines of its standard output.
 * <p>
 * The writer prints {@code ACK <seq> <count> <block>...} once the FLUSH that follows batch
 * {@code seq} has been answered with success, and only then starts batch {@code seq + 1}. So the
 * batches {@code 0 .. lastAcked()} are promised to be on the disk, and batch
 * {@code lastAcked() + 1} may have been partly or wholly written when the writer died.
 * <p>
 * A line cut short by the kill (it can only be the last one) is not a promise and is ignored;
 * anything else that breaks the rules (a gap, a repeat, a block list that is not the batch's)
 * is reported as a problem, because the checker's reasoning would no longer hold.
 */
final class AckLog
{
    static final String ACK = "ACK";

    private final DurabilityWorkload workload;
    private final long[] latestAck;
    private final List<String> problems = new ArrayList<>();
    private long lastAcked = -1;
    private boolean truncatedTail;

    private AckLog(final DurabilityWorkload workload)
    {
        this.workload = workload;
        this.latestAck = new long[workload.blockCount()];
        Arrays.fill(latestAck, -1);
    }

    /**
     * The line the writer prints for an acknowledged batch.
     */
    static String line(final long seq, final int[] blocks)
    {
        final StringBuilder text = new StringBuilder(ACK).append(' ').append(seq).append(' ').append(blocks.length);
        for (final int block : blocks)
        {
            text.append(' ').append(block);
        }
        return text.toString();
    }

    /**
     * Reads the writer's output; lines that are not {@code ACK} lines (start-up chatter) are skipped.
     */
    static AckLog parse(final List<String> lines, final DurabilityWorkload workload)
    {
        final AckLog log = new AckLog(workload);
        for (int i = 0; i < lines.size(); i++)
        {
            final String line = lines.get(i);
            if (line.startsWith(ACK + " ") || line.equals(ACK))
            {
                log.accept(line, i == lines.size() - 1);
            }
        }
        return log;
    }

    private void accept(final String line, final boolean last)
    {
        final long[] numbers = numbers(line);
        if (numbers == null || numbers.length < 2 || numbers[1] != numbers.length - 2)
        {
            if (last)
            {
                truncatedTail = true; // cut by the kill: not acknowledged
            }
            else
            {
                problems.add("malformed ack line: " + line);
            }
            return;
        }
        final long seq = numbers[0];
        if (seq != lastAcked + 1)
        {
            problems.add("ack for batch " + seq + " after batch " + lastAcked + ": the log has a gap or a repeat");
        }
        final int[] expected = workload.blocksOf(seq);
        final long[] claimed = Arrays.copyOfRange(numbers, 2, numbers.length);
        if (!Arrays.equals(Arrays.stream(expected).asLongStream().toArray(), claimed))
        {
            problems.add("batch " + seq + " acknowledged blocks " + Arrays.toString(claimed) +
                " but it writes " + Arrays.toString(expected));
        }
        for (final int block : expected)
        {
            latestAck[block] = Math.max(latestAck[block], seq);
        }
        lastAcked = Math.max(lastAcked, seq);
    }

    private static long[] numbers(final String line)
    {
        final String[] tokens = line.trim().split(" +");
        final long[] numbers = new long[tokens.length - 1];
        try
        {
            for (int i = 1; i < tokens.length; i++)
            {
                numbers[i - 1] = Long.parseLong(tokens[i]);
            }
        }
        catch (final NumberFormatException ex)
        {
            return null;
        }
        return numbers;
    }

    /** The highest acknowledged batch, -1 when none was. */
    long lastAcked()
    {
        return lastAcked;
    }

    long acknowledgedBatches()
    {
        return lastAcked + 1;
    }

    /** The newest acknowledged batch that wrote {@code block}, -1 when none did. */
    long latestAck(final int block)
    {
        return latestAck[block];
    }

    boolean truncatedTail()
    {
        return truncatedTail;
    }

    List<String> problems()
    {
        return List.copyOf(problems);
    }
}
