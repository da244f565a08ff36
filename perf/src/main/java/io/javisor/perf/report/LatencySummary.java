package io.javisor.perf.report;

import org.HdrHistogram.Histogram;

/**
 * The figures a latency table shows, taken from an HdrHistogram of nanosecond values.
 */
public record LatencySummary(long count, long p50, long p99, long p999, long max, double mean)
{
    public static LatencySummary of(final Histogram histogram)
    {
        if (histogram.getTotalCount() == 0)
        {
            return new LatencySummary(0, 0, 0, 0, 0, 0.0);
        }
        return new LatencySummary(
            histogram.getTotalCount(),
            histogram.getValueAtPercentile(50.0),
            histogram.getValueAtPercentile(99.0),
            histogram.getValueAtPercentile(99.9),
            histogram.getMaxValue(),
            histogram.getMean());
    }
}
