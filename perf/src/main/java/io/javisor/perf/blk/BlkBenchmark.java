package io.javisor.perf.blk;

import io.javisor.blkback.wire.BlkifDescriptor;
import io.javisor.perf.HarnessBenchmark;
import io.javisor.perf.report.BenchReport;
import io.javisor.perf.report.LatencySummary;
import io.javisor.perf.ring.AgronaRingChannel;
import io.javisor.perf.ring.PingPong;
import org.HdrHistogram.Histogram;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * {@code javisor bench blk}: 4 KiB random reads and writes on a RAM disk through the PV block
 * path — {@code BlkFront} in a guest, the blkif shared ring on a guest page, {@code BlkBackend}
 * in dom0 busy-spinning on its own thread, data moved through persistent grants — measured side
 * by side with the same operations done on the image directly and with the Agrona ping-pong
 * anchor of {@code bench ring}.
 * <p>
 * Measured, in interleaved rounds (each round: the PV phases with the back end's thread running,
 * then the direct phases and the Agrona ping-pong with it stopped, so that only the threads of
 * what is being measured spin):
 * <ul>
 * <li>PV QD1 read and write latency, every request in an HdrHistogram;</li>
 * <li>PV IOPS, closed loop: reads at queue depth 1, 8 and 32, writes at 32;</li>
 * <li>direct QD1 read and write latency per operation, and operations per second;</li>
 * <li>Agrona ping-pong round trips of a blkif request's size;</li>
 * <li>an open loop (coordinated-omission-correct): PV reads issued on a fixed schedule, by
 * default at half the PV QD1 read IOPS of the first round, each timed from its intended start.</li>
 * </ul>
 */
public final class BlkBenchmark implements HarnessBenchmark
{
    public static final String NAME = "blk";
    /** The anchor's payload: one blkif request entry. */
    public static final int ANCHOR_PAYLOAD = BlkifDescriptor.REQUEST_LENGTH;
    static final double AUTO_RATE_FRACTION = 0.5;
    static final int FRONT_QUEUE_DEPTH = 32;
    private static final int SETTLE_REQUESTS = 2_000;
    private static final long SEED = 0x6A09E667F3BCC908L;

    /** Shares of a round's time: each PV phase 1, each direct phase 0.5, the Agrona ping-pong 2. */
    static final double PV_PHASE_UNITS = 1.0;
    static final double DIRECT_PHASE_UNITS = 0.5;
    static final double AGRONA_UNITS = 2.0;
    static final int PV_PHASES = 6;
    static final int DIRECT_PHASES = 4;
    static final double UNITS_PER_ROUND = PV_PHASES * PV_PHASE_UNITS + DIRECT_PHASES * DIRECT_PHASE_UNITS + AGRONA_UNITS;

    /**
     * @param seconds         measured time of the interleaved rounds, all kinds together
     * @param warmupSeconds   one unrecorded round of everything (open loop included) before it
     * @param rounds          interleaved rounds
     * @param diskMiB         RAM disk size, prefilled
     * @param rate            open-loop rate in requests/s; 0: half the measured PV QD1 read IOPS
     * @param openLoopSeconds open-loop run time, shared out over the rounds (0: none)
     */
    public record Config(double seconds, double warmupSeconds, int rounds, int diskMiB, double rate, double openLoopSeconds)
    {
        public static final double DEFAULT_SECONDS = 18.0;
        public static final double DEFAULT_WARMUP_SECONDS = 3.0;
        public static final int DEFAULT_ROUNDS = 3;
        public static final int DEFAULT_DISK_MIB = 256;
        public static final double DEFAULT_RATE = 0;
        public static final double DEFAULT_OPEN_LOOP_SECONDS = 3.0;

        public Config
        {
            if (!(seconds > 0) || seconds > 86_400)
            {
                throw new IllegalArgumentException("seconds must be > 0 (and at most a day): " + seconds);
            }
            if (!(warmupSeconds >= 0) || warmupSeconds > 86_400)
            {
                throw new IllegalArgumentException("warmup must be >= 0 seconds: " + warmupSeconds);
            }
            if (rounds < 1 || rounds > 10_000)
            {
                throw new IllegalArgumentException("rounds must be 1..10000: " + rounds);
            }
            if (diskMiB < 1 || diskMiB > 1 << 20)
            {
                throw new IllegalArgumentException("disk size must be 1..1048576 MiB: " + diskMiB);
            }
            if (!(rate >= 0) || Double.isInfinite(rate))
            {
                throw new IllegalArgumentException("rate must be >= 0 requests/s (0: automatic): " + rate);
            }
            if (!(openLoopSeconds >= 0) || openLoopSeconds > 86_400)
            {
                throw new IllegalArgumentException("open-loop seconds must be >= 0: " + openLoopSeconds);
            }
        }

