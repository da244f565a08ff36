package io.javisor.perf.net;

import io.javisor.netback.NetFrontConfig;
import io.javisor.perf.HarnessBenchmark;
import io.javisor.perf.report.BenchReport;
import io.javisor.perf.report.LatencySummary;
import io.javisor.perf.ring.AgronaRingChannel;
import io.javisor.perf.ring.PingPong;
import org.HdrHistogram.Histogram;

import java.io.PrintWriter;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * {@code javisor bench net}: guest-to-guest networking through the PV path — two Java guests'
 * {@code NetFront}s, their netif tx/rx rings, one {@code NetBackend} agent in dom0 busy-spinning on
 * its own thread, a learning bridge — measured side by side with the Agrona ping-pong anchor of
 * {@code bench ring}.
 * <p>
 * Measured, in interleaved rounds:
 * <ul>
 * <li>ping-pong of 64 B frames, A → B, echoed by B's receive handler back to A, every round trip
 * in an HdrHistogram ({@link NetPingPong});</li>
 * <li>streaming of 64 B and of 1500 B frames A → B, batched sends with one flush per batch, in
 * frames per second and Gbit/s counted as frame bytes × 8 ({@link NetStream});</li>
 * <li>the Agrona {@code OneToOneRingBuffer} ping-pong of a 64 B payload ({@link PingPong} over
 * {@link AgronaRingChannel}, the code of {@code bench ring}).</li>
 * </ul>
 * <b>Threads.</b> On a 2-core machine the net phases run exactly two spinning threads: the back
 * end's agent, and the benchmark's thread driving both front ends (A's and B's work interleave on
 * it, as two guests sharing one vCPU would). One thread per front end would make three spinning
 * threads on two cores: each loses its core to the others for whole scheduler slices (tried: a
 * 64 B stream with A's sender and B's receiver on threads of their own ran at about 31,000
 * frames/s on this 2-core machine, against 4 to 5 million with one thread driving both). The
 * Agrona anchor runs the same two threads (its front end, its echo agent). The back end's thread
 * cannot be paused without tearing its vifs down, so each round builds the rig (hypervisor, two
 * guests, back end, bridge, handshakes) before its net phases and closes it before the Agrona
 * phase: only the threads of what is being measured ever spin.
 */
public final class NetBenchmark implements HarnessBenchmark
{
    public static final String NAME = "net";
    public static final int PINGPONG_FRAME = 64;
    public static final int SMALL_FRAME = 64;
    public static final int LARGE_FRAME = 1500;

    /** Shares of a round's time. */
    static final double PINGPONG_UNITS = 1.5;
    static final double STREAM_UNITS = 1.0;
    static final double AGRONA_UNITS = 1.5;
    static final double UNITS_PER_ROUND = PINGPONG_UNITS + 2 * STREAM_UNITS + AGRONA_UNITS;
    /** Unrecorded streaming right after a rig is built: first touch of its fresh guest pages. */
    private static final long STREAM_SETTLE_NS = 30_000_000L;
    static final long COMPILER_QUIET_STEP_MS = 100;
    static final long COMPILER_QUIET_MAX_MS = 3_000;

    /**
     * @param seconds       measured time of the interleaved rounds, every phase together
     * @param warmupSeconds one unrecorded round of everything before it (0: none)
     * @param rounds        interleaved rounds
     * @param batch         most frames queued per flush when streaming
     */
    public record Config(double seconds, double warmupSeconds, int rounds, int batch)
    {
        public static final double DEFAULT_SECONDS = 15.0;
        public static final double DEFAULT_WARMUP_SECONDS = 4.0;
        public static final int DEFAULT_ROUNDS = 6;
        public static final int DEFAULT_BATCH = 64;

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
            if (batch < 1 || batch > 256)
            {
                throw new IllegalArgumentException("batch must be 1..256 frames (the transmit ring's size): " + batch);
            }
        }

        public static Config defaults()
        {
            return new Config(DEFAULT_SECONDS, DEFAULT_WARMUP_SECONDS, DEFAULT_ROUNDS, DEFAULT_BATCH);
        }

        long pingPongPhaseNs()
        {
            return unitNs(PINGPONG_UNITS);
        }

        long streamPhaseNs()
        {
            return unitNs(STREAM_UNITS);
        }

        long agronaPhaseNs()
        {
            return unitNs(AGRONA_UNITS);
        }

