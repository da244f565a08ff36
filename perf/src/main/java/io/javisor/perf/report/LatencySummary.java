package io.javisor.perf.report;

import org.HdrHistogram.Histogram;

import java.io.PrintWriter;
import java.util.Locale;

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

    /**
     * Prints one row of a latency table: description (left-aligned in {@code width} columns),
     * count, p50, p99, p99.9, max and mean, in nanoseconds.
     */
    public void printRow(final PrintWriter out, final String description, final int width)
    {
        out.printf(Locale.ROOT, "%-" + width + "s %,12d %,9d %,9d %,9d %,10d %9.1f%n",
            description, count, p50, p99, p999, max, mean);
    }
}