        public static Config defaults()
        {
            return new Config(DEFAULT_SECONDS, DEFAULT_WARMUP_SECONDS, DEFAULT_ROUNDS, DEFAULT_DISK_MIB,
                DEFAULT_RATE, DEFAULT_OPEN_LOOP_SECONDS);
        }

        /** One PV phase of one round, in ns. */
        long pvPhaseNs()
        {
            return unitNs(seconds / rounds, PV_PHASE_UNITS);
        }

        long directPhaseNs()
        {
            return unitNs(seconds / rounds, DIRECT_PHASE_UNITS);
        }

        long agronaPhaseNs()
        {
            return unitNs(seconds / rounds, AGRONA_UNITS);
        }

        private static long unitNs(final double roundSeconds, final double units)
        {
            return Math.max(1, (long)(roundSeconds * 1e9 * units / UNITS_PER_ROUND));
        }
    }

    /** Latency of one kind, accumulated over the rounds. */
    public record Latency(String key, String description, Histogram histogram, LatencySummary summary)
    {
        static Latency of(final String key, final String description, final Histogram histogram)
        {
            return new Latency(key, description, histogram, LatencySummary.of(histogram));
        }
    }

    /** Operations per second of one kind: completions over measured time, summed over the rounds. */
    public record Throughput(String key, String description, int queueDepth, long operations, long elapsedNs)
    {
        public double perSecond()
        {
            return elapsedNs == 0 ? 0 : operations * 1e9 / elapsedNs;
        }
    }

    /** The open-loop run. */
    public record OpenLoop(double targetRate, long issued, long completed, long elapsedNs, Latency latency)
    {
        public double achievedRate()
        {
            return elapsedNs == 0 ? 0 : completed * 1e9 / elapsedNs;
        }
    }

