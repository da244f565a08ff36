package io.javisor.perf.io;

import io.javisor.emulation.machine.MachineConfig;
import io.javisor.perf.HarnessBenchmark;
import io.javisor.perf.report.BenchReport;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code javisor bench io}: 4 KiB random block IO over every path from a guest to a disk, side by
 * side in one run — a Java guest over PV, RISC-V guest code over PV (a PV domain, PV-on-HVM: slots
 * that run once their guest and launcher exist), over virtio-blk and emulated ATA PIO on javisor, and
 * the same virtio guest ELF on QEMU TCG as the anchor.
 * <p>
 * Each round runs every available variant once, in table order, on the same random request
 * sequence (a warm-up, then QD1 reads, then QD1 writes), plus the deep-queue closed loops of the
 * variants that queue deeper than 1 (Java PV at QD32). Warm-up rounds run first, unrecorded.
 * Guest-code latencies come from the guest's own clock (javisor's time base as configured, 1 GHz by
 * default; QEMU's 10 MHz). Outputs besides the table and the report: one HdrHistogram {@code .hlog}
 * per variant, an HTML report, and a Chronicle Queue trace of every request
 * ({@link IoTrace}), in {@link Config#outDir()}. A run happens on the calling thread (the Java PV
 * back end spins on its own while that variant runs).
 */
public final class IoBenchmark implements HarnessBenchmark
{
    public static final String NAME = "io";
    private static final long SEED = 0x243F_6A88_85A3_08D3L;

    /**
     * @param rounds         measured rounds
     * @param warmupRounds   unrecorded rounds before them
     * @param warmupRequests untimed reads at the front of each variant's run
     * @param requests       timed QD1 reads, and as many writes, per variant per round
     * @param deepSeconds    each deep-queue closed loop (reads, then writes) per round, for variants deeper than QD1
     * @param diskMiB        disk size of every variant
     * @param timebaseHz     javisor's board time base for the guest-code variants
     * @param interrupts     guest drivers interrupt-driven (else polled)
     * @param outDir         where the .hlog files, the HTML report and the trace go
     */
    public record Config(int rounds, int warmupRounds, int warmupRequests, int requests, double deepSeconds, int diskMiB,
        long timebaseHz, boolean interrupts, Path outDir)
    {
        public static final int DEFAULT_ROUNDS = 3;
        public static final int DEFAULT_WARMUP_ROUNDS = 1;
        public static final int DEFAULT_WARMUP_REQUESTS = 256;
        public static final int DEFAULT_REQUESTS = 2000;
        public static final double DEFAULT_DEEP_SECONDS = 0.25;
        public static final int DEFAULT_DISK_MIB = 64;
        public static final long DEFAULT_TIMEBASE_HZ = MachineConfig.MAX_TIMEBASE_HZ;

        public Config
        {
            if (rounds < 1 || rounds > 1000)
            {
                throw new IllegalArgumentException("rounds must be 1..1000: " + rounds);
            }
            if (warmupRounds < 0 || warmupRounds > 100)
            {
                throw new IllegalArgumentException("warm-up rounds must be 0..100: " + warmupRounds);
            }
            if (warmupRequests < 0 || requests < 1 || (long)warmupRequests + 2L * requests > 1_000_000)
            {
                throw new IllegalArgumentException("requests must be >= 1 and warm-up >= 0, together at most 1,000,000 a run: " +
                    requests + ", " + warmupRequests);
            }
            if (!(deepSeconds >= 0) || deepSeconds > 3600)
            {
                throw new IllegalArgumentException("deep-queue seconds must be 0..3600: " + deepSeconds);
            }
            if (diskMiB < 1 || diskMiB > 4096)
            {
                throw new IllegalArgumentException("disk size must be 1..4096 MiB: " + diskMiB);
            }
            if (timebaseHz <= 0 || timebaseHz > MachineConfig.MAX_TIMEBASE_HZ || MachineConfig.NANOS_PER_SECOND % timebaseHz != 0)
            {
                throw new IllegalArgumentException("time base must divide 1 GHz: " + timebaseHz + " Hz");
            }
            if (outDir == null)
            {
                throw new IllegalArgumentException("no output directory");
            }
        }

        public static Path defaultOutDir()
        {
            return Path.of(System.getProperty("java.io.tmpdir"), "javisor-bench-io");
        }

        public static Config defaults()
        {
            return new Config(DEFAULT_ROUNDS, DEFAULT_WARMUP_ROUNDS, DEFAULT_WARMUP_REQUESTS, DEFAULT_REQUESTS,
                DEFAULT_DEEP_SECONDS, DEFAULT_DISK_MIB, DEFAULT_TIMEBASE_HZ, false, defaultOutDir());
        }

        /** What {@code javisor bench} (every benchmark) runs: two rounds of 1000 requests, 0.15 s deep loops. */
        public static Config small()
        {
            return new Config(2, 1, DEFAULT_WARMUP_REQUESTS, 1000, 0.15, DEFAULT_DISK_MIB, DEFAULT_TIMEBASE_HZ, false,
                defaultOutDir());
        }

        long deepNs()
        {
            return (long)(deepSeconds * 1e9);
        }
    }