        private long unitNs(final double units)
        {
            return Math.max(1, (long)(seconds / rounds * 1e9 * units / UNITS_PER_ROUND));
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

    /** One streaming kind, summed over the rounds. */
    public record Stream(String key, int frameSize, long frames, long elapsedNs, long sent, long drops)
    {
        public double packetsPerSecond()
        {
            return elapsedNs == 0 ? 0 : frames * 1e9 / elapsedNs;
        }

        /** Gbit/s of frame bytes (no preamble, no inter-frame gap). */
        public double gigabitsPerSecond()
        {
            return packetsPerSecond() * frameSize * 8 / 1e9;
        }
    }

    public record Result(
        Config config,
        long pingPongPhaseNs,
        long streamPhaseNs,
        long agronaPhaseNs,
        int txBuffers,
        int rxBuffers,
        int window,
        Latency pingPong,
        Latency agrona,
        Stream small,
        Stream large,
        long pingPongMismatches,
        long outOfOrder,
        long agronaMismatches,
        long rigSetupNs)
    {
        public double ratioP50()
        {
            return ratio(pingPong.summary.p50(), agrona.summary.p50());
        }

        public double ratioP99()
        {
            return ratio(pingPong.summary.p99(), agrona.summary.p99());
        }

        public double ratioP999()
        {
            return ratio(pingPong.summary.p999(), agrona.summary.p999());
        }

        private static double ratio(final long a, final long b)
        {
            return b == 0 ? Double.NaN : Math.round(1000.0 * a / b) / 1000.0;
        }

        private static double round3(final double value)
        {
            return Math.round(value * 1000.0) / 1000.0;
        }

        public long drops()
        {
            return small.drops + large.drops;
        }

        public BenchReport toReport()
        {
            final BenchReport report = new BenchReport(NAME);
            report.latency(pingPong.key, pingPong.summary, "round_trips");
            report.latency(agrona.key, agrona.summary, "round_trips");
            report.metric("ratio_pingpong_p50_vs_agrona", ratioP50());
            report.metric("ratio_pingpong_p99_vs_agrona", ratioP99());
            report.metric("ratio_pingpong_p999_vs_agrona", ratioP999());
            for (final Stream stream : new Stream[]{ small, large })
            {
                report.metric(stream.key + "_pps", Math.round(stream.packetsPerSecond()));
                report.metric(stream.key + "_gbps", round3(stream.gigabitsPerSecond()));
                report.metric(stream.key + "_frames", stream.frames);
                report.metric(stream.key + "_drops", stream.drops);
            }
            report.metric("drops", drops());
            report.metric("pingpong_mismatches", pingPongMismatches);
            report.metric("stream_out_of_order", outOfOrder);
            report.metric("agrona_mismatches", agronaMismatches);
            report.metric("measured_seconds", config.seconds);
            report.environment("pingpong_frame_bytes", PINGPONG_FRAME);
            report.environment("stream_frame_bytes", SMALL_FRAME + "," + LARGE_FRAME);
            report.environment("anchor_payload", PINGPONG_FRAME);
            report.environment("batch", config.batch);
            report.environment("window", window);
            report.environment("tx_buffers", txBuffers);
            report.environment("rx_buffers", rxBuffers);
            report.environment("backend_mode", "LATENCY");
            report.environment("idle_strategy", "BusySpinIdleStrategy");
            report.environment("threads", "netback agent + one benchmark thread driving both front ends");
            report.environment("gbps_counts", "frame bytes x 8");
            report.environment("seconds", config.seconds);
            report.environment("warmup_seconds", config.warmupSeconds);
            report.environment("rounds", config.rounds);
            report.environment("pingpong_phase_seconds", pingPongPhaseNs / 1e9);
            report.environment("stream_phase_seconds", streamPhaseNs / 1e9);
            report.environment("agrona_phase_seconds", agronaPhaseNs / 1e9);
            report.environment("rig_setup_ms_per_round", Math.round(rigSetupNs / 1e5 / config.rounds) / 10.0);
            return report;
        }

        public void printTable(final PrintWriter out)
        {
            out.printf(Locale.ROOT, "net: guest A <-> guest B through NetFront -> netif rings -> NetBackend (busy-spin agent "
                    + "thread) -> bridge, vs an Agrona ping-pong (%d B); %d interleaved round(s), phases %.2f s (ping-pong) / "
                    + "%.2f s (each stream) / %.2f s (Agrona)%n",
                PINGPONG_FRAME, config.rounds, pingPongPhaseNs / 1e9, streamPhaseNs / 1e9, agronaPhaseNs / 1e9);
            out.printf(Locale.ROOT, "%-44s %12s %9s %9s %9s %10s %9s%n",
                "round trip", "round trips", "p50 ns", "p99 ns", "p99.9 ns", "max ns", "mean ns");
            row(out, pingPong);
            row(out, agrona);
            out.printf(Locale.ROOT, "%-44s %12s %12s %9s %10s%n", "stream A -> B (batch " + config.batch + ", window "
                + window + ")", "frames", "frames/s", "Gbit/s", "drops");
            for (final Stream stream : new Stream[]{ small, large })
            {
                out.printf(Locale.ROOT, "%-44s %,12d %,12.0f %9.3f %,10d%n", stream.frameSize + " B frames",
                    stream.frames, stream.packetsPerSecond(), stream.gigabitsPerSecond(), stream.drops);
            }
            out.printf(Locale.ROOT, "ratio_pingpong_p50_vs_agrona = %.3f   p99 %.3f   p99.9 %.3f%n",
                ratioP50(), ratioP99(), ratioP999());
            if (drops() != 0 || pingPongMismatches != 0 || outOfOrder != 0 || agronaMismatches != 0)
            {
                out.printf(Locale.ROOT, "WARNING: %d drops, %d ping-pong mismatches, %d stream frames out of order, "
                    + "%d Agrona mismatches%n", drops(), pingPongMismatches, outOfOrder, agronaMismatches);
            }
            out.flush();
        }

        private static void row(final PrintWriter out, final Latency latency)
        {
            latency.summary.printRow(out, latency.description, 44);
        }
    }

    private final Config config;

    public NetBenchmark(final Config config)
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
        return "guest-to-guest 64 B ping-pong and 64/1500 B streaming through NetFront/netif rings/NetBackend/bridge "
            + "vs an Agrona ping-pong";
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
        final Histogram pingPong = PingPong.newHistogram();
        final Histogram agrona = PingPong.newHistogram();
        final long[] frames = new long[2];
        final long[] elapsedNs = new long[2];
        final long[] sent = new long[2];
        final long[] drops = new long[2];
        long mismatches;
        long outOfOrder;
        long rigSetupNs;
        int txBuffers;
        int rxBuffers;
        int window;
    }