    public record Result(
        Config config,
        long diskBytes,
        long pvPhaseNs,
        long directPhaseNs,
        long agronaPhaseNs,
        Latency pvQd1Read,
        Latency pvQd1Write,
        Latency directQd1Read,
        Latency directQd1Write,
        Latency agrona,
        Throughput pvQd1ReadIops,
        Throughput pvQd8ReadIops,
        Throughput pvQd32ReadIops,
        Throughput pvQd32WriteIops,
        Throughput directReadOps,
        Throughput directWriteOps,
        OpenLoop openLoop,
        long errors,
        long verifyDifferences,
        long agronaMismatches)
    {
        public double ratioQd1P50VsAgrona()
        {
            return ratio(pvQd1Read.summary.p50(), agrona.summary.p50());
        }

        public double ratioQd1P50VsDirect()
        {
            return ratio(pvQd1Read.summary.p50(), directQd1Read.summary.p50());
        }

        /**
         * PV QD1 read p50 over a floor that no PV design can go below on this machine: one ring
         * round trip between two cores (the Agrona p50) plus the 4 KiB read itself (the direct p50).
         */
        public double ratioQd1P50VsAgronaPlusDirect()
        {
            return ratio(pvQd1Read.summary.p50(), agrona.summary.p50() + directQd1Read.summary.p50());
        }

        public double ratioQd32ReadIopsVsDirect()
        {
            return directReadOps.perSecond() == 0 ? Double.NaN :
                Math.round(1000.0 * pvQd32ReadIops.perSecond() / directReadOps.perSecond()) / 1000.0;
        }

        private static double ratio(final long a, final long b)
        {
            return b == 0 ? Double.NaN : Math.round(1000.0 * a / b) / 1000.0;
        }

        public BenchReport toReport()
        {
            final BenchReport report = new BenchReport(NAME);
            for (final Latency latency : new Latency[]{ pvQd1Read, pvQd1Write, directQd1Read, directQd1Write })
            {
                report.latency(latency.key, latency.summary, "requests");
            }
            report.latency(agrona.key, agrona.summary, "round_trips");
            report.metric("ratio_qd1_p50_vs_agrona", ratioQd1P50VsAgrona());
            report.metric("ratio_qd1_p50_vs_direct", ratioQd1P50VsDirect());
            report.metric("ratio_qd1_p50_vs_agrona_plus_direct", ratioQd1P50VsAgronaPlusDirect());
            for (final Throughput t : new Throughput[]{ pvQd1ReadIops, pvQd8ReadIops, pvQd32ReadIops, pvQd32WriteIops,
                directReadOps, directWriteOps })
            {
                report.metric(t.key, Math.round(t.perSecond()));
                report.metric(t.key + "_requests", t.operations);
            }
            report.metric("ratio_qd32_read_iops_vs_direct", ratioQd32ReadIopsVsDirect());
            if (openLoop != null)
            {
                report.latency(openLoop.latency.key, openLoop.latency.summary, "requests");
                report.metric("openloop_read_target_rate", Math.round(openLoop.targetRate));
                report.metric("openloop_read_achieved_rate", Math.round(openLoop.achievedRate()));
                report.metric("openloop_read_issued", openLoop.issued);
            }
            report.metric("errors", errors);
            report.metric("verify_differences", verifyDifferences);
            report.metric("agrona_mismatches", agronaMismatches);
            report.metric("measured_seconds", config.seconds);
            report.environment("block_size", BlkRig.BLOCK_SIZE);
            report.environment("disk", "ram");
            report.environment("disk_mib", config.diskMiB);
            report.environment("front_queue_depth", FRONT_QUEUE_DEPTH);
            report.environment("persistent_grants", true);
            report.environment("backend_mode", "LATENCY");
            report.environment("idle_strategy", "BusySpinIdleStrategy");
            report.environment("anchor_payload", ANCHOR_PAYLOAD);
            report.environment("seconds", config.seconds);
            report.environment("warmup_seconds", config.warmupSeconds);
            report.environment("rounds", config.rounds);
            report.environment("pv_phase_seconds", pvPhaseNs / 1e9);
            report.environment("direct_phase_seconds", directPhaseNs / 1e9);
            report.environment("agrona_phase_seconds", agronaPhaseNs / 1e9);
            report.environment("openloop_seconds", config.openLoopSeconds);
            report.environment("openloop_rate", config.rate == 0 ? "auto (" + AUTO_RATE_FRACTION + " x PV QD1 read IOPS of the first round)" :
                Double.toString(config.rate));
            return report;
        }

        public void printTable(final PrintWriter out)
        {
            out.printf(Locale.ROOT, "blk: 4 KiB random IO on a %d MiB RAM disk: BlkFront -> blkif ring -> BlkBackend "
                    + "(busy-spin agent thread, persistent grants) vs the image directly vs an Agrona ping-pong "
                    + "(%d B); %d interleaved round(s), phases %.2f s (PV) / %.2f s (direct) / %.2f s (Agrona)%n",
                config.diskMiB, ANCHOR_PAYLOAD, config.rounds, pvPhaseNs / 1e9, directPhaseNs / 1e9, agronaPhaseNs / 1e9);
            out.printf(Locale.ROOT, "%-44s %12s %9s %9s %9s %10s %9s%n",
                "latency (per request)", "requests", "p50 ns", "p99 ns", "p99.9 ns", "max ns", "mean ns");
            row(out, pvQd1Read);
            row(out, pvQd1Write);
            row(out, directQd1Read);
            row(out, directQd1Write);
            row(out, agrona);
            if (openLoop != null)
            {
                row(out, openLoop.latency);
            }
            out.printf(Locale.ROOT, "%-44s %12s %14s%n", "throughput (closed loop)", "requests", "IOPS");
            for (final Throughput t : new Throughput[]{ pvQd1ReadIops, pvQd8ReadIops, pvQd32ReadIops, pvQd32WriteIops,
                directReadOps, directWriteOps })
            {
                out.printf(Locale.ROOT, "%-44s %,12d %,14.0f%n", t.description, t.operations, t.perSecond());
            }
            if (openLoop != null)
            {
                out.printf(Locale.ROOT, "open loop: target %,.0f/s, achieved %,.0f/s (%,d issued, %,d completed in %.2f s)%n",
                    openLoop.targetRate, openLoop.achievedRate(), openLoop.issued, openLoop.completed, openLoop.elapsedNs / 1e9);
            }
            out.printf(Locale.ROOT, "ratio_qd1_p50_vs_agrona (PV QD1 read p50 / Agrona p50) = %.3f%n", ratioQd1P50VsAgrona());
            out.printf(Locale.ROOT, "ratio_qd1_p50_vs_direct (PV QD1 read p50 / direct read p50) = %.3f   "
                + "ratio_qd1_p50_vs_agrona_plus_direct = %.3f%n", ratioQd1P50VsDirect(), ratioQd1P50VsAgronaPlusDirect());
            out.printf(Locale.ROOT, "PV QD32 read IOPS = %,.0f; %.3f x direct ops/s%n",
                pvQd32ReadIops.perSecond(), ratioQd32ReadIopsVsDirect());
            if (errors != 0 || verifyDifferences != 0 || agronaMismatches != 0)
            {
                out.printf(Locale.ROOT, "WARNING: %d error responses, %d bytes differed in the data check, "
                    + "%d Agrona mismatches%n", errors, verifyDifferences, agronaMismatches);
            }
            out.flush();
        }

        private static void row(final PrintWriter out, final Latency latency)
        {
            latency.summary.printRow(out, latency.description, 44);
        }
    }

