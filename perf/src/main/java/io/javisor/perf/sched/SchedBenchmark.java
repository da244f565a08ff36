package io.javisor.perf.sched;

import io.javisor.core.Domain;
import io.javisor.core.DomainConfig;
import io.javisor.core.HvmGuest;
import io.javisor.core.Hypervisor;
import io.javisor.core.HypervisorConfig;
import io.javisor.core.sched.CreditParams;
import io.javisor.core.sched.CreditScheduler;
import io.javisor.core.sched.SchedulerConfig;
import io.javisor.core.sched.SchedulerStatistics;
import io.javisor.core.sched.Vcpu;
import io.javisor.emulation.machine.CpuTier;
import io.javisor.perf.HarnessBenchmark;
import io.javisor.perf.report.BenchReport;
import io.javisor.perf.report.LatencySummary;
import org.HdrHistogram.Histogram;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code javisor bench sched}: the credit scheduler with guest code, in four parts, each on a
 * hypervisor of its own:
 * <ol>
 * <li>share: two spinning PV guests at weights 256 and 512 on one worker; each one's share of the run
 *     time against 1/3 and 2/3, and of the instructions retired (same loop, so the same measure from
 *     the guests' side);</li>
 * <li>cap: a spinning guest capped at 25 alone on one worker (the worker would otherwise idle), then
 *     beside an uncapped spinner; its run time over the wall time;</li>
 * <li>wake-up latency: from {@link Vcpu#wake()} (what an event's delivery calls for a blocked vCPU) to a
 *     worker running it, for a probe vCPU woken at random moments, with the pool idle and with every worker
 *     busy with a spinning guest (the woken vCPU is boosted and preempts one that has run the rate limit);
 *     HdrHistogram percentiles;</li>
 * <li>overhead: N spinning bare HVM guests (1,000 by default, interpreter tier) on the default pool with a short
 *     slice, so that they switch often; the workers' CPU time that is not the guests' runs, per slice
 *     switch, and the ticker's CPU per accounting pass over N active vCPUs, and how evenly the N shared.</li>
 * </ol>
 * Run time is the scheduler's charge: a busy guest's runs are charged the worker's CPU time, so that
 * what other processes take from the host does not count as a guest's.
 */
public final class SchedBenchmark implements HarnessBenchmark
{
    public static final String NAME = "sched";
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /**
     * @param seconds            measured time of each share and cap run
     * @param vcpus              spinning guests in the overhead part
     * @param overheadSliceNanos the time slice in the overhead part
     * @param wakes              wake-ups measured per pool state
     */
    public record Config(double seconds, int vcpus, long overheadSliceNanos, int wakes)
    {
        public Config
        {
            if (!(seconds >= 0.5 && seconds <= 3600))
            {
                throw new IllegalArgumentException("seconds must be 0.5..3600, got " + seconds);
            }
            if (vcpus < 1 || vcpus > 10_000)
            {
                throw new IllegalArgumentException("vcpus must be 1..10000, got " + vcpus);
            }
            if (overheadSliceNanos < 100_000 || overheadSliceNanos > 1_000_000_000L)
            {
                throw new IllegalArgumentException("the overhead slice must be 100 us..1 s, got " + overheadSliceNanos + " ns");
            }
            if (wakes < 100 || wakes > 10_000_000)
            {
                throw new IllegalArgumentException("wakes must be 100..10000000, got " + wakes);
            }
        }

        public static Config defaults()
        {
            return new Config(10, 1000, 1_000_000L, 2000);
        }
    }

    private final Config config;

    public SchedBenchmark(final Config config)
    {
        this.config = config;
    }

    @Override
    public String name()
    {
        return NAME;
    }

    @Override
    public String description()
    {
        return "the credit scheduler with guest code: CPU share by weight and cap, wake-up latency, overhead at " +
            config.vcpus() + " runnable vCPUs";
    }

    @Override
    public BenchReport runAndPrint(final PrintWriter out)
    {
        final BenchReport report = new BenchReport(NAME);
        report.environment("seconds", config.seconds());
        report.environment("workers_default", SchedulerConfig.defaults().workers());
        report.environment("time_slice_ns", SchedulerConfig.DEFAULT_TIME_SLICE_NANOS);
        report.environment("rate_limit_ns", SchedulerConfig.DEFAULT_RATE_LIMIT_NANOS);
        share(out, report);
        cap(out, report);
        latency(out, report);
        overhead(out, report);
        out.flush();
        return report;
    }

    // ---------------------------------------------------------------- share by weight

    private void share(final PrintWriter out, final BenchReport report)
    {
        try (Hypervisor hypervisor = onWorkers(1, SchedulerConfig.DEFAULT_TIME_SLICE_NANOS, 256))
        {
            final HvmGuest light = spinner(hypervisor, "w256", new CreditParams(256, 0), CpuTier.JIT);
            final HvmGuest heavy = spinner(hypervisor, "w512", new CreditParams(512, 0), CpuTier.JIT);
            final Interval interval = measure(hypervisor, List.of(light, heavy));
            final double lightShare = interval.runShare(0);
            final double heavyShare = interval.runShare(1);
            final double error = 100 * Math.max(Math.abs(lightShare - 1.0 / 3), Math.abs(heavyShare - 2.0 / 3));
            out.printf(Locale.ROOT, "share: two spinning PV guests on one worker for %.1f s (the worker had %.0f%% of a core)%n",
                interval.seconds(), 100 * interval.workerCpuShare());
            out.printf(Locale.ROOT, "%-8s %7s %10s %12s %10s %12s%n", "weight", "run s", "run share", "expected", "error pp",
                "insn share");
            printShareRow(out, "256", interval, 0, 1.0 / 3);
            printShareRow(out, "512", interval, 1, 2.0 / 3);
            out.printf(Locale.ROOT, "ratio 512:256 run %.3f, instructions %.3f%n", heavyShare / lightShare,
                interval.insnShare(1) / interval.insnShare(0));
            report.metric("share_w256_run_share", round(lightShare));
            report.metric("share_w512_run_share", round(heavyShare));
            report.metric("share_error_pp", round(error));
            report.metric("share_ratio_run", round(heavyShare / lightShare));
            report.metric("share_ratio_insn", round(interval.insnShare(1) / interval.insnShare(0)));
            report.metric("share_worker_cpu_share", round(interval.workerCpuShare()));
        }
    }

    private static void printShareRow(final PrintWriter out, final String weight, final Interval interval, final int i,
        final double expected)
    {
        out.printf(Locale.ROOT, "%-8s %7.2f %10.4f %12.4f %+10.2f %12.4f%n", weight, interval.runNanos[i] / 1e9,
            interval.runShare(i), expected, 100 * (interval.runShare(i) - expected), interval.insnShare(i));
    }

    // ---------------------------------------------------------------- cap

    private void cap(final PrintWriter out, final BenchReport report)
    {
        out.println();
        double alone;
        try (Hypervisor hypervisor = onWorkers(1, SchedulerConfig.DEFAULT_TIME_SLICE_NANOS, 256))
        {
            final HvmGuest capped = spinner(hypervisor, "cap25", new CreditParams(256, 25), CpuTier.JIT);
            final Interval interval = measure(hypervisor, List.of(capped));
            alone = interval.runNanos[0] / interval.wallNanos;
            out.printf(Locale.ROOT, "cap: a spinning guest capped at 25 alone on one worker for %.1f s: %.2f%% of a CPU " +
                "(the worker's thread ran %.2f%%)%n", interval.seconds(), 100 * alone, 100 * interval.workerCpuShare());
        }
        try (Hypervisor hypervisor = onWorkers(1, SchedulerConfig.DEFAULT_TIME_SLICE_NANOS, 256))
        {
            final HvmGuest capped = spinner(hypervisor, "cap25", new CreditParams(256, 25), CpuTier.JIT);
            final HvmGuest other = spinner(hypervisor, "uncapped", new CreditParams(256, 0), CpuTier.JIT);
            final Interval interval = measure(hypervisor, List.of(capped, other));
            final double beside = interval.runNanos[0] / interval.wallNanos;
            final double otherShare = interval.runNanos[1] / interval.wallNanos;
            out.printf(Locale.ROOT, "cap: the same beside an uncapped spinner of the same weight for %.1f s: %.2f%% of a " +
                "CPU, the other %.2f%%%n", interval.seconds(), 100 * beside, 100 * otherShare);
            report.metric("cap25_alone_cpu_share", round(alone));
            report.metric("cap25_beside_cpu_share", round(beside));
            report.metric("cap25_beside_other_cpu_share", round(otherShare));
        }
    }

    // ---------------------------------------------------------------- wake-up latency

    private void latency(final PrintWriter out, final BenchReport report)
    {
        out.println();
        out.printf(Locale.ROOT, "wake-up latency: Vcpu.wake() of a blocked vCPU to a worker running it, %,d wakes each, ns%n",
            config.wakes());
        out.printf(Locale.ROOT, "%-44s %12s %9s %9s %9s %10s %9s%n", "pool", "count", "p50", "p99", "p99.9", "max", "mean");
        try (Hypervisor hypervisor = onWorkers(SchedulerConfig.defaults().workers(), SchedulerConfig.DEFAULT_TIME_SLICE_NANOS,
            256))
        {
            final CreditScheduler scheduler = hypervisor.scheduler();
            final WakeProbe probe = new WakeProbe(Thread.currentThread());
            final Vcpu vcpu = scheduler.register(Hypervisor.MAX_DOMID, 0, probe);
            final LatencySummary idle = wakes(vcpu, probe);
            idle.printRow(out, "idle (workers parked)", 44);
            report.latency("wake_idle", idle, "wakes");
            final int workers = scheduler.config().workers();
            for (int i = 0; i < workers; i++)
            {
                spinner(hypervisor, "busy-" + i, CreditParams.DEFAULTS, CpuTier.JIT);
            }
            sleepSeconds(0.5);
            final LatencySummary busy = wakes(vcpu, probe);
            busy.printRow(out, "busy (a spinning guest on each of " + workers + " workers)", 44);
            report.latency("wake_busy", busy, "wakes");
        }
    }

    /**
     * Wakes at random moments (0.2-4 ms apart, a fixed seed), as events come: a busy worker has then mostly
     * run its guest longer than the rate limit, which a woken vCPU preempts at once, and sometimes not.
     */
    private LatencySummary wakes(final Vcpu vcpu, final WakeProbe probe)
    {
        final Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        final SplittableRandom random = new SplittableRandom(13);
        for (int i = -config.wakes() / 10; i < config.wakes(); i++) // a tenth of them warm up, unrecorded
        {
            LockSupport.parkNanos(random.nextLong(200_000, 4_000_000));
            final long before = probe.lastRunNanos();
            final long woken = System.nanoTime();
            vcpu.wake();
            long ran;
            while ((ran = probe.lastRunNanos()) == before)
            {
                LockSupport.park(this);
            }
            if (i >= 0)
            {
                histogram.recordValue(Math.max(0, ran - woken));
            }
        }
        return LatencySummary.of(histogram);
    }

    // ---------------------------------------------------------------- overhead at many runnable vCPUs

    private void overhead(final PrintWriter out, final BenchReport report)
    {
        out.println();
        final int n = config.vcpus();
        try (Hypervisor hypervisor = onWorkers(SchedulerConfig.defaults().workers(), config.overheadSliceNanos(), 4L * n + 256))
        {
            final List<HvmGuest> guests = new ArrayList<>();
            final long createStart = System.nanoTime();
            for (int i = 0; i < n; i++)
            {
                final Domain domain = hypervisor.createDomain(DomainConfig.hvm("spin-" + i, 4));
                guests.add(SpinningGuest.startBare(hypervisor, domain));
            }
            final double createSeconds = (System.nanoTime() - createStart) / 1e9;
            final CreditScheduler scheduler = hypervisor.scheduler();
            final Interval interval = measure(hypervisor, guests);
            final double switches = interval.turns;
            final double workerNanos = interval.workerCpuNanos;
            double charged = 0;
            double min = Double.MAX_VALUE;
            double max = 0;
            for (final long run : interval.runNanos)
            {
                charged += run;
                min = Math.min(min, run);
                max = Math.max(max, run);
            }
            final double mean = charged / n;
            final double perSwitch = switches == 0 ? 0 : Math.max(0, workerNanos - charged) / switches;
            final double perPass = interval.passes == 0 ? 0 : interval.tickerCpuNanos / interval.passes;
            out.printf(Locale.ROOT, "overhead: %,d spinning HVM guests (bare, interpreter) on %d workers, %.1f ms slices, for %.1f s " +
                "(created and started in %.1f s)%n", n, scheduler.config().workers(), config.overheadSliceNanos() / 1e6,
                interval.seconds(), createSeconds);
            out.printf(Locale.ROOT, "  slice switches %,.0f (%,.0f/s); workers' CPU %.3f s, of it the guests' runs %.3f s: " +
                "%,.0f ns of scheduling per switch%n", switches, switches / interval.seconds(), workerNanos / 1e9, charged / 1e9,
                perSwitch);
            out.printf(Locale.ROOT, "  ticker: %,d accounting passes over %,d active vCPUs, %,.0f ns of CPU each " +
                "(%,.1f ns per vCPU)%n", interval.passes, n, perPass, perPass / n);
            out.printf(Locale.ROOT, "  run time per guest: mean %.1f ms, min %.2f x mean, max %.2f x mean%n", mean / 1e6,
                min / mean, max / mean);
            report.metric("overhead_vcpus", n);
            report.metric("overhead_switches_per_s", Math.round(switches / interval.seconds()));
            report.metric("overhead_ns_per_switch", Math.round(perSwitch));
            report.metric("overhead_accounting_ns_per_period", Math.round(perPass));
            report.metric("overhead_run_min_vs_mean", round(min / mean));
            report.metric("overhead_run_max_vs_mean", round(max / mean));
            report.metric("overhead_create_start_us_per_guest", Math.round(createSeconds * 1e6 / n));
        }
    }

    // ---------------------------------------------------------------- helpers

    private static Hypervisor onWorkers(final int workers, final long sliceNanos, final long memoryMiB)
    {
        return new Hypervisor(HypervisorConfig.defaults().withMachineMemoryMiB((int)memoryMiB)
            .withScheduler(SchedulerConfig.defaults().withWorkers(workers).withTimeSliceNanos(sliceNanos)
                .withRateLimitNanos(Math.min(SchedulerConfig.DEFAULT_RATE_LIMIT_NANOS, sliceNanos))));
    }

    private static HvmGuest spinner(final Hypervisor hypervisor, final String name, final CreditParams params,
        final CpuTier tier)
    {
        final Domain domain = hypervisor.createDomain(DomainConfig.pv(name, 8));
        hypervisor.setCreditParams(domain, params);
        return SpinningGuest.start(hypervisor, domain, tier);
    }

    /**
     * A second to settle (less for a short run), then the configured seconds: every guest's run time and
     * instructions, and the pool's.
     */
    private Interval measure(final Hypervisor hypervisor, final List<HvmGuest> guests)
    {
        sleepSeconds(Math.min(1, config.seconds() / 2));
        final Snapshot before = Snapshot.of(hypervisor.scheduler(), guests);
        sleepSeconds(config.seconds());
        final Snapshot after = Snapshot.of(hypervisor.scheduler(), guests);
        return new Interval(before, after);
    }

    private static void sleepSeconds(final double seconds)
    {
        final long deadline = System.nanoTime() + (long)(seconds * 1e9);
        long left;
        while ((left = deadline - System.nanoTime()) > 0)
        {
            LockSupport.parkNanos(left);
        }
    }

    private static double round(final double value)
    {
        return Math.round(value * 10_000.0) / 10_000.0;
    }

    private record Snapshot(long nanos, long[] run, long[] insns, long workerCpu, long tickerCpu, SchedulerStatistics stats)
    {
        static Snapshot of(final CreditScheduler scheduler, final List<HvmGuest> guests)
        {
            final long[] run = new long[guests.size()];
            final long[] insns = new long[guests.size()];
            for (int i = 0; i < run.length; i++)
            {
                run[i] = guests.get(i).runNanos();
                insns[i] = guests.get(i).instructionsRetired();
            }
            long workerCpu = 0;
            final List<Thread> workers = scheduler.workerThreads();
            for (final Thread thread : workers)
            {
                workerCpu += THREADS.getThreadCpuTime(thread.threadId());
            }
            long tickerCpu = 0;
            for (final Thread thread : scheduler.threads())
            {
                if (!workers.contains(thread))
                {
                    tickerCpu += THREADS.getThreadCpuTime(thread.threadId());
                }
            }
            return new Snapshot(System.nanoTime(), run, insns, workerCpu, tickerCpu, scheduler.statistics());
        }
    }

    private static final class Interval
    {
        final double wallNanos;
        final long[] runNanos;
        final long[] insns;
        final double workerCpuNanos;
        final double tickerCpuNanos;
        final long turns;
        final long passes;
        final int workers;

        Interval(final Snapshot before, final Snapshot after)
        {
            wallNanos = after.nanos() - before.nanos();
            runNanos = new long[before.run().length];
            insns = new long[before.run().length];
            for (int i = 0; i < runNanos.length; i++)
            {
                runNanos[i] = after.run()[i] - before.run()[i];
                insns[i] = after.insns()[i] - before.insns()[i];
            }
            workerCpuNanos = after.workerCpu() - before.workerCpu();
            tickerCpuNanos = after.tickerCpu() - before.tickerCpu();
            turns = after.stats().turns() - before.stats().turns();
            passes = after.stats().accountingPasses() - before.stats().accountingPasses();
            workers = after.stats().workers();
        }

        double seconds()
        {
            return wallNanos / 1e9;
        }

        double runShare(final int i)
        {
            long total = 0;
            for (final long run : runNanos)
            {
                total += run;
            }
            return (double)runNanos[i] / total;
        }

        double insnShare(final int i)
        {
            long total = 0;
            for (final long n : insns)
            {
                total += n;
            }
            return (double)insns[i] / total;
        }

        /** The workers' CPU time over the wall time, per worker: what the host gave the pool. */
        double workerCpuShare()
        {
            return workerCpuNanos / wallNanos / workers;
        }
    }
}