    /**
     * Runs the benchmark; progress lines (one per round) go to {@code progress} when it is not null.
     */
    public Result run(final PrintWriter progress)
    {
        // Start-up garbage now, so that no collection runs while a phase records; the recording
        // loops allocate nothing (building a round's rig does, before its phases).
        System.gc();
        try (AgronaRingChannel agronaChannel = new AgronaRingChannel(PINGPONG_FRAME))
        {
            final PingPong agrona = new PingPong(agronaChannel);
            final Histogram scratch = PingPong.newHistogram();
            if (config.warmupSeconds > 0)
            {
                round(new Config(config.warmupSeconds, 0, 1, config.batch), new Totals(), agrona, scratch);
                final long compileMs = awaitCompilerQuiet();
                if (progress != null)
                {
                    progress.printf(Locale.ROOT, "warm-up: one round of everything in %.1f s, then %d ms idle for the JIT "
                        + "compiler to finish%n", config.warmupSeconds, compileMs);
                    progress.flush();
                }
            }
            final Totals totals = new Totals();
            for (int i = 0; i < config.rounds; i++)
            {
                final RoundFigures figures = round(config, totals, agrona, scratch);
                if (progress != null)
                {
                    progress.printf(Locale.ROOT, "round %d/%d: p50 ping-pong %,d ns, Agrona %,d ns; 64 B %,.0f frames/s, "
                            + "1500 B %,.0f frames/s; drops %d%n", i + 1, config.rounds,
                        figures.pingPongP50, figures.agronaP50, figures.smallPps, figures.largePps, figures.drops);
                    progress.flush();
                }
            }
            return new Result(config, config.pingPongPhaseNs(), config.streamPhaseNs(), config.agronaPhaseNs(),
                totals.txBuffers, totals.rxBuffers, totals.window,
                Latency.of("pingpong", "net ping-pong A->B->A (64 B frames)", totals.pingPong),
                Latency.of("agrona", "Agrona OneToOneRingBuffer ping-pong x2 (64 B)", totals.agrona),
                stream("stream_64b", SMALL_FRAME, totals, 0),
                stream("stream_1500b", LARGE_FRAME, totals, 1),
                totals.mismatches, totals.outOfOrder, agrona.mismatches(), totals.rigSetupNs);
        }
    }