    private final Config config;

    public BlkBenchmark(final Config config)
    {
        this.config = config;
    }

    public Config config()
    {
        return config;
    }

    @Override
    public String name()
    {
        return NAME;
    }

    @Override
    public String description()
    {
        return "4 KiB random IO on a RAM disk through BlkFront/ring/BlkBackend vs the image directly vs an Agrona ping-pong";
    }

    @Override
    public BenchReport runAndPrint(final PrintWriter out)
    {
        final Result result = run(out);
        result.printTable(out);
        return result.toReport();
    }

    /** Accumulators of one run. */
    private static final class Totals
    {
        final Histogram pvRead = PingPong.newHistogram();
        final Histogram pvWrite = PingPong.newHistogram();
        final Histogram directRead = PingPong.newHistogram();
        final Histogram directWrite = PingPong.newHistogram();
        final Histogram agrona = PingPong.newHistogram();
        final Histogram openLoop = PingPong.newHistogram();
        final long[] pvOps = new long[4];
        final long[] pvNs = new long[4];
        final long[] directOps = new long[2];
        final long[] directNs = new long[2];
        /** The open loop's rate, fixed for the run once known. */
        double openLoopRate;
        long openLoopIssued;
        long openLoopCompleted;
        long openLoopNs;

        double pvQd1ReadIops()
        {
            return pvNs[0] == 0 ? 0 : pvOps[0] * 1e9 / pvNs[0];
        }
    }

    private static final int[] PV_IOPS_DEPTHS = { 1, 8, 32, 32 };
    private static final boolean[] PV_IOPS_WRITE = { false, false, false, true };

    /**
     * Runs the benchmark; progress lines (one per round) go to {@code progress} when it is not null.
     */
    public Result run(final PrintWriter progress)
    {
        final long diskBytes = (long)config.diskMiB << 20;
        System.gc();
        try (BlkRig rig = new BlkRig(diskBytes, FRONT_QUEUE_DEPTH, NAME);
             AgronaRingChannel agronaChannel = new AgronaRingChannel(ANCHOR_PAYLOAD))
        {
            final PvDriver pv = new PvDriver(rig, SEED);
            final DirectDriver direct = new DirectDriver(rig.image(), SEED ^ 0x3C6EF372FE94F82BL);
            final PingPong agrona = new PingPong(agronaChannel);

            rig.startBackEnd();
            final long verifyDifferences;
            try
            {
                verifyDifferences = pv.verify(rig.blocks() / 2);
            }
            finally
            {
                rig.stopBackEnd();
            }

            final Histogram scratch = PingPong.newHistogram();
            if (config.warmupSeconds > 0)
            {
                // One round of everything, the open loop included, in the warm-up time.
                final double openShare = config.openLoopSeconds > 0 ? 1.0 : 0.0;
                final Config warm = new Config(config.warmupSeconds * UNITS_PER_ROUND / (UNITS_PER_ROUND + openShare), 0, 1,
                    config.diskMiB, config.rate, config.warmupSeconds * openShare / (UNITS_PER_ROUND + openShare));
                round(rig, pv, direct, agrona, warm, new Totals(), scratch);
                if (progress != null)
                {
                    progress.printf(Locale.ROOT, "warm-up: one round of everything in %.1f s%n", config.warmupSeconds);
                    progress.flush();
                }
            }

            final Totals totals = new Totals();
            for (int i = 0; i < config.rounds; i++)
            {
                round(rig, pv, direct, agrona, config, totals, scratch);
                if (progress != null)
                {
                    progress.printf(Locale.ROOT, "round %d/%d: p50 PV QD1 read %d ns, direct read %d ns, Agrona %d ns; "
                            + "PV QD32 read %,.0f IOPS; open loop p99 %,d ns%n", i + 1, config.rounds,
                        totals.pvRead.getValueAtPercentile(50), totals.directRead.getValueAtPercentile(50),
                        totals.agrona.getValueAtPercentile(50), totals.pvOps[2] * 1e9 / Math.max(1, totals.pvNs[2]),
                        totals.openLoop.getValueAtPercentile(99));
                    progress.flush();
                }
            }

            OpenLoop open = null;
            if (config.openLoopSeconds > 0)
            {
                open = new OpenLoop(totals.openLoopRate, totals.openLoopIssued, totals.openLoopCompleted, totals.openLoopNs,
                    Latency.of("openloop_read", String.format(Locale.ROOT, "PV read open loop @ %,.0f/s (from intended start)",
                        totals.openLoopRate), totals.openLoop));
            }

            return new Result(config, diskBytes, config.pvPhaseNs(), config.directPhaseNs(), config.agronaPhaseNs(),
                Latency.of("pv_qd1_read", "PV read QD1 (BlkFront->ring->BlkBackend)", totals.pvRead),
                Latency.of("pv_qd1_write", "PV write QD1", totals.pvWrite),
                Latency.of("direct_qd1_read", "direct read (RamDiskImage.read, 4 KiB)", totals.directRead),
                Latency.of("direct_qd1_write", "direct write (RamDiskImage.write, 4 KiB)", totals.directWrite),
                Latency.of("agrona", "Agrona OneToOneRingBuffer ping-pong x2", totals.agrona),
                new Throughput("pv_qd1_read_iops", "PV read QD1", 1, totals.pvOps[0], totals.pvNs[0]),
                new Throughput("pv_qd8_read_iops", "PV read QD8", 8, totals.pvOps[1], totals.pvNs[1]),
                new Throughput("pv_qd32_read_iops", "PV read QD32", 32, totals.pvOps[2], totals.pvNs[2]),
                new Throughput("pv_qd32_write_iops", "PV write QD32", 32, totals.pvOps[3], totals.pvNs[3]),
                new Throughput("direct_read_iops", "direct read (ops/s, one thread)", 1, totals.directOps[0], totals.directNs[0]),
                new Throughput("direct_write_iops", "direct write (ops/s, one thread)", 1, totals.directOps[1], totals.directNs[1]),
                open,
                pv.errors() + direct.errors(),
                verifyDifferences,
                agrona.mismatches());
        }
    }

