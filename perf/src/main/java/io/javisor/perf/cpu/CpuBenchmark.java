package io.javisor.perf.cpu;

import io.javisor.perf.report.ToolVersion;
import io.javisor.emulation.guests.GuestImages;
import io.javisor.emulation.loader.ElfImage;
import io.javisor.emulation.machine.BootMode;
import io.javisor.emulation.machine.CpuTier;
import io.javisor.emulation.machine.RecordingConsole;
import io.javisor.emulation.machine.MachineConfig;
import io.javisor.emulation.machine.MachineExit;
import io.javisor.emulation.machine.VirtMachine;
import io.javisor.emulation.reference.QemuRun;
import io.javisor.emulation.reference.QemuRunner;
import io.javisor.perf.HarnessBenchmark;
import io.javisor.perf.report.BenchReport;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * {@code javisor bench cpu}: the RISC-V CPU — a committed, deterministic guest program
 * ({@code cpubench}: integer mul/div, a matrix multiply, CRC-32, a sort, indirect calls, a
 * jump-table switch, recursion and byte-wise strings; about 3.3 billion instructions) run
 * in-process on javisor's tiers and, in the same run, on {@code qemu-system-riscv64 -M virt
 * -bios none} (TCG) and natively on the host, as references. Not thread safe: one run at a time,
 * from one thread.
 * <p>
 * Measured, in interleaved rounds (QEMU, native, interpreter, JIT, QEMU, native, ...):
 * <ul>
 * <li><b>javisor</b>, once per tier ({@link CpuTier#INTERPRETER}, and {@link CpuTier#JIT} through
 * {@link MachineConfig#cpuTier}): a fresh {@link VirtMachine} per round, {@link BootMode#BARE},
 * the console captured into a buffer. The machine runs in slices of {@value #SAMPLE_INSTRUCTIONS}
 * instructions ({@link MachineConfig#maxInstructions}: each {@code run()} returns when the slice
 * is used up and the next one resumes the hart), and the retired count is timestamped after each
 * slice. A slice boundary costs one return from {@code run()} (an exit record and a console
 * flush, about a microsecond) per ~10<sup>6</sup> instructions — under 0.1% at the
 * interpreter's speed, under 1% at 10<sup>3</sup> MIPS — and the board is serviced between its
 * own 65,536-step slices anyway. Time = first slice start to last slice end (without the JVM's
 * start or the ELF's load); MIPS = exact retired count / time. Every round and tier must retire
 * the same count.</li>
 * <li><b>Warm-up</b>, per tier, from the timestamps: the MIPS of the first 100 ms of round 1 (a
 * fresh machine, and for round 1 a JVM that has not run that tier yet), and the time until the
 * run reaches 90% of steady state. The kernels run at different speeds, so steady state is the
 * same instructions in the tier's fastest round: the warm-up time is the first sample time from
 * which the next {@value #WARMUP_WINDOW_MILLIS} ms of work took at most 1/0.9 of what the
 * fastest round took for the same instructions. It needs a second round as the reference; with
 * one round only the first-100-ms MIPS are reported.</li>
 * <li><b>QEMU</b>: the extracted ELF as a child process ({@link QemuRunner}). Its time includes
 * QEMU's own start-up, so the run also times QEMU on {@code hello.elf} (which prints a line and
 * exits at once) {@value #STARTUP_RUNS} times before the rounds and takes the minimum as the
 * start-up: {@code qemu_seconds = qemu_seconds_raw - qemu_startup_seconds}. QEMU does not count
 * instructions, but the guest is deterministic and retires the same count on both, so QEMU's
 * MIPS = javisor's exact count / {@code qemu_seconds}.</li>
 * <li><b>native</b>: the same C source built for the host by {@code cc -O2 -DCPUBENCH_HOST} in a
 * temporary folder at benchmark time ({@link NativeCpubench}), run as a child process; its
 * start-up is timed the same way on a trivial program that prints a line.
 * {@code ratio_X_vs_native} = native seconds ÷ X's seconds (the fraction of native speed).</li>
 * </ul>
 * The headline of each side is its best (fastest) round; every round is printed. The console
 * output of every run, on every side, must equal the guest's recorded output
 * ({@code guests/expected/NAME.out}) and all must exit 0, or the benchmark fails with a
 * {@link GuestMismatchException} naming the side. A reference that cannot run (QEMU or
 * {@code cc} not installed, the native build not compiling, or switched off) is left out: its
 * metrics are absent and the table and the environment say why.
 */
public final class CpuBenchmark implements HarnessBenchmark
{
    public static final String NAME = "cpu";
    /** The guests this benchmark runs. */
    public static final List<String> GUESTS = List.of("cpubench", "cpubench-small");
    /** The guest timed for QEMU's start-up. */
    public static final String STARTUP_GUEST = "hello";
    public static final int STARTUP_RUNS = 5;
    /** Instructions between two timestamps of a javisor run. */
    public static final long SAMPLE_INSTRUCTIONS = 1L << 20;
    /** The window whose MIPS is the first warm-up figure. */
    public static final long FIRST_WINDOW_MILLIS = 100;
    /** How long a stretch must run at {@link #WARM_FRACTION} of steady state to count as warm. */
    public static final long WARMUP_WINDOW_MILLIS = 50;
    public static final double WARM_FRACTION = 0.9;
    /** A guard against a runaway guest: far above what cpubench retires, identical for every round. */
    static final long INSTRUCTION_BUDGET = 200_000_000_000L;

    /**
     * @param guest        {@code cpubench} or {@code cpubench-small}
     * @param rounds       interleaved rounds (each one run of every side)
     * @param qemu         whether to run QEMU as well (when it is installed)
     * @param nativeAnchor whether to build and run the native anchor (when {@code cc} is installed)
     * @param jit          whether to run javisor's JIT tier as well
     */
    public record Config(String guest, int rounds, boolean qemu, boolean nativeAnchor, boolean jit)
    {
        public static final String DEFAULT_GUEST = "cpubench";
        public static final int DEFAULT_ROUNDS = 2;

        public Config
        {
            if (guest == null || !GUESTS.contains(guest))
            {
                throw new IllegalArgumentException("unknown guest '" + guest + "' (choose " + String.join(" or ", GUESTS) + ")");
            }
            if (rounds < 1 || rounds > 1_000)
            {
                throw new IllegalArgumentException("rounds must be 1..1000: " + rounds);
            }
        }

        /** Every side that can run. */
        public Config(final String guest, final int rounds, final boolean qemu)
        {
            this(guest, rounds, qemu, true, true);
        }

        public static Config defaults()
        {
            return new Config(DEFAULT_GUEST, DEFAULT_ROUNDS, true);
        }

        /** The {@code BENCH_SCALE} the guest was built with (0: the source's default). */
        int benchScale()
        {
            return "cpubench-small".equals(guest) ? 1 : 0;
        }
    }

    /** The benchmark's guest did not behave as recorded (output, exit code or instruction count). */
    public static final class GuestMismatchException extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        public GuestMismatchException(final String message)
        {
            super(message);
        }
    }

    /**
     * One javisor round of one tier, with its samples: after {@code sampleInstructions[i]}
     * retired instructions, {@code sampleNanos[i]} had passed since the run started; index 0 is
     * (0, 0) and the last sample is the end of the run.
     */
    public record JavisorRound(CpuTier tier, int round, long[] sampleNanos, long[] sampleInstructions)
    {
        public long instructions()
        {
            return sampleInstructions[sampleInstructions.length - 1];
        }

        public long nanos()
        {
            return sampleNanos[sampleNanos.length - 1];
        }

        public double seconds()
        {
            return nanos() / 1e9;
        }

        public double mips()
        {
            return nanos() == 0 ? 0 : instructions() * 1e3 / nanos();
        }

        /** MIPS over the first {@value #FIRST_WINDOW_MILLIS} ms (over the whole run if shorter). */
        public double firstWindowMips()
        {
            final long window = Math.min(FIRST_WINDOW_MILLIS * 1_000_000L, nanos());
            return window == 0 ? 0 : instructionsAt(window) * 1e3 / window;
        }

        /** Instructions retired after {@code nanos}, linear between samples. */
        double instructionsAt(final long nanos)
        {
            return interpolate(sampleNanos, sampleInstructions, nanos);
        }

        /** When {@code instructions} had retired, in ns since the start, linear between samples. */
        double nanosAt(final double instructions)
        {
            return interpolate(sampleInstructions, sampleNanos, instructions);
        }

        /**
         * @param reference the same tier's fastest round (the same guest, so the same instruction stream).
         * @return ns from the start until the first sample from which the next
         * {@value #WARMUP_WINDOW_MILLIS} ms ran at {@value #WARM_FRACTION} or more of the reference's
         * speed on the same instructions; NaN when no such stretch came.
         */
        public double warmupNanos(final JavisorRound reference)
        {
            final long window = WARMUP_WINDOW_MILLIS * 1_000_000L;
            int j = 0;
            for (int i = 0; i < sampleNanos.length - 1; i++)
            {
                j = Math.max(j, i + 1);
                while (j < sampleNanos.length - 1 && sampleNanos[j] - sampleNanos[i] < window)
                {
                    j++;
                }
                final double took = sampleNanos[j] - sampleNanos[i];
                final double referenceTook = reference.nanosAt(sampleInstructions[j]) - reference.nanosAt(sampleInstructions[i]);
                if (took <= 0 || referenceTook >= WARM_FRACTION * took)
                {
                    return sampleNanos[i];
                }
            }
            return Double.NaN;
        }
    }

    /** y at x on the piecewise-linear curve through (xs[i], ys[i]), xs ascending; clamped at the ends. */
    static double interpolate(final long[] xs, final long[] ys, final double x)
    {
        if (x <= xs[0])
        {
            return ys[0];
        }
        final int last = xs.length - 1;
        if (x >= xs[last])
        {
            return ys[last];
        }
        int lo = 0;
        int hi = last;
        while (hi - lo > 1)
        {
            final int mid = (lo + hi) >>> 1;
            if (xs[mid] <= x)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }
        final double span = xs[hi] - xs[lo];
        return span == 0 ? ys[hi] : ys[lo] + (ys[hi] - ys[lo]) * ((x - xs[lo]) / span);
    }

    /** One QEMU or native round: the child process's wall time, start-up included. */
    public record ProcessRound(int round, long rawNanos)
    {
    }

    /**
     * What a child-process side (QEMU or the native build) measured.
     *
     * @param version what ran: QEMU's version line, or the C compiler's
     * @param command how it ran (QEMU) or how it was built (native)
     */
    public record ProcessSide(String version, String command, List<Long> startupRunsNanos, List<ProcessRound> rounds)
    {
        public long startupNanos()
        {
            return startupRunsNanos.stream().mapToLong(Long::longValue).min().orElseThrow();
        }

        public ProcessRound best()
        {
            return rounds.stream().min(Comparator.comparingLong(ProcessRound::rawNanos)).orElseThrow();
        }

        public long bestRawNanos()
        {
            return best().rawNanos();
        }

        /** The best round's time without the start-up (may be &lt;= 0 for a guest shorter than the noise). */
        public long bestNanos()
        {
            return bestRawNanos() - startupNanos();
        }
    }

    /**
     * @param jit          the JIT tier's rounds (empty when it did not run)
     * @param qemu         QEMU's figures, or {@code null} when it did not run
     * @param qemuAbsent   why QEMU did not run (null when it did)
     * @param nativeRun    the native build's figures, or {@code null} when it did not run
     * @param nativeAbsent why the native build did not run (null when it did)
     */
    public record Result(Config config, long instructions, List<JavisorRound> interpreter, List<JavisorRound> jit,
        ProcessSide qemu, String qemuAbsent, ProcessSide nativeRun, String nativeAbsent)
    {
        public JavisorRound bestInterpreter()
        {
            return best(interpreter);
        }

        /** @return the JIT tier's best round, or null when it did not run. */
        public JavisorRound bestJit()
        {
            return jit.isEmpty() ? null : best(jit);
        }

        private static JavisorRound best(final List<JavisorRound> rounds)
        {
            return rounds.stream().min(Comparator.comparingLong(JavisorRound::nanos)).orElseThrow();
        }

        /** QEMU's MIPS over {@code qemu_seconds}; NaN without QEMU or when its run was within its start-up. */
        public double qemuMips()
        {
            if (qemu == null || qemu.bestNanos() <= 0)
            {
                return Double.NaN;
            }
            return instructions * 1e3 / qemu.bestNanos();
        }

        /** The native build's time without its start-up, in s; NaN without it or within the start-up. */
        public double nativeSeconds()
        {
            if (nativeRun == null || nativeRun.bestNanos() <= 0)
            {
                return Double.NaN;
            }
            return nativeRun.bestNanos() / 1e9;
        }

        /** javisor's interpreter MIPS ÷ QEMU's; NaN when there is no QEMU MIPS. */
        public double ratio()
        {
            return bestInterpreter().mips() / qemuMips();
        }

        /** Warm-up of a tier's round 1 against its fastest round; NaN with one round only. */
        private static double warmupMillis(final List<JavisorRound> rounds)
        {
            return rounds.size() < 2 ? Double.NaN : rounds.getFirst().warmupNanos(best(rounds)) / 1e6;
        }

        public BenchReport toReport()
        {
            final BenchReport report = new BenchReport(NAME);
            final JavisorRound interp = bestInterpreter();
            final JavisorRound jitBest = bestJit();
            final double qemuMips = qemuMips();
            final double nativeSeconds = nativeSeconds();
            report.metric("guest_instructions", instructions);
            report.metric("javisor_interpreter_seconds", round(interp.seconds(), 6));
            report.metric("javisor_interpreter_mips", round(interp.mips(), 2));
            report.metric("interpreter_first_100ms_mips", round(interpreter.getFirst().firstWindowMips(), 2));
            metricIfNumber(report, "interpreter_warmup_ms_to_90pct", warmupMillis(interpreter), 1);
            if (qemu != null)
            {
                report.metric("qemu_seconds", round(qemu.bestNanos() / 1e9, 6));
                report.metric("qemu_seconds_raw", round(qemu.bestRawNanos() / 1e9, 6));
                report.metric("qemu_startup_seconds", round(qemu.startupNanos() / 1e9, 6));
                metricIfNumber(report, "qemu_mips", qemuMips, 2);
                metricIfNumber(report, "ratio_interpreter_vs_qemu", interp.mips() / qemuMips, 5);
            }
            if (nativeRun != null)
            {
                report.metric("native_seconds_raw", round(nativeRun.bestRawNanos() / 1e9, 6));
                report.metric("native_startup_seconds", round(nativeRun.startupNanos() / 1e9, 6));
                metricIfNumber(report, "native_seconds", nativeSeconds, 6);
                metricIfNumber(report, "native_equivalent_mips", instructions / nativeSeconds / 1e6, 2);
                metricIfNumber(report, "ratio_interpreter_vs_native", nativeSeconds / interp.seconds(), 5);
                if (qemu != null)
                {
                    metricIfNumber(report, "ratio_qemu_vs_native", nativeSeconds / (qemu.bestNanos() / 1e9), 5);
                }
            }
            // ---- The JIT tier (MachineConfig.cpuTier(CpuTier.JIT)); absent when it did not run.
            if (jitBest != null)
            {
                report.metric("javisor_jit_seconds", round(jitBest.seconds(), 6));
                report.metric("javisor_jit_mips", round(jitBest.mips(), 2));
                report.metric("ratio_jit_vs_interpreter", round(jitBest.mips() / interp.mips(), 5));
                report.metric("jit_first_100ms_mips", round(jit.getFirst().firstWindowMips(), 2));
                metricIfNumber(report, "jit_warmup_ms_to_90pct", warmupMillis(jit), 1);
                if (qemu != null)
                {
                    metricIfNumber(report, "ratio_jit_vs_qemu", jitBest.mips() / qemuMips, 5);
                }
                if (nativeRun != null)
                {
                    metricIfNumber(report, "ratio_jit_vs_native", nativeSeconds / jitBest.seconds(), 5);
                }
            }
            report.environment("guest", config.guest);
            report.environment("rounds", config.rounds);
            report.environment("boot_mode", "BARE");
            report.environment("javisor_tiers", jitBest == null ? "INTERPRETER" : "INTERPRETER,JIT");
            report.environment("javisor_sampling", "run() in slices of " + SAMPLE_INSTRUCTIONS
                + " instructions (MachineConfig.maxInstructions), System.nanoTime() after each");
            report.environment("javisor_interpreter_round_seconds", roundSeconds(interpreter));
            report.environment("interpreter_warmup_ms_to_90pct_rounds", warmupRounds(interpreter));
            report.environment("warmup_is", "round 1's first " + FIRST_WINDOW_MILLIS + " ms; ms until the next "
                + WARMUP_WINDOW_MILLIS + " ms of work run at >= " + WARM_FRACTION + " of the same instructions' speed in "
                + "the tier's fastest round (needs >= 2 rounds)");
            if (interpreter.size() < 2)
            {
                report.environment("warmup_ms_absent", "one round only: no warm round to compare with");
            }
            if (jitBest != null)
            {
                report.environment("javisor_jit_round_seconds", roundSeconds(jit));
                report.environment("jit_warmup_ms_to_90pct_rounds", warmupRounds(jit));
                report.environment("jit_tier", "MachineConfig.cpuTier(CpuTier.JIT)");
            }
            else
            {
                report.environment("jit_absent", "disabled (--no-jit)");
            }
            if (qemu != null)
            {
                report.environment("qemu_version", qemu.version);
                report.environment("qemu_command", qemu.command);
                report.environment("qemu_round_seconds_raw", rawSeconds(qemu));
                report.environment("qemu_startup_guest", STARTUP_GUEST);
                report.environment("qemu_startup_runs", qemu.startupRunsNanos.size());
                report.environment("qemu_seconds_is", "qemu_seconds_raw (process wall time, best round) - "
                    + "qemu_startup_seconds (min over the start-up runs of " + STARTUP_GUEST + ".elf)");
                report.environment("qemu_mips_counts", "javisor's exact retired count (the guest is deterministic)");
                if (Double.isNaN(qemuMips))
                {
                    report.environment("qemu_mips_absent", "QEMU's run was not longer than its start-up");
                }
            }
            else
            {
                report.environment("qemu_absent", qemuAbsent);
            }
            if (nativeRun != null)
            {
                report.environment("native_compiler", nativeRun.version);
                report.environment("native_command", nativeRun.command);
                report.environment("native_round_seconds_raw", rawSeconds(nativeRun));
                report.environment("native_startup_runs", nativeRun.startupRunsNanos.size());
                report.environment("native_seconds_is", "native_seconds_raw (process wall time, best round) - "
                    + "native_startup_seconds (min over the start-up runs of a program that prints one line)");
                report.environment("ratio_vs_native_is", "native_seconds / the side's seconds");
                report.environment("native_equivalent_mips_is", "the guest's RISC-V instruction count / native_seconds");
                if (Double.isNaN(nativeSeconds))
                {
                    report.environment("native_seconds_absent", "the native run was not longer than its start-up");
                }
            }
            else
            {
                report.environment("native_absent", nativeAbsent);
            }
            return report;
        }

        private static void metricIfNumber(final BenchReport report, final String key, final double value, final int decimals)
        {
            if (!Double.isNaN(value) && !Double.isInfinite(value))
            {
                report.metric(key, round(value, decimals));
            }
        }

        private static String roundSeconds(final List<JavisorRound> rounds)
        {
            return rounds.stream().map(r -> String.format(Locale.ROOT, "%.6f", r.seconds())).collect(Collectors.joining(","));
        }

        private static String warmupRounds(final List<JavisorRound> rounds)
        {
            if (rounds.size() < 2)
            {
                return "n/a";
            }
            final JavisorRound best = best(rounds);
            return rounds.stream().map(r -> String.format(Locale.ROOT, "%.1f", r.warmupNanos(best) / 1e6))
                .collect(Collectors.joining(","));
        }

        private static String rawSeconds(final ProcessSide side)
        {
            return side.rounds.stream().map(r -> String.format(Locale.ROOT, "%.6f", r.rawNanos() / 1e9))
                .collect(Collectors.joining(","));
        }

        public void printTable(final PrintWriter out)
        {
            out.printf(Locale.ROOT, "cpu: %s (%,d instructions, deterministic), in-process on javisor's %s (BARE, fresh "
                    + "VirtMachine per round) vs %s and %s; %d interleaved round(s), best round of each side is the headline%n",
                config.guest, instructions, jit.isEmpty() ? "interpreter" : "interpreter and JIT tier",
                qemu == null ? "no QEMU" : "qemu-system-riscv64 -M virt -bios none (TCG)",
                nativeRun == null ? "no native build" : "the same C source built natively (cc -O2)", config.rounds);
            if (qemu != null)
            {
                out.printf(Locale.ROOT, "QEMU: %s; start-up = min of %d runs of %s.elf = %.4f s; "
                        + "qemu seconds = raw process time - start-up; QEMU MIPS = javisor's exact instruction count / qemu seconds%n",
                    qemu.version, qemu.startupRunsNanos.size(), STARTUP_GUEST, qemu.startupNanos() / 1e9);
            }
            else
            {
                out.printf(Locale.ROOT, "QEMU not run: %s (qemu_* and ratio metrics left out)%n", qemuAbsent);
            }
            if (nativeRun != null)
            {
                out.printf(Locale.ROOT, "native: %s, %s; start-up = min of %d runs of a one-line program = %.4f s; "
                        + "native seconds = raw process time - start-up%n",
                    nativeRun.version, nativeRun.command, nativeRun.startupRunsNanos.size(), nativeRun.startupNanos() / 1e9);
            }
            else
            {
                out.printf(Locale.ROOT, "native not run: %s (native_* and *_vs_native metrics left out)%n", nativeAbsent);
            }
            out.printf(Locale.ROOT, "%-7s %-20s %12s %12s %12s %14s %14s%n", "round", "side", "seconds", "raw seconds", "MIPS",
                "first 100ms", "warm-up ms");
            final JavisorRound interpBest = bestInterpreter();
            final JavisorRound jitBest = bestJit();
            for (int i = 0; i < interpreter.size(); i++)
            {
                if (qemu != null)
                {
                    printProcessRow(out, i + 1, "qemu", qemu.rounds.get(i).rawNanos(), qemu.startupNanos(), true);
                }
                if (nativeRun != null)
                {
                    printProcessRow(out, i + 1, "native", nativeRun.rounds.get(i).rawNanos(), nativeRun.startupNanos(), false);
                }
                printTierRow(out, "javisor interpreter", interpreter.get(i), interpBest);
                if (jitBest != null)
                {
                    printTierRow(out, "javisor JIT", jit.get(i), jitBest);
                }
            }
            out.printf(Locale.ROOT, "best    javisor interpreter: %.4f s, %,.1f MIPS (round %d)%n", interpBest.seconds(),
                interpBest.mips(), interpBest.round());
            if (jitBest != null)
            {
                out.printf(Locale.ROOT, "best    javisor JIT: %.4f s, %,.1f MIPS (round %d); ratio_jit_vs_interpreter = %.4f%n",
                    jitBest.seconds(), jitBest.mips(), jitBest.round(), jitBest.mips() / interpBest.mips());
            }
            if (qemu != null)
            {
                out.printf(Locale.ROOT, "best    qemu: %.4f s = raw %.4f s - start-up %.4f s, %s MIPS (round %d)%n",
                    qemu.bestNanos() / 1e9, qemu.bestRawNanos() / 1e9, qemu.startupNanos() / 1e9,
                    Double.isNaN(qemuMips()) ? "n/a" : String.format(Locale.ROOT, "%,.1f", qemuMips()), qemu.best().round());
                if (Double.isNaN(qemuMips()))
                {
                    out.println("ratio_interpreter_vs_qemu: n/a (QEMU's run was not longer than its start-up; "
                        + "use --guest cpubench)");
                }
                else
                {
                    out.printf(Locale.ROOT, "ratio_interpreter_vs_qemu = %.4f  (javisor MIPS / QEMU MIPS; QEMU is %.1fx faster)%n",
                        ratio(), 1 / ratio());
                    if (jitBest != null)
                    {
                        out.printf(Locale.ROOT, "ratio_jit_vs_qemu = %.4f%n", jitBest.mips() / qemuMips());
                    }
                }
                if (qemu.bestNanos() > 0 && qemu.bestNanos() < qemu.startupNanos())
                {
                    out.println("WARNING: QEMU's run is shorter than its start-up: its MIPS is mostly noise");
                }
            }
            if (nativeRun != null)
            {
                final double nativeSeconds = nativeSeconds();
                out.printf(Locale.ROOT, "best    native: %.4f s = raw %.4f s - start-up %.4f s (round %d)%n",
                    nativeRun.bestNanos() / 1e9, nativeRun.bestRawNanos() / 1e9, nativeRun.startupNanos() / 1e9,
                    nativeRun.best().round());
                if (Double.isNaN(nativeSeconds))
                {
                    out.println("ratio_*_vs_native: n/a (the native run was not longer than its start-up)");
                }
                else
                {
                    out.printf(Locale.ROOT, "ratio_interpreter_vs_native = %.5f  (native seconds / interpreter seconds)%s%s%n",
                        nativeSeconds / interpBest.seconds(),
                        jitBest == null ? "" : String.format(Locale.ROOT, "; ratio_jit_vs_native = %.5f",
                            nativeSeconds / jitBest.seconds()),
                        qemu == null || qemu.bestNanos() <= 0 ? "" : String.format(Locale.ROOT, "; ratio_qemu_vs_native = %.5f",
                            nativeSeconds / (qemu.bestNanos() / 1e9)));
                }
            }
            out.printf(Locale.ROOT, "warm-up: first %d ms of round 1: interpreter %,.1f MIPS%s; ms to %.0f%% of steady state "
                    + "(same instructions in the tier's fastest round): interpreter %s%s%n",
                FIRST_WINDOW_MILLIS, interpreter.getFirst().firstWindowMips(),
                jitBest == null ? "" : String.format(Locale.ROOT, ", JIT %,.1f MIPS", jit.getFirst().firstWindowMips()),
                WARM_FRACTION * 100, millis(warmupMillis(interpreter)),
                jitBest == null ? "" : ", JIT " + millis(warmupMillis(jit)));
            out.printf(Locale.ROOT, "console output and exit code 0 verified for every run (%s)%n", String.join(", ",
                Stream.of("javisor", qemu == null ? null : "QEMU", nativeRun == null ? null : "native")
                    .filter(side -> side != null).toList()));
            out.flush();
        }

        private static String millis(final double millis)
        {
            return Double.isNaN(millis) ? "n/a" : String.format(Locale.ROOT, "%.1f ms", millis);
        }

        private void printProcessRow(final PrintWriter out, final int round, final String side, final long raw,
            final long startup, final boolean mips)
        {
            final long net = raw - startup;
            out.printf(Locale.ROOT, "%-7d %-20s %12.4f %12.4f %12s%n", round, side, net / 1e9, raw / 1e9,
                mips && net > 0 ? String.format(Locale.ROOT, "%,.1f", instructions * 1e3 / net) : "");
        }

        private static void printTierRow(final PrintWriter out, final String side, final JavisorRound round,
            final JavisorRound best)
        {
            out.printf(Locale.ROOT, "%-7d %-20s %12.4f %12s %,12.1f %,14.1f %14s%n", round.round(), side, round.seconds(), "",
                round.mips(), round.firstWindowMips(), best == round ? "(reference)"
                    : String.format(Locale.ROOT, "%.1f", round.warmupNanos(best) / 1e6));
        }

        private static double round(final double value, final int decimals)
        {
            final double scale = Math.pow(10, decimals);
            return Math.round(value * scale) / scale;
        }
    }

    private final Config config;

    public CpuBenchmark(final Config config)
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
        return "the RISC-V guest CPU: " + config.guest + " in-process on javisor's interpreter and JIT tier vs the same "
            + "ELF on qemu-system-riscv64 (TCG) and the same C source built natively, MIPS and warm-up";
    }

    @Override
    public BenchReport runAndPrint(final PrintWriter out)
    {
        final Result result = run(out);
        result.printTable(out);
        return result.toReport();
    }

    /**
     * Runs the benchmark; progress lines go to {@code progress} when it is not null.
     *
     * @throws GuestMismatchException when a run's output, exit code or instruction count is wrong.
     */
    public Result run(final PrintWriter progress)
    {
        final ElfImage image = GuestImages.load(config.guest);
        final String expected = GuestImages.expectedOutput(config.guest);
        final String qemuAbsent = !config.qemu ? "disabled (--no-qemu)"
            : QemuRunner.isAvailable() ? null : QemuRunner.QEMU_BINARY + " not found on PATH";
        final Path compiler = config.nativeAnchor ? NativeCpubench.findCompiler().orElse(null) : null;
        String nativeAbsent = !config.nativeAnchor ? "disabled (--no-native)"
            : compiler == null ? NativeCpubench.COMPILER + " not found on PATH" : null;
        final List<JavisorRound> interpreter = new ArrayList<>();
        final List<JavisorRound> jit = new ArrayList<>();
        final Path dir;
        try
        {
            dir = Files.createTempDirectory("javisor-bench-cpu");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create a temporary folder for QEMU's ELFs and the native build: "
                + ex.getMessage(), ex);
        }
        try
        {
            NativeCpubench nativeBuild = null;
            if (nativeAbsent == null)
            {
                try
                {
                    nativeBuild = NativeCpubench.build(compiler, dir.resolve("native"), config.benchScale());
                }
                catch (final IOException ex)
                {
                    nativeAbsent = "the native build did not compile: " + ex.getMessage();
                }
            }
            QemuRunner runner = null;
            Path elf = null;
            String qemuVersion = null;
            final List<Long> qemuStartup = new ArrayList<>();
            if (qemuAbsent == null)
            {
                elf = GuestImages.extract(config.guest, dir);
                final Path startupElf = GuestImages.extract(STARTUP_GUEST, dir);
                runner = QemuRunner.create();
                qemuVersion = qemuVersion();
                final String startupExpected = GuestImages.expectedOutput(STARTUP_GUEST);
                for (int i = 0; i < STARTUP_RUNS; i++)
                {
                    qemuStartup.add(qemuRun(runner, startupElf, STARTUP_GUEST, startupExpected, "start-up run " + (i + 1)));
                }
                progress(progress, "QEMU start-up (%s.elf, min of %d): %.4f s", STARTUP_GUEST, STARTUP_RUNS,
                    qemuStartup.stream().mapToLong(Long::longValue).min().orElseThrow() / 1e9);
            }
            final List<Long> nativeStartup = new ArrayList<>();
            if (nativeBuild != null)
            {
                for (int i = 0; i < STARTUP_RUNS; i++)
                {
                    final NativeCpubench.Run run = nativeBuild.runStartup();
                    if (run.exitCode() != 0 || !"start\n".equals(run.output()))
                    {
                        throw new GuestMismatchException("native (start-up run " + (i + 1) + "): exit code " + run.exitCode()
                            + ", output " + quote(run.output()) + ", expected exit code 0 and \"start\\n\"");
                    }
                    nativeStartup.add(run.nanos());
                }
                progress(progress, "native start-up (min of %d): %.4f s", STARTUP_RUNS,
                    nativeStartup.stream().mapToLong(Long::longValue).min().orElseThrow() / 1e9);
            }
            final List<ProcessRound> qemuRounds = new ArrayList<>();
            final List<ProcessRound> nativeRounds = new ArrayList<>();
            for (int i = 1; i <= config.rounds; i++)
            {
                if (runner != null)
                {
                    final long raw = qemuRun(runner, elf, config.guest, expected, "round " + i);
                    qemuRounds.add(new ProcessRound(i, raw));
                    progress(progress, "round %d/%d: qemu %.4f s raw", i, config.rounds, raw / 1e9);
                }
                if (nativeBuild != null)
                {
                    final NativeCpubench.Run run = nativeBuild.runBenchmark();
                    final String side = "native (round " + i + ")";
                    if (run.exitCode() != 0)
                    {
                        throw new GuestMismatchException(side + ": exit code " + run.exitCode() + ", expected 0; output: "
                            + quote(run.output()));
                    }
                    checkOutput(side, config.guest, expected, run.output());
                    nativeRounds.add(new ProcessRound(i, run.nanos()));
                    progress(progress, "round %d/%d: native %.4f s raw", i, config.rounds, run.nanos() / 1e9);
                }
                interpreter.add(javisorRound(CpuTier.INTERPRETER, i, image, expected, interpreter, progress));
                if (config.jit)
                {
                    jit.add(javisorRound(CpuTier.JIT, i, image, expected, interpreter, progress));
                }
            }
            final ProcessSide qemu = runner == null ? null : new ProcessSide(qemuVersion, QemuRunner.QEMU_BINARY + " -M virt -m "
                + QemuRunner.DEFAULT_MEMORY_MIB + " -nographic -monitor none -serial stdio -nic none -no-reboot -bios none -kernel "
                + config.guest + ".elf", List.copyOf(qemuStartup), List.copyOf(qemuRounds));
            final ProcessSide nativeSide = nativeBuild == null ? null : new ProcessSide(nativeBuild.compilerVersion(),
                nativeBuild.command(), List.copyOf(nativeStartup), List.copyOf(nativeRounds));
            return new Result(config, interpreter.getFirst().instructions(), List.copyOf(interpreter), List.copyOf(jit),
                qemu, qemuAbsent, nativeSide, nativeAbsent);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("QEMU or the native build could not be run: " + ex.getMessage(), ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while a reference ran", ex);
        }
        finally
        {
            deleteQuietly(dir);
        }
    }

    private static void progress(final PrintWriter progress, final String format, final Object... args)
    {
        if (progress != null)
        {
            progress.printf(Locale.ROOT, format + "%n", args);
            progress.flush();
        }
    }

    /**
     * One round of one tier, in slices of {@link #SAMPLE_INSTRUCTIONS} with a timestamp after each.
     *
     * @param earlier the interpreter's rounds so far: every round must retire what its first did.
     */
    private JavisorRound javisorRound(final CpuTier tier, final int round, final ElfImage image, final String expected,
        final List<JavisorRound> earlier, final PrintWriter progress)
    {
        final RecordingConsole console = new RecordingConsole();
        final String side = "javisor " + tier.name().toLowerCase(Locale.ROOT) + " (round " + round + ")";
        long[] nanos = new long[1024];
        long[] retired = new long[1024];
        int samples = 1;
        MachineExit exit;
        System.gc();
        try (VirtMachine machine = VirtMachine.create(new MachineConfig().bootMode(BootMode.BARE).kernel(image)
            .console(console).cpuTier(tier).maxInstructions(SAMPLE_INSTRUCTIONS)))
        {
            final long start = System.nanoTime();
            long total = 0;
            do
            {
                exit = machine.run();
                final long now = System.nanoTime();
                total += exit.instructions();
                if (samples == nanos.length)
                {
                    nanos = Arrays.copyOf(nanos, samples * 2);
                    retired = Arrays.copyOf(retired, samples * 2);
                }
                nanos[samples] = now - start;
                retired[samples] = total;
                samples++;
                if (total > INSTRUCTION_BUDGET)
                {
                    throw new GuestMismatchException(side + ": " + config.guest + " retired more than "
                        + INSTRUCTION_BUDGET + " instructions without ending; output so far: " + quote(console.text()));
                }
            }
            while (exit.kind() == MachineExit.Kind.BUDGET_EXHAUSTED);
        }
        final boolean finished = exit.kind() == MachineExit.Kind.FINISHER || exit.kind() == MachineExit.Kind.HTIF
            || exit.kind() == MachineExit.Kind.SHUTDOWN;
        if (!finished || exit.exitCode() != 0)
        {
            throw new GuestMismatchException(side + ": " + config.guest + " ended " + exit.kind() + " with exit code "
                + exit.exitCode() + " (" + exit.detail() + "), expected exit code 0; output so far: " + quote(console.text()));
        }
        checkOutput(side, config.guest, expected, console.text());
        final JavisorRound result = new JavisorRound(tier, round, Arrays.copyOf(nanos, samples), Arrays.copyOf(retired, samples));
        if (!earlier.isEmpty() && earlier.getFirst().instructions() != result.instructions())
        {
            throw new GuestMismatchException(side + ": " + config.guest + " retired " + result.instructions()
                + " instructions, the interpreter's round 1 retired " + earlier.getFirst().instructions()
                + " (the guest is deterministic)");
        }
        progress(progress, "round %d/%d: javisor %s %.4f s, %,.1f MIPS, first %d ms %,.1f MIPS", round, config.rounds,
            tier.name().toLowerCase(Locale.ROOT), result.seconds(), result.mips(), FIRST_WINDOW_MILLIS, result.firstWindowMips());
        return result;
    }

    /** @return the run's wall time in ns, after checking its output and exit code. */
    private static long qemuRun(final QemuRunner runner, final Path elf, final String guest, final String expected,
        final String what) throws IOException, InterruptedException
    {
        final QemuRun run = runner.run(elf);
        final String side = "QEMU (" + guest + ", " + what + ")";
        if (run.timedOut())
        {
            throw new GuestMismatchException(side + ": timed out after " + run.elapsedNanos() / 1_000_000 + " ms");
        }
        if (run.exitCode() != 0)
        {
            throw new GuestMismatchException(side + ": exit code " + run.exitCode() + ", expected 0; stderr: "
                + quote(run.diagnostics()) + "; output: " + quote(run.outputText()));
        }
        checkOutput(side, guest, expected, run.outputText());
        return run.elapsedNanos();
    }

    static void checkOutput(final String side, final String guest, final String expected, final String actual)
    {
        if (expected.equals(actual))
        {
            return;
        }
        int at = 0;
        while (at < expected.length() && at < actual.length() && expected.charAt(at) == actual.charAt(at))
        {
            at++;
        }
        throw new GuestMismatchException(side + ": console output differs from expected/" + guest + ".out at byte " + at
            + ": got " + quote(excerpt(actual, at)) + ", expected " + quote(excerpt(expected, at)));
    }

    private static String excerpt(final String text, final int at)
    {
        final int from = Math.max(0, at - 20);
        final int to = Math.min(text.length(), at + 40);
        return (from > 0 ? "..." : "") + text.substring(from, to) + (to < text.length() ? "..." : "");
    }

    private static String quote(final String text)
    {
        final StringBuilder quoted = new StringBuilder("\"");
        final String shown = text.length() > 200 ? text.substring(0, 200) + "..." : text;
        for (final char c : shown.toCharArray())
        {
            switch (c)
            {
                case '\n' -> quoted.append("\\n");
                case '\r' -> quoted.append("\\r");
                case '"' -> quoted.append("\\\"");
                default -> quoted.append(c < 0x20 || c > 0x7e ? String.format(Locale.ROOT, "\\x%02x", (int)c) : String.valueOf(c));
            }
        }
        return quoted.append('"').toString();
    }

    /** @return the first line of {@code qemu-system-riscv64 --version}, or "unknown". */
    static String qemuVersion()
    {
        return QemuRunner.findBinary().map(ToolVersion::firstLine).orElse("unknown");
    }

    private static void deleteQuietly(final Path dir)
    {
        try (Stream<Path> files = Files.walk(dir))
        {
            files.sorted(Comparator.reverseOrder()).forEach(file ->
            {
                try
                {
                    Files.deleteIfExists(file);
                }
                catch (final IOException ignored)
                {
                    // a leftover temporary file
                }
            });
        }
        catch (final IOException ignored)
        {
            // a leftover temporary folder
        }
    }
}
