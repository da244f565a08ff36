package io.javisor.perf.io;

import io.javisor.perf.report.LatencySummary;
import org.HdrHistogram.Histogram;

import java.util.List;

/**
 * Re-issues the requests of one variant of a trace against a variant, open loop at their recorded
 * intended starts (shifted so the first is due at once): same ops, sectors and sizes in the same
 * order. A request that finds the variant busy (a QD1 variant still serving the one before, or a
 * full queue) goes as soon as it can, and its latency counts from its intended start. Stateless.
 */
public final class Replay
{
    /** What a replay did: the requests as issued, and latency from intended start and from actual start. */
    public record Result(String source, IoVariant variant, VariantRun run, LatencySummary fromIntended,
        LatencySummary fromStart, long late)
    {
    }

    /** Unrecorded passes over the warm-up prefix before the replay. */
    public static final int WARMUP_PASSES = 2;

    private Replay()
    {
    }

    /** The requests of {@code source} in trace order, at most {@code limit} (0: all). */
    public static List<IoTrace.Entry> select(final List<IoTrace.Entry> trace, final String source, final int limit)
    {
        final List<IoTrace.Entry> picked = trace.stream().filter(e -> e.variant().equals(source))
            .limit(limit > 0 ? limit : Long.MAX_VALUE).toList();
        if (picked.isEmpty())
        {
            throw new IllegalArgumentException("the trace has no requests of variant '" + source + "'; it has " +
                IoTrace.variants(trace).keySet());
        }
        return picked;
    }

    /**
     * The open-loop requests for {@code entries}: intended starts relative to the first, which must
     * not go back in time (a trace's variant timeline never does).
     *
     * @throws IllegalArgumentException for a request that is not a 4 KiB block or goes back in time
     */
    public static IoRequests requests(final List<IoTrace.Entry> entries)
    {
        final int n = entries.size();
        final IoOp[] ops = new IoOp[n];
        final long[] sectors = new long[n];
        final long[] intended = new long[n];
        final long first = entries.getFirst().intendedNs();
        long previous = 0;
        for (int i = 0; i < n; i++)
        {
            final IoTrace.Entry e = entries.get(i);
            if (e.size() != IoRequests.BLOCK_BYTES)
            {
                throw new IllegalArgumentException("request " + i + " moves " + e.size() + " bytes; replay issues 4 KiB requests only");
            }
            ops[i] = e.op();
            sectors[i] = e.sector();
            // Requests issued together at depth may carry one timestamp; order is the trace's.
            intended[i] = Math.max(previous, e.intendedNs() - first);
            previous = intended[i];
        }
        return new IoRequests(ops, sectors, intended, 0);
    }

    /** The disk a replay needs: at least {@code minimum} bytes and every sector the requests touch. */
    public static long diskBytes(final IoRequests requests, final long minimum)
    {
        final long needed = requests.sectorsNeeded() * 512;
        final long bytes = Math.max(minimum, needed);
        return (bytes + IoRequests.BLOCK_BYTES - 1) / IoRequests.BLOCK_BYTES * IoRequests.BLOCK_BYTES;
    }

    /**
     * Opens {@code variant} on a disk of {@code diskBytes}; replays the first {@code warmup} requests
     * {@link #WARMUP_PASSES} times, unrecorded (a cold translator or JIT would otherwise hold up
     * everything behind the first requests); replays them all; closes the variant.
     */
    public static Result run(final String source, final IoRequests requests, final IoVariant variant, final long diskBytes,
        final int warmup)
    {
        final String unavailable = variant.unavailable();
        if (unavailable != null)
        {
            throw new IllegalStateException(variant.key() + ": " + unavailable);
        }
        try (variant)
        {
            variant.open(diskBytes);
            if (warmup > 0)
            {
                for (int pass = 0; pass < WARMUP_PASSES; pass++)
                {
                    variant.replay(requests.prefix(warmup));
                }
            }
            final VariantRun run = variant.replay(requests);
            final Histogram fromIntended = VariantTotals.newHistogram();
            final Histogram fromStart = VariantTotals.newHistogram();
            final RequestLog log = run.log();
            long late = 0;
            for (int i = 0; i < log.count(); i++)
            {
                fromIntended.recordValue(Math.max(1, log.endNs(i) - log.intendedNs(i)));
                fromStart.recordValue(Math.max(1, log.endNs(i) - log.startNs(i)));
                // Late: started more than 1 us after it was due.
                late += log.startNs(i) - log.intendedNs(i) > 1000 ? 1 : 0;
            }
            return new Result(source, variant, run, LatencySummary.of(fromIntended), LatencySummary.of(fromStart), late);
        }
    }
}