    /**
     * One round: the PV phases and the open loop with the back end's thread running, then
     * (stopped) the direct phases, then the Agrona ping-pong (which runs its own echo thread).
     * <p>
     * The open loop's rate is fixed at its first use: {@link Config#rate()}, or else half the PV
     * QD1 read IOPS measured just before in the same round.
     */
    private static void round(final BlkRig rig, final PvDriver pv, final DirectDriver direct, final PingPong agrona,
        final Config config, final Totals totals, final Histogram scratch)
    {
        final long pvNs = config.pvPhaseNs();
        final long directNs = config.directPhaseNs();
        final long openLoopNs = (long)(config.openLoopSeconds * 1e9 / config.rounds);
        rig.startBackEnd();
        try
        {
            pv.settle(SETTLE_REQUESTS);
            pv.latencyQd1(false, pvNs, totals.pvRead);
            pv.latencyQd1(true, pvNs, totals.pvWrite);
            for (int i = 0; i < PV_IOPS_DEPTHS.length; i++)
            {
                totals.pvOps[i] += pv.closedLoop(PV_IOPS_WRITE[i], PV_IOPS_DEPTHS[i], pvNs);
                totals.pvNs[i] += pv.lastElapsedNs();
            }
            if (openLoopNs > 0)
            {
                if (totals.openLoopRate == 0)
                {
                    totals.openLoopRate = config.rate > 0 ? config.rate : AUTO_RATE_FRACTION * totals.pvQd1ReadIops();
                }
                totals.openLoopCompleted += pv.openLoop(totals.openLoopRate, openLoopNs, totals.openLoop);
                totals.openLoopIssued += pv.lastIssued();
                totals.openLoopNs += pv.lastElapsedNs();
            }
        }
        finally
        {
            rig.stopBackEnd();
        }
        direct.latency(false, directNs, totals.directRead);
        direct.latency(true, directNs, totals.directWrite);
        totals.directOps[0] += direct.throughput(false, directNs);
        totals.directNs[0] += direct.lastElapsedNs();
        totals.directOps[1] += direct.throughput(true, directNs);
        totals.directNs[1] += direct.lastElapsedNs();

        scratch.reset();
        agrona.measure(config.agronaPhaseNs(), scratch);
        totals.agrona.add(scratch);
    }
}