    /**
     * Leaves both cores idle until the JIT compiler has had nothing to do for a while (at most
     * {@link #COMPILER_QUIET_MAX_MS}). While two threads spin on a 2-core machine the compiler
     * threads get little CPU, so the C2 versions of the paths the warm-up made hot (the back end's
     * duty cycle above all) would otherwise arrive during the first measured round.
     *
     * @return the milliseconds waited.
     */
    static long awaitCompilerQuiet()
    {
        final CompilationMXBean compiler = ManagementFactory.getCompilationMXBean();
        if (compiler == null || !compiler.isCompilationTimeMonitoringSupported())
        {
            sleep(COMPILER_QUIET_STEP_MS * 5);
            return COMPILER_QUIET_STEP_MS * 5;
        }
        final long start = System.nanoTime();
        long last = compiler.getTotalCompilationTime();
        int quietSteps = 0;
        while (quietSteps < 2 && System.nanoTime() - start < COMPILER_QUIET_MAX_MS * 1_000_000L)
        {
            sleep(COMPILER_QUIET_STEP_MS);
            final long now = compiler.getTotalCompilationTime();
            quietSteps = now == last ? quietSteps + 1 : 0;
            last = now;
        }
        return (System.nanoTime() - start) / 1_000_000L;
    }

    private static void sleep(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private static Stream stream(final String key, final int frameSize, final Totals totals, final int kind)
    {
        return new Stream(key, frameSize, totals.frames[kind], totals.elapsedNs[kind], totals.sent[kind], totals.drops[kind]);
    }

    /**
     * One round: build the rig, stream 64 B, stream 1500 B, ping-pong, close the rig (its agent's
     * thread ends), then the Agrona ping-pong (which runs its own echo thread), so that the two
     * ping-pongs whose p50s are compared run back to back.
     */
    /** What one round measured, for its progress line. */
    private record RoundFigures(long pingPongP50, long agronaP50, double smallPps, double largePps, long drops)
    {
    }

    private static RoundFigures round(final Config config, final Totals totals, final PingPong agrona, final Histogram scratch)
    {
        final long pingPongP50;
        final double[] pps = new double[2];
        long drops = 0;
        final NetFrontConfig frontConfig = NetFrontConfig.defaults();
        final long setupStart = System.nanoTime();
        try (NetRig rig = new NetRig(NAME, frontConfig))
        {
            totals.rigSetupNs += System.nanoTime() - setupStart;
            totals.txBuffers = rig.txBuffers();
            totals.rxBuffers = rig.rxBuffers();
            final int window = Math.min(rig.rxBuffers(), rig.txBuffers());
            totals.window = window;

            final int[] sizes = { SMALL_FRAME, LARGE_FRAME };
            for (int kind = 0; kind < sizes.length; kind++)
            {
                final NetStream stream = new NetStream(rig, sizes[kind], config.batch, window);
                stream.run(STREAM_SETTLE_NS);
                final long settleDrops = stream.lastDrops();
                stream.run(config.streamPhaseNs());
                totals.frames[kind] += stream.lastFrames();
                totals.elapsedNs[kind] += stream.lastElapsedNs();
                totals.sent[kind] += stream.lastSent();
                totals.drops[kind] += stream.lastDrops() + settleDrops;
                drops += stream.lastDrops() + settleDrops;
                pps[kind] = stream.lastFrames() * 1e9 / Math.max(1, stream.lastElapsedNs());
                totals.outOfOrder += stream.outOfOrder();
            }

            final NetPingPong pingPong = new NetPingPong(rig, PINGPONG_FRAME);
            pingPong.settle();
            scratch.reset();
            pingPong.measure(config.pingPongPhaseNs(), scratch);
            totals.pingPong.add(scratch);
            pingPongP50 = scratch.getValueAtPercentile(50);
            totals.mismatches += pingPong.mismatches();

            final String fault = rig.fault();
            if (fault != null)
            {
                throw new IllegalStateException("network path failed during the round: " + fault);
            }
        }
        scratch.reset();
        agrona.measure(config.agronaPhaseNs(), scratch);
        totals.agrona.add(scratch);
        return new RoundFigures(pingPongP50, scratch.getValueAtPercentile(50), pps[0], pps[1], drops);
    }
}
