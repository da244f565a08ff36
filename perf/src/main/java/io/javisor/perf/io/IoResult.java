package io.javisor.perf.io;

import io.javisor.emulation.reference.QemuRunner;
import io.javisor.perf.report.BenchReport;
import io.javisor.perf.report.LatencySummary;
import io.javisor.perf.report.ToolVersion;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The outcome of one {@code bench io} run: per variant the QD1 latency summaries, IOPS, exits and
 * instructions per IO; the ratios between paths; the text table, the JSON report, the {@code .hlog}
 * files and the HTML report. Read-only once built.
 */
public final class IoResult
{
    private final IoBenchmark.Config config;
    private final List<VariantTotals> totals;
    private final long startMs;
    private final Path trace;
    private final NetResult net;

    IoResult(final IoBenchmark.Config config, final List<VariantTotals> totals, final long startMs, final Path trace,
        final NetResult net)
    {
        this.config = config;
        this.totals = List.copyOf(totals);
        this.startMs = startMs;
        this.trace = trace;
        this.net = net;
    }

    NetResult net()
    {
        return net;
    }

    List<VariantTotals> totals()
    {
        return totals;
    }

    IoBenchmark.Config config()
    {
        return config;
    }

    public Path trace()
    {
        return trace;
    }

    VariantTotals variant(final String key)
    {
        for (final VariantTotals t : totals)
        {
            if (t.variant.key().equals(key))
            {
                return t;
            }
        }
        return null;
    }

    private boolean measured(final String key)
    {
        final VariantTotals t = variant(key);
        return t != null && t.measured();
    }

    /** The PV variant the ratios use: guest-code PV when it ran (PV domain, else PV-on-HVM), else the Java guest. */
    public String pvVariant()
    {
        for (final String key : new String[] {IoVariants.PV_DOMAIN, IoVariants.PV_ON_HVM, IoVariants.JAVA_PV})
        {
            if (measured(key))
            {
                return key;
            }
        }
        return null;
    }

    private long readP50(final String key)
    {
        return key != null && measured(key) ? variant(key).read.getValueAtPercentile(50) : 0;
    }

    private static double ratio(final long a, final long b)
    {
        return a == 0 || b == 0 ? Double.NaN : Math.round(1000.0 * a / b) / 1000.0;
    }

    public double ratioPvVsEmulatedReadP50()
    {
        return ratio(readP50(pvVariant()), readP50(IoVariants.JAVISOR_ATA));
    }

    public double ratioPvVsVirtioReadP50()
    {
        return ratio(readP50(pvVariant()), readP50(IoVariants.JAVISOR_VIRTIO));
    }

    public double ratioQemuVirtioVsPvReadP50()
    {
        return ratio(readP50(IoVariants.QEMU_VIRTIO), readP50(pvVariant()));
    }

    public double ratioQemuVirtioVsJavisorVirtioReadP50()
    {
        return ratio(readP50(IoVariants.QEMU_VIRTIO), readP50(IoVariants.JAVISOR_VIRTIO));
    }

    private String pvNote()
    {
        final String pv = pvVariant();
        if (pv == null)
        {
            return "no PV variant ran";
        }
        if (IoVariants.JAVA_PV.equals(pv))
        {
            return "PV = java_pv (the Java guest): guest-code PV (variants 2, 3) did not run";
        }
        return "PV = " + pv + " (guest code)";
    }

    public void printTable(final PrintWriter out)
    {
        printDiskTable(out);
        net.printTable(out);
    }