    private final Config config;
    private final List<String> only;
    private final NetConfig net;

    /** Every variant, disks only. */
    public IoBenchmark(final Config config)
    {
        this(config, IoVariants.KEYS, NetConfig.NONE);
    }

    /** Runs only the variants of {@code only} (keys of {@link IoVariants}), in table order, disks only. */
    public IoBenchmark(final Config config, final List<String> only)
    {
        this(config, only, NetConfig.NONE);
    }

    /**
     * Runs only the variants of {@code only} (keys of {@link IoVariants}), in table order, on disks
     * and, unless {@code net} is {@link NetConfig#NONE}, on the network (their net counterparts).
     */
    public IoBenchmark(final Config config, final List<String> only, final NetConfig net)
    {
        this.net = net;
        for (final String key : only)
        {
            if (!IoVariants.KEYS.contains(key))
            {
                throw new IllegalArgumentException("no variant '" + key + "'; variants: " + String.join(", ", IoVariants.KEYS));
            }
        }
        this.config = config;
        this.only = List.copyOf(only);
    }

    @Override
    public String name()
    {
        return NAME;
    }

    @Override
    public String description()
    {
        return "4 KiB random IO at QD1 and QD32, 64 B round trips and streams: Java PV, guest-code PV and PV-on-HVM, " +
            "javisor virtio and emulated ATA/LAN9118, QEMU virtio-blk";
    }

    @Override
    public BenchReport runAndPrint(final PrintWriter out)
    {
        final IoResult result = run(out);
        result.printTable(out);
        final List<Path> written = result.writeFiles();
        for (final Path file : written)
        {
            out.println("wrote " + file);
        }
        out.flush();
        return result.toReport();
    }

