package io.javisor.perf.io;

import io.javisor.perf.report.LatencySummary;
import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.List;

/**
 * One variant's measurements accumulated over the rounds of a run: QD1 read and write latency
 * histograms (and one pair per round, for the {@code .hlog}), the summed latencies that give QD1
 * IOPS, exits and instructions over the timed requests, the deep-queue closed loops, and the
 * variant's own timeline (its rounds one after another) for the trace. Single-threaded.
 */
final class VariantTotals
{
    /** Gap left on a variant's timeline between two of its rounds. */
    static final long ROUND_GAP_NS = 1_000_000;
    private static final long HIGHEST_NS = 60_000_000_000L;

    /** One round's histograms and its wall-clock span, for the interval log. */
    record Interval(long startMs, long endMs, Histogram read, Histogram write)
    {
    }

    final IoVariant variant;
    final String unavailable;
    String stopped;
    final Histogram read = newHistogram();
    final Histogram write = newHistogram();
    final List<Interval> intervals = new ArrayList<>();
    long readNs;
    long writeNs;
    double exits;
    double instructions;
    long ios;
    long failures;
    long deepReadOps;
    long deepReadNs;
    long deepWriteOps;
    long deepWriteNs;
    int deepDepth;
    /** Where the variant's next round starts on its own timeline. */
    long timeline;

    VariantTotals(final IoVariant variant, final String unavailable)
    {
        this.variant = variant;
        this.unavailable = unavailable;
    }

    static Histogram newHistogram()
    {
        return new Histogram(1, HIGHEST_NS, 3);
    }

    boolean measured()
    {
        return unavailable == null && read.getTotalCount() > 0;
    }

    /** Adds a QD1 run's timed requests: latencies, IOPS time, exits, instructions. */
    void add(final VariantRun run, final long startMs, final long endMs)
    {
        final Histogram r = newHistogram();
        final Histogram w = newHistogram();
        final RequestLog log = run.log();
        for (int i = 0; i < log.count(); i++)
        {
            final long ns = Math.max(1, Math.min(HIGHEST_NS, log.endNs(i) - log.startNs(i)));
            if (log.op(i) == IoOp.READ)
            {
                r.recordValue(ns);
                readNs += ns;
            }
            else
            {
                w.recordValue(ns);
                writeNs += ns;
            }
        }
        read.add(r);
        write.add(w);
        intervals.add(new Interval(startMs, endMs, r, w));
        exits += run.exits();
        instructions += run.instructions();
        ios += log.count();
        failures += run.failures();
    }

    void addDeep(final DeepRun run)
    {
        deepDepth = run.queueDepth();
        if (run.op() == IoOp.READ)
        {
            deepReadOps += run.completed();
            deepReadNs += run.elapsedNs();
        }
        else
        {
            deepWriteOps += run.completed();
            deepWriteNs += run.elapsedNs();
        }
    }

    LatencySummary readSummary()
    {
        return LatencySummary.of(read);
    }

    LatencySummary writeSummary()
    {
        return LatencySummary.of(write);
    }

    /** QD1 IOPS: requests over the time they were in flight (1 / mean latency); the guest's checking between requests is left out. */
    double qd1ReadIops()
    {
        return readNs == 0 ? Double.NaN : read.getTotalCount() * 1e9 / readNs;
    }

    double qd1WriteIops()
    {
        return writeNs == 0 ? Double.NaN : write.getTotalCount() * 1e9 / writeNs;
    }

    double deepReadIops()
    {
        return deepReadNs == 0 ? Double.NaN : deepReadOps * 1e9 / deepReadNs;
    }

    double deepWriteIops()
    {
        return deepWriteNs == 0 ? Double.NaN : deepWriteOps * 1e9 / deepWriteNs;
    }

    double exitsPerIo()
    {
        return ios == 0 ? Double.NaN : exits / ios;
    }

    double instructionsPerIo()
    {
        return ios == 0 ? Double.NaN : instructions / ios;
    }
}