    private void printDiskTable(final PrintWriter out)
    {
        out.printf(Locale.ROOT, "io: 4 KiB random IO on a %d MiB disk per variant, %d round(s) of %d reads + %d writes at QD1 " +
                "(after %d warm-up reads; %d warm-up round(s)), same request sequence for every variant in a round; " +
                "guest drivers %s%n", config.diskMiB(), config.rounds(), config.requests(), config.requests(),
            config.warmupRequests(), config.warmupRounds(), config.interrupts() ? "interrupt-driven" : "polled");
        out.printf(Locale.ROOT, "%-50s %9s %9s %9s %10s | %9s %9s %9s %10s%n", "QD1 latency, us",
            "read p50", "p99", "p99.9", "max", "write p50", "p99", "p99.9", "max");
        for (final VariantTotals t : totals)
        {
            if (!t.measured())
            {
                out.printf(Locale.ROOT, "%-50s %s%n", t.variant.label(), t.unavailable != null ? t.unavailable :
                    t.stopped != null ? t.stopped : "no requests recorded");
                continue;
            }
            final LatencySummary r = t.readSummary();
            final LatencySummary w = t.writeSummary();
            out.printf(Locale.ROOT, "%-50s %9.2f %9.2f %9.2f %10.2f | %9.2f %9.2f %9.2f %10.2f%n", t.variant.label(),
                r.p50() / 1e3, r.p99() / 1e3, r.p999() / 1e3, r.max() / 1e3, w.p50() / 1e3, w.p99() / 1e3, w.p999() / 1e3,
                w.max() / 1e3);
        }
        out.printf(Locale.ROOT, "%-50s %10s %10s %16s %16s %9s %9s%n", "throughput and cost per IO",
            "QD1 rd/s", "QD1 wr/s", "deep rd/s", "deep wr/s", "exits/IO", "insn/IO");
        for (final VariantTotals t : totals)
        {
            if (!t.measured())
            {
                continue;
            }
            final String deepRead = t.deepReadNs == 0 ? "QD1 only" : String.format(Locale.ROOT, "%,.0f @QD%d", t.deepReadIops(), t.deepDepth);
            final String deepWrite = t.deepWriteNs == 0 ? "QD1 only" : String.format(Locale.ROOT, "%,.0f @QD%d", t.deepWriteIops(), t.deepDepth);
            out.printf(Locale.ROOT, "%-50s %,10.0f %,10.0f %16s %16s %9s %9s%n", t.variant.label(), t.qd1ReadIops(),
                t.qd1WriteIops(), deepRead, deepWrite, number(t.exitsPerIo(), "%.2f"), number(t.instructionsPerIo(), "%.1f"));
        }
        out.printf(Locale.ROOT, "ratio_pv_vs_emulated_read_p50 = %s   ratio_pv_vs_virtio_read_p50 = %s%n",
            number(ratioPvVsEmulatedReadP50(), "%.3f"), number(ratioPvVsVirtioReadP50(), "%.3f"));
        out.printf(Locale.ROOT, "ratio_qemu_virtio_vs_pv_read_p50 = %s   ratio_qemu_virtio_vs_javisor_virtio_read_p50 = %s%n",
            number(ratioQemuVirtioVsPvReadP50(), "%.3f"), number(ratioQemuVirtioVsJavisorVirtioReadP50(), "%.3f"));
        out.println("(ratio_A_vs_B = A's read p50 / B's; " + pvNote() + ")");
        out.println("clocks: " + clocks());
        out.println("QD1 IOPS = requests / time in flight (1 / mean latency; guest-side data checks between requests left out). " +
            "Deep: a closed loop at the deepest queue (guest code: polled, IOPS from the first request queued to the last completion " +
            "taken; ATA has no queue). Exits and insn per IO are the QD1 rounds': MMIO accesses that trapped to the board " +
            "(UART excluded) plus hypercalls (PV); " +
            "a Java guest has no vCPU (0); QEMU TCG counts none (n/a), and its instret counts host cycles without -icount (n/a).");
        for (final VariantTotals t : totals)
        {
            if (t.failures > 0)
            {
                out.printf(Locale.ROOT, "WARNING: %s: %d requests answered an error or read data other than the disk's pattern%n",
                    t.variant.key(), t.failures);
            }
            if (t.measured() && t.stopped != null)
            {
                out.printf(Locale.ROOT, "WARNING: %s %s%n", t.variant.key(), t.stopped);
            }
        }
        out.flush();
    }

    private String clocks()
    {
        final List<String> parts = new ArrayList<>();
        for (final VariantTotals t : totals)
        {
            if (t.unavailable == null)
            {
                parts.add(t.variant.key() + ": " + t.variant.clock());
            }
        }
        return String.join("; ", parts);
    }

    private static String number(final double value, final String format)
    {
        return Double.isNaN(value) ? "n/a" : String.format(Locale.ROOT, format, value);
    }

