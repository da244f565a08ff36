package io.javisor.perf.ring;

import io.javisor.perf.HarnessBenchmark;
import io.javisor.perf.report.BenchReport;
import io.javisor.perf.report.LatencySummary;
import org.HdrHistogram.Histogram;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * {@code javisor bench ring}: request/response round-trip latency over the Xen shared ring
 * ({@link SharedRingChannel}) against an Agrona {@link org.agrona.concurrent.ringbuffer.OneToOneRingBuffer}
 * ping-pong ({@link AgronaRingChannel}) of the same payload, measured in the same run.
 * <p>
 * The two are interleaved: after a warm-up (also interleaved, so that both are compiled before
 * anything is recorded), rounds of about a second alternate SharedRing, Agrona, SharedRing, ...
 * and each kind's rounds accumulate in its own histogram, so that whatever else the machine does
 * lands on both. Only one kind's threads run at a time.
 */
public final class RingBenchmark implements HarnessBenchmark
{
    public static final String NAME = "ring";

    /**
     * @param seconds       measured time, both kinds together
     * @param warmupSeconds unrecorded time before it, both kinds together (0: none)
     * @param payload       request and response size in bytes (the shared ring's entry size)
     * @param roundSeconds  longest round of one kind
     */
    public record Config(double seconds, double warmupSeconds, int payload, double roundSeconds)
    {
        public static final double DEFAULT_SECONDS = 10.0;
        public static final double DEFAULT_WARMUP_SECONDS = 2.0;
        public static final int DEFAULT_PAYLOAD = 64;
        public static final double DEFAULT_ROUND_SECONDS = 1.0;

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
            if (!(roundSeconds > 0))
            {
                throw new IllegalArgumentException("round must be > 0 seconds: " + roundSeconds);
            }
            if (payload < SharedRingChannel.MIN_PAYLOAD || payload > SharedRingChannel.MAX_PAYLOAD)
            {
                throw new IllegalArgumentException("payload must be " + SharedRingChannel.MIN_PAYLOAD + ".."
                    + SharedRingChannel.MAX_PAYLOAD + " bytes (one entry of a one-page ring): " + payload);
            }
        }