    /** Runs every round; progress lines go to {@code progress} when not null. */
    public IoResult run(final PrintWriter progress)
    {
        final long diskBytes = (long)config.diskMiB << 20;
        final long blocks = diskBytes / IoRequests.BLOCK_BYTES;
        final List<VariantTotals> totals = new ArrayList<>();
        final long runStartMs = System.currentTimeMillis();
        final Path tracePath = config.outDir.resolve("trace");
        try (IoTrace.Writer trace = IoTrace.create(tracePath))
        {
            try
            {
                for (final String key : IoVariants.KEYS)
                {
                    if (!only.contains(key))
                    {
                        continue;
                    }
                    final IoVariant variant = IoVariants.of(key, config.timebaseHz, config.interrupts);
                    final String unavailable = variant.unavailable();
                    final VariantTotals t = new VariantTotals(variant, unavailable);
                    totals.add(t);
                    if (unavailable == null)
                    {
                        variant.open(diskBytes);
                    }
                }
                for (int round = -config.warmupRounds; round < config.rounds; round++)
                {
                    final IoRequests requests = IoRequests.closedLoop(blocks, config.warmupRequests, config.requests,
                        config.requests, SEED ^ IoRequests.mix(round + 1000L));
                    for (final VariantTotals t : totals)
                    {
                        if (t.unavailable == null && t.stopped == null)
                        {
                            runRound(t, round, requests, trace);
                        }
                    }
                    if (progress != null)
                    {
                        progress.println(progressLine(round, totals));
                        progress.flush();
                    }
                }
            }
            finally
            {
                for (final VariantTotals t : totals)
                {
                    try
                    {
                        t.variant.close();
                    }
                    catch (final RuntimeException ex)
                    {
                        t.stopped = t.stopped == null ? "close: " + ex.getMessage() : t.stopped;
                    }
                }
            }
        }
        final long netStartMs = System.currentTimeMillis();
        final List<NetTotals> netTotals = new NetSection(net, config.timebaseHz, config.interrupts, only)
            .run(config.warmupRounds, config.rounds, progress);
        return new IoResult(config, totals, runStartMs, tracePath, new NetResult(net, netTotals, netStartMs));
    }

    private void runRound(final VariantTotals t, final int round, final IoRequests requests, final IoTrace.Writer trace)
    {
        try
        {
            final long startMs = System.currentTimeMillis();
            final VariantRun run = t.variant.run(requests);
            final long endMs = System.currentTimeMillis();
            if (round < 0)
            {
                return; // a warm-up round: nothing recorded
            }
            t.add(run, startMs, endMs);
            trace.append(t.variant.key(), round, run.log(), t.timeline);
            t.timeline += run.log().lastEndNs() + VariantTotals.ROUND_GAP_NS;
            if (t.variant.deepestQueue() > 1 && config.deepNs() > 0)
            {
                for (final IoOp op : IoOp.values())
                {
                    final DeepRun deep = t.variant.deep(op, t.variant.deepestQueue(), config.deepNs(),
                        SEED ^ IoRequests.mix(round * 2L + op.code()));
                    t.addDeep(deep);
                    trace.append(t.variant.key(), round, deep.log(), t.timeline);
                    t.timeline += deep.log().lastEndNs() + VariantTotals.ROUND_GAP_NS;
                }
            }
        }
        catch (final RuntimeException ex)
        {
            t.stopped = "stopped in round " + round + ": " + firstLine(ex);
        }
    }

    private static String firstLine(final Throwable ex)
    {
        final String message = String.valueOf(ex.getMessage());
        final int nl = message.indexOf('\n');
        return ex.getClass().getSimpleName() + ": " + (nl < 0 ? message : message.substring(0, nl));
    }

    private static String progressLine(final int round, final List<VariantTotals> totals)
    {
        final StringBuilder line = new StringBuilder(round < 0 ? "warm-up round" : "round " + (round + 1)).append(':');
        for (final VariantTotals t : totals)
        {
            if (t.unavailable != null)
            {
                continue;
            }
            line.append(' ').append(t.variant.key()).append(' ');
            if (t.stopped != null)
            {
                line.append("stopped");
            }
            else if (t.read.getTotalCount() == 0)
            {
                line.append("ok");
            }
            else
            {
                line.append(String.format(Locale.ROOT, "read p50 %.2f us", t.read.getValueAtPercentile(50) / 1000.0));
            }
            line.append(';');
        }
        return line.toString();
    }

    /** "1 GHz", "10 MHz", "250 kHz". */
    public static String hz(final long hz)
    {
        if (hz % 1_000_000_000L == 0)
        {
            return hz / 1_000_000_000L + " GHz";
        }
        if (hz % 1_000_000L == 0)
        {
            return hz / 1_000_000L + " MHz";
        }
        return hz % 1000 == 0 ? hz / 1000 + " kHz" : hz + " Hz";
    }
}