    public BenchReport toReport()
    {
        final BenchReport report = new BenchReport(IoBenchmark.NAME);
        for (final VariantTotals t : totals)
        {
            if (!t.measured())
            {
                continue;
            }
            final String key = t.variant.key();
            report.latency(key + "_read_qd1", t.readSummary(), "requests");
            report.latency(key + "_write_qd1", t.writeSummary(), "requests");
            report.metric(key + "_read_qd1_iops", Math.round(t.qd1ReadIops()));
            report.metric(key + "_write_qd1_iops", Math.round(t.qd1WriteIops()));
            if (t.deepReadNs > 0)
            {
                report.metric(key + "_read_qd" + t.deepDepth + "_iops", Math.round(t.deepReadIops()));
                report.metric(key + "_write_qd" + t.deepDepth + "_iops", Math.round(t.deepWriteIops()));
            }
            if (!Double.isNaN(t.exitsPerIo()))
            {
                report.metric(key + "_exits_per_io", Math.round(t.exitsPerIo() * 100) / 100.0);
            }
            if (!Double.isNaN(t.instructionsPerIo()))
            {
                report.metric(key + "_instructions_per_io", Math.round(t.instructionsPerIo() * 10) / 10.0);
            }
            report.metric(key + "_errors", t.failures);
        }
        final String pv = pvVariant();
        report.metric("pv_read_p50_ns", readP50(pv));
        report.metric("emulated_read_p50_ns", readP50(IoVariants.JAVISOR_ATA));
        report.metric("virtio_read_p50_ns", readP50(IoVariants.JAVISOR_VIRTIO));
        report.metric("qemu_virtio_read_p50_ns", readP50(IoVariants.QEMU_VIRTIO));
        report.metric("ratio_pv_vs_emulated_read_p50", ratioPvVsEmulatedReadP50());
        report.metric("ratio_pv_vs_virtio_read_p50", ratioPvVsVirtioReadP50());
        report.metric("ratio_qemu_virtio_vs_pv_read_p50", ratioQemuVirtioVsPvReadP50());
        report.metric("ratio_qemu_virtio_vs_javisor_virtio_read_p50", ratioQemuVirtioVsJavisorVirtioReadP50());
        report.environment("pv_variant", pv == null ? "none" : pv);
        report.environment("pv_note", pvNote());
        for (final VariantTotals t : totals)
        {
            report.environment("variant_" + t.variant.key(), t.measured() ? "measured; " + t.variant.clock() :
                t.unavailable != null ? t.unavailable : String.valueOf(t.stopped));
        }
        report.environment("javisor_timebase_hz", config.timebaseHz());
        report.environment("qemu_timebase_hz", QemuLauncher.TIMEBASE_HZ);
        if (measured(IoVariants.QEMU_VIRTIO))
        {
            report.environment("qemu", QemuRunner.findBinary().map(ToolVersion::firstLine).orElse("unknown"));
        }
        report.environment("guest_driver_mode", config.interrupts() ? "interrupts" : "polled");
        report.environment("guest_queue_depth", 1);
        report.environment("block_size", IoRequests.BLOCK_BYTES);
        report.environment("disk_mib", config.diskMiB());
        report.environment("rounds", config.rounds());
        report.environment("warmup_rounds", config.warmupRounds());
        report.environment("requests_per_op_per_round", config.requests());
        report.environment("warmup_requests", config.warmupRequests());
        report.environment("deep_seconds", config.deepSeconds());
        report.environment("out_dir", config.outDir().toString());
        net.addTo(report);
        return report;
    }

    /** Writes the {@code .hlog} per measured variant and the HTML report into the output directory; returns the files. */
    public List<Path> writeFiles()
    {
        final List<Path> files = new ArrayList<>();
        try
        {
            Files.createDirectories(config.outDir());
            for (final VariantTotals t : totals)
            {
                if (t.measured())
                {
                    files.add(writeHlog(t));
                }
            }
            files.addAll(net.writeHlogs(config.outDir()));
            final Path html = config.outDir().resolve("io-report.html");
            Files.writeString(html, IoHtmlReport.render(this), StandardCharsets.UTF_8);
            files.add(html);
            files.add(trace);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write the io reports to " + config.outDir() + ": " + ex.getMessage(), ex);
        }
        return files;
    }

    private Path writeHlog(final VariantTotals t) throws FileNotFoundException
    {
        final Path file = config.outDir().resolve("io-" + t.variant.key() + ".hlog");
        try (PrintStream stream = new PrintStream(file.toFile(), StandardCharsets.UTF_8))
        {
            final HistogramLogWriter writer = new HistogramLogWriter(stream);
            writer.outputComment("javisor bench io: " + t.variant.label() + "; QD1 4 KiB latency in ns, one interval per round, " +
                "tags read and write; clock: " + t.variant.clock());
            writer.outputLogFormatVersion();
            writer.outputStartTime(startMs);
            writer.setBaseTime(startMs);
            writer.outputLegend();
            for (final VariantTotals.Interval interval : t.intervals)
            {
                output(writer, interval.read(), "read", interval);
                output(writer, interval.write(), "write", interval);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return file;
    }

    private static void output(final HistogramLogWriter writer, final Histogram histogram, final String tag,
        final VariantTotals.Interval interval)
    {
        histogram.setTag(tag);
        histogram.setStartTimeStamp(interval.startMs());
        histogram.setEndTimeStamp(Math.max(interval.startMs(), interval.endMs()));
        writer.outputIntervalHistogram(histogram);
    }
}
