package io.javisor.perf.io;

import io.javisor.perf.report.BenchReport;
import io.javisor.perf.report.LatencySummary;
import org.HdrHistogram.HistogramLogWriter;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The network side of a {@code bench io} run: per variant the 64-byte round-trip percentiles, the
 * 64-byte and 1,500-byte stream rates the peer received and the share it received, exits per round
 * trip; the ratios between paths; its part of the text table, of the JSON report and its
 * {@code .hlog} files. Immutable once built.
 */
final class NetResult
{
    private final NetConfig config;
    private final List<NetTotals> totals;
    private final long startMs;

    NetResult(final NetConfig config, final List<NetTotals> totals, final long startMs)
    {
        this.config = config;
        this.totals = List.copyOf(totals);
        this.startMs = startMs;
    }

    List<NetTotals> totals()
    {
        return totals;
    }

    boolean ran()
    {
        return !totals.isEmpty();
    }

    double rttP50(final String key)
    {
        for (final NetTotals t : totals)
        {
            if (t.variant.key().equals(key) && t.measured())
            {
                return t.rtt.getValueAtPercentile(50);
            }
        }
        return Double.NaN;
    }

    double ratioPvVsEmulatedRttP50()
    {
        return ratio(rttP50(IoVariants.PV_DOMAIN), rttP50(IoVariants.JAVISOR_LAN9118));
    }

    double ratioPvVsVirtioRttP50()
    {
        return ratio(rttP50(IoVariants.PV_DOMAIN), rttP50(IoVariants.JAVISOR_VIRTIO));
    }

    /** A ÷ B to three decimals, as the disk ratios; NaN where either is missing. */
    private static double ratio(final double a, final double b)
    {
        return Double.isNaN(a) || Double.isNaN(b) || b == 0 ? Double.NaN : Math.round(1000.0 * a / b) / 1000.0;
    }

    void printTable(final PrintWriter out)
    {
        if (!ran())
        {
            return;
        }
        out.printf(Locale.ROOT, "net: per round %d timed 64 B round trips to a Java echo guest on one bridge (after %d warm-up), " +
            "then %d-frame streams of 64 B and 1500 B it counts; dom0's shared netback%n", config.pings(), config.warmupPings(),
            config.streamFrames());
        out.printf(Locale.ROOT, "%-50s %9s %9s %9s %10s | %12s %12s %9s %10s%n", "64 B round trip, us", "p50", "p99", "p99.9",
            "max", "64 B fr/s", "1500 B fr/s", "recv'd", "exits/RTT");
        for (final NetTotals t : totals)
        {
            if (!t.measured())
            {
                out.printf(Locale.ROOT, "%-50s %s%n", t.variant.label(), t.unavailable != null ? t.unavailable :
                    t.stopped != null ? t.stopped : "no round trips recorded");
                continue;
            }
            final LatencySummary s = LatencySummary.of(t.rtt);
            final double received = (double)(t.small.counted + t.large.counted) / Math.max(1, t.small.sent + t.large.sent);
            out.printf(Locale.ROOT, "%-50s %9.2f %9.2f %9.2f %10.2f | %,12.0f %,12.0f %8.1f%% %10s%n", t.variant.label(),
                s.p50() / 1e3, s.p99() / 1e3, s.p999() / 1e3, s.max() / 1e3, t.small.framesPerSecond(),
                t.large.framesPerSecond(), received * 100, number(t.exitsPerRoundTrip(), "%.2f"));
        }
        out.printf(Locale.ROOT, "ratio_pv_vs_emulated_net_rtt_p50 = %s   ratio_pv_vs_virtio_net_rtt_p50 = %s%n",
            number(ratioPvVsEmulatedRttP50(), "%.3f"), number(ratioPvVsVirtioRttP50(), "%.3f"));
        out.println("Round trips timed by the guest's clock (the Java guest's by System.nanoTime); stream rates are the frames " +
            "the peer counted over the span from the first frame sent to its count's answer; exits as for disks.");
    }

    private static String number(final double value, final String format)
    {
        return Double.isNaN(value) ? "n/a" : String.format(Locale.ROOT, format, value);
    }

    void addTo(final BenchReport report)
    {
        if (!ran())
        {
            return;
        }
        for (final NetTotals t : totals)
        {
            if (!t.measured())
            {
                report.environment("net_variant_" + t.variant.key(), t.unavailable != null ? t.unavailable : String.valueOf(t.stopped));
                continue;
            }
            final String key = t.variant.key() + "_net";
            report.latency(key + "_rtt", LatencySummary.of(t.rtt), "round_trips");
            report.metric(key + "_stream64_fps", Math.round(t.small.framesPerSecond()));
            report.metric(key + "_stream1500_fps", Math.round(t.large.framesPerSecond()));
            report.metric(key + "_stream64_received", Math.round(t.small.delivered() * 1000) / 1000.0);
            report.metric(key + "_stream1500_received", Math.round(t.large.delivered() * 1000) / 1000.0);
            if (!Double.isNaN(t.exitsPerRoundTrip()) && !t.variant.key().equals(IoVariants.JAVA_PV))
            {
                report.metric(key + "_exits_per_rtt", Math.round(t.exitsPerRoundTrip() * 100) / 100.0);
            }
            report.metric(key + "_resent", t.resent);
        }
        report.metric("ratio_pv_vs_emulated_net_rtt_p50", ratioPvVsEmulatedRttP50());
        report.metric("ratio_pv_vs_virtio_net_rtt_p50", ratioPvVsVirtioRttP50());
        report.environment("net_pings", config.pings());
        report.environment("net_stream_frames", config.streamFrames());
    }

    /** One {@code io-net-KEY.hlog} per measured variant, one round-trip interval per round. */
    List<Path> writeHlogs(final Path dir)
    {
        final List<Path> files = new ArrayList<>();
        for (final NetTotals t : totals)
        {
            if (!t.measured())
            {
                continue;
            }
            final Path file = dir.resolve("io-net-" + t.variant.key() + ".hlog");
            try (PrintStream stream = new PrintStream(file.toFile(), StandardCharsets.UTF_8))
            {
                final HistogramLogWriter writer = new HistogramLogWriter(stream);
                writer.outputComment("javisor bench io: " + t.variant.label() + "; 64 B round trip in ns, one interval per round, tag rtt");
                writer.outputLogFormatVersion();
                writer.outputStartTime(startMs);
                writer.setBaseTime(startMs);
                writer.outputLegend();
                for (final NetTotals.Interval interval : t.intervals)
                {
                    interval.rtt().setTag("rtt");
                    interval.rtt().setStartTimeStamp(interval.startMs());
                    interval.rtt().setEndTimeStamp(Math.max(interval.startMs(), interval.endMs()));
                    writer.outputIntervalHistogram(interval.rtt());
                }
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot write " + file + ": " + ex.getMessage(), ex);
            }
            files.add(file);
        }
        return files;
    }
}
