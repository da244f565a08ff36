package io.javisor.blkback.durability;

import io.javisor.blkback.BlkBackend;
import io.javisor.blkback.BlkFront;
import io.javisor.blkback.image.RawFileImage;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static io.javisor.blkback.durability.DurabilityWorkload.BLOCK_SIZE;
import static io.javisor.blkback.durability.DurabilityWorkload.SECTORS_PER_BLOCK;

/**
 * The process that gets killed: a Java guest writing to a raw image through blkfront → ring →
 * blkback → {@link RawFileImage}, in batches, until SIGKILL.
 * <p>
 * Each round queues one batch of 4 KiB self-describing blocks (see {@link DurabilityWorkload}),
 * waits until every write is answered OK, sends FLUSH and waits for its OK, and only then prints
 * {@code ACK <seq> <count> <blocks>} (flushed at once). Standard output carries nothing else but a
 * {@code READY} line; diagnostics go to standard error.
 * <pre>
 * usage: DurabilityWriter IMAGE RUN_ID BATCH_SIZE [LIE_FROM]
 * </pre>
 * {@code LIE_FROM} is fault injection for the test that proves the checker can fail: from that
 * batch on the writer acknowledges batches whose writes it never sent, as a broken stack that
 * answered before the data reached the disk would.
 */
public final class DurabilityWriter
{
    /** Exit codes, so that the parent can tell a crash from the kill (137). */
    static final int EXIT_USAGE = 2;
    static final int EXIT_IO_FAILED = 3;
    static final int EXIT_ORPHANED = 4;
    /** A writer whose parent failed to kill it ends itself after this long. */
    static final long MAX_LIFETIME_SECONDS = 60;

    private DurabilityWriter()
    {
    }

    public static void main(final String[] args)
    {
        if (args.length < 3 || args.length > 4)
        {
            System.err.println("usage: DurabilityWriter IMAGE RUN_ID BATCH_SIZE [LIE_FROM]");
            System.exit(EXIT_USAGE);
        }
        final Path path = Path.of(args[0]);
        final long runId = Long.parseLong(args[1]);
        final int batchSize = Integer.parseInt(args[2]);
        final long lieFrom = args.length == 4 ? Long.parseLong(args[3]) : Long.MAX_VALUE;

        Thread.ofPlatform().daemon().name("writer-watchdog").start(() ->
        {
            try
            {
                Thread.sleep(TimeUnit.SECONDS.toMillis(MAX_LIFETIME_SECONDS));
            }
            catch (final InterruptedException ignored)
            {
                // fall through and end
            }
            System.err.println("writer: not killed within " + MAX_LIFETIME_SECONDS + " s, ending");
            Runtime.getRuntime().halt(EXIT_ORPHANED);
        });

        final PrintStream out = System.out;
        final RawFileImage image = RawFileImage.open(path, false);
        final PvDisk disk = PvDisk.attach(image, BlkBackend.Mode.LATENCY, false);
        final BlkFront front = disk.front();
        final DurabilityWorkload workload =
            new DurabilityWorkload(runId, (int)(front.sizeInBytes() / BLOCK_SIZE), batchSize);
        if (batchSize > front.queueDepth())
        {
            fail("batch size " + batchSize + " exceeds the queue depth " + front.queueDepth());
        }
        emit(out, "READY " + workload.blockCount());

        final byte[] bytes = new byte[batchSize * BLOCK_SIZE];
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        final int[] failures = new int[1];
        for (long seq = 0; ; seq++)
        {
            final int[] blocks = workload.blocksOf(seq);
            if (seq < lieFrom)
            {
                for (int i = 0; i < blocks.length; i++)
                {
                    workload.encode(blocks[i], seq, bytes, i * BLOCK_SIZE);
                    if (!front.write((long)blocks[i] * SECTORS_PER_BLOCK, SECTORS_PER_BLOCK, buffer, i * BLOCK_SIZE, i))
                    {
                        fail("ring full at write " + i + " of batch " + seq);
                    }
                }
                front.submit();
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                int done = 0;
                while (done < blocks.length)
                {
                    done += front.poll((tag, status) ->
                    {
                        if (status != 0)
                        {
                            failures[0]++;
                        }
                    });
                    if (done < blocks.length)
                    {
                        if (System.nanoTime() > deadline)
                        {
                            fail("batch " + seq + ": only " + done + " of " + blocks.length + " writes answered in 10 s");
                        }
                        front.awaitResponses(TimeUnit.MILLISECONDS.toNanos(100));
                    }
                }
                if (failures[0] != 0)
                {
                    fail("batch " + seq + ": " + failures[0] + " writes failed");
                }
            }
            final int flushed = front.flushBlocking();
            if (flushed != 0)
            {
                fail("batch " + seq + ": FLUSH failed with status " + flushed);
            }
            // Only now is the batch durable; say so.
            emit(out, AckLog.line(seq, blocks));
        }
    }

    private static void emit(final PrintStream out, final String line)
    {
        // One short write, so a line reaches the pipe whole (pipe writes ≤ 4 KiB are atomic).
        out.print(line + "\n");
        out.flush();
        if (out.checkError())
        {
            // Nobody is listening any more (the parent is gone): stop writing.
            Runtime.getRuntime().halt(EXIT_ORPHANED);
        }
    }

    private static void fail(final String message)
    {
        System.err.println("writer: " + message);
        System.err.flush();
        Runtime.getRuntime().halt(EXIT_IO_FAILED);
    }
}
