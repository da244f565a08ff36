package io.javisor.perf.io;

import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.List;

/**
 * One net variant's measurements over the rounds of a run: the round-trip histogram (and one per
 * round, for the {@code .hlog}), the streams per frame size (frames sent, counted by the peer, and
 * their spans), exits over the timed round trips and resends. Single-threaded.
 */
final class NetTotals
{
    /** One round's round trips and its wall-clock span, for the interval log. */
    record Interval(long startMs, long endMs, Histogram rtt)
    {
    }

    /** Sums over the streams of one frame size. */
    static final class Stream
    {
        long sent;
        long counted;
        long ns;

        double framesPerSecond()
        {
            return ns == 0 ? Double.NaN : counted * 1e9 / ns;
        }

        double delivered()
        {
            return sent == 0 ? Double.NaN : (double)counted / sent;
        }
    }

    final NetVariant variant;
    final String unavailable;
    String stopped;
    final Histogram rtt = VariantTotals.newHistogram();
    final List<Interval> intervals = new ArrayList<>();
    final Stream small = new Stream();
    final Stream large = new Stream();
    double exits;
    long pings;
    long resent;

    NetTotals(final NetVariant variant, final String unavailable)
    {
        this.variant = variant;
        this.unavailable = unavailable;
    }

    boolean measured()
    {
        return unavailable == null && rtt.getTotalCount() > 0;
    }

    /** Adds a round: its round trips (and the small-frame stream) and its large-frame stream. */
    void add(final NetRun pingsAndSmall, final NetRun large, final long startMs, final long endMs)
    {
        final Histogram round = VariantTotals.newHistogram();
        for (final long ns : pingsAndSmall.rttNs())
        {
            round.recordValue(Math.max(1, Math.min(round.getHighestTrackableValue(), ns)));
        }
        rtt.add(round);
        intervals.add(new Interval(startMs, endMs, round));
        pings += pingsAndSmall.rttNs().length;
        exits += pingsAndSmall.exits();
        resent += pingsAndSmall.resent() + large.resent();
        addStream(small, pingsAndSmall);
        addStream(this.large, large);
    }

    private static void addStream(final Stream stream, final NetRun run)
    {
        stream.sent += run.streamSent();
        stream.counted += run.streamCounted();
        stream.ns += run.streamNs();
    }

    double exitsPerRoundTrip()
    {
        return pings == 0 ? Double.NaN : exits / pings;
    }
}