        public static Config defaults()
        {
            return new Config(DEFAULT_SECONDS, DEFAULT_WARMUP_SECONDS, DEFAULT_PAYLOAD, DEFAULT_ROUND_SECONDS);
        }
    }

    /**
     * How a total time is cut into alternating rounds: {@code rounds} of each kind, {@code roundNs} each.
     */
    record Schedule(int rounds, long roundNs)
    {
        static Schedule of(final double totalSeconds, final double maxRoundSeconds)
        {
            if (totalSeconds <= 0)
            {
                return new Schedule(0, 0);
            }
            final double round = Math.min(maxRoundSeconds, totalSeconds / 2);
            final int rounds = Math.max(1, (int)Math.round(totalSeconds / (2 * round)));
            return new Schedule(rounds, Math.max(1, (long)(totalSeconds * 1e9 / (2 * rounds))));
        }
    }

    public record KindResult(String name, String description, Histogram histogram, LatencySummary summary)
    {
    }

    public record Result(Config config, int slots, int agronaCapacity, int roundsPerKind, long roundNs,
        KindResult sharedRing, KindResult agrona, long mismatches)
    {
        public double ratioP50()
        {
            return ratio(sharedRing.summary.p50(), agrona.summary.p50());
        }

        public double ratioP99()
        {
            return ratio(sharedRing.summary.p99(), agrona.summary.p99());
        }

        public double ratioP999()
        {
            return ratio(sharedRing.summary.p999(), agrona.summary.p999());
        }

        private static double ratio(final long a, final long b)
        {
            return b == 0 ? Double.NaN : Math.round(1000.0 * a / b) / 1000.0;
        }

        public BenchReport toReport()
        {
            final BenchReport report = new BenchReport(NAME);
            report.latency(sharedRing.name, sharedRing.summary, "round_trips");
            report.latency(agrona.name, agrona.summary, "round_trips");
            report.metric("ratio_p50", ratioP50());
            report.metric("ratio_p99", ratioP99());
            report.metric("ratio_p999", ratioP999());
            report.metric("rounds_per_kind", roundsPerKind);
            report.metric("measured_seconds", config.seconds);
            report.metric("mismatches", mismatches);
            report.environment("payload", config.payload);
            report.environment("ring_slots", slots);
            report.environment("agrona_ring_capacity", agronaCapacity);
            report.environment("seconds", config.seconds);
            report.environment("warmup_seconds", config.warmupSeconds);
            report.environment("round_seconds", roundNs / 1e9);
            report.environment("idle_strategy", "BusySpinIdleStrategy");
            return report;
        }

        public void printTable(final PrintWriter out)
        {
            out.printf(Locale.ROOT, "ring: request/response round trip, %d-byte payload (%d-slot shared ring, "
                    + "%d-byte Agrona rings), %d interleaved round(s) of %.2f s per kind, %.1f s warm-up%n",
                config.payload, slots, agronaCapacity, roundsPerKind, roundNs / 1e9, config.warmupSeconds);
            out.printf(Locale.ROOT, "%-34s %12s %9s %9s %9s %10s %9s%n",
                "transport", "round trips", "p50 ns", "p99 ns", "p99.9 ns", "max ns", "mean ns");
            row(out, sharedRing);
            row(out, agrona);
            out.printf(Locale.ROOT, "ratio_p50 (SharedRing / Agrona) = %.3f   p99 %.3f   p99.9 %.3f%n",
                ratioP50(), ratioP99(), ratioP999());
            if (mismatches != 0)
            {
                out.printf(Locale.ROOT, "WARNING: %d responses did not match their request%n", mismatches);
            }
            out.flush();
        }

        private static void row(final PrintWriter out, final KindResult kind)
        {
            kind.summary.printRow(out, kind.description, 34);
        }
    }

    private final Config config;

    public RingBenchmark(final Config config)
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
        return "round trip over the Xen shared ring vs an Agrona OneToOneRingBuffer ping-pong";
    }

    @Override
    public BenchReport runAndPrint(final PrintWriter out)
    {
        final Result result = run(out);
        result.printTable(out);
        return result.toReport();
    }

    /**
     * Runs the benchmark; progress lines (one per round) go to {@code progress} when it is not null.
     */
    public Result run(final PrintWriter progress)
    {
        final Schedule warmup = Schedule.of(config.warmupSeconds, config.roundSeconds);
        final Schedule measured = Schedule.of(config.seconds, config.roundSeconds);
        // Collect start-up garbage now, so that no collection runs (and moves the padded objects
        // next to each other) while rounds run: a round allocates a few hundred bytes, outside
        // its recording loop, which allocates nothing.
        System.gc();
        try (SharedRingChannel shared = new SharedRingChannel(config.payload);
             AgronaRingChannel agrona = new AgronaRingChannel(config.payload))
        {
            final PingPong sharedPingPong = new PingPong(shared);
            final PingPong agronaPingPong = new PingPong(agrona);
            final Histogram round = PingPong.newHistogram();
            final Histogram sharedTotal = PingPong.newHistogram();
            final Histogram agronaTotal = PingPong.newHistogram();

            for (int i = 0; i < warmup.rounds(); i++)
            {
                round.reset();
                sharedPingPong.measure(warmup.roundNs(), round);
                round.reset();
                agronaPingPong.measure(warmup.roundNs(), round);
            }
            if (progress != null && warmup.rounds() > 0)
            {
                progress.printf(Locale.ROOT, "warm-up: %d round(s) of %.2f s per kind%n", warmup.rounds(), warmup.roundNs() / 1e9);
                progress.flush();
            }
            for (int i = 0; i < measured.rounds(); i++)
            {
                final long sharedP50 = measureRound(sharedPingPong, measured.roundNs(), round, sharedTotal);
                final long agronaP50 = measureRound(agronaPingPong, measured.roundNs(), round, agronaTotal);
                if (progress != null)
                {
                    progress.printf(Locale.ROOT, "round %d/%d: p50 %s %d ns, %s %d ns%n", i + 1, measured.rounds(),
                        shared.name(), sharedP50, agrona.name(), agronaP50);
                    progress.flush();
                }
            }
            return new Result(config, shared.slots(), agrona.capacity(), measured.rounds(), measured.roundNs(),
                new KindResult(shared.name(), shared.description(), sharedTotal, LatencySummary.of(sharedTotal)),
                new KindResult(agrona.name(), agrona.description(), agronaTotal, LatencySummary.of(agronaTotal)),
                sharedPingPong.mismatches() + agronaPingPong.mismatches());
        }
    }

    private static long measureRound(final PingPong pingPong, final long roundNs, final Histogram round, final Histogram total)
    {
        round.reset();
        pingPong.measure(roundNs, round);
        total.add(round);
        return round.getValueAtPercentile(50.0);
    }
}
