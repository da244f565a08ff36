package io.javisor.perf.cpu;

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
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * {@code javisor bench cpu}: the RISC-V CPU — a committed, deterministic guest program
 * ({@code cpubench}: integer mul/div, a matrix multiply, CRC-32 and a sort; about 2.77 billion
 * instructions) run in-process on javisor's interpreter and, in the same run, on
 * {@code qemu-system-riscv64 -M virt -bios none} (TCG), as a reference.
 * <p>
 * Measured, in interleaved rounds (QEMU, javisor, QEMU, javisor, ...):
 * <ul>
 * <li><b>javisor</b>: a fresh {@link VirtMachine} per round, {@link BootMode#BARE}, the console
 * captured into a buffer; time = {@link MachineExit#nanos()} (the wall time of {@code run()},
 * without the JVM's start or the ELF's load); MIPS = {@link MachineExit#instructions()} (exact)
 * / time. Every round must retire the same count.</li>
 * <li><b>QEMU</b>: the extracted ELF as a child process ({@link QemuRunner}). Its time includes
 * QEMU's own start-up, so the run also times QEMU on {@code hello.elf} (which prints a line and
 * exits at once) {@value #STARTUP_RUNS} times before the rounds and takes the minimum as the
 * start-up: {@code qemu_seconds = qemu_seconds_raw - qemu_startup_seconds}. QEMU does not count
 * instructions, but the guest is deterministic and retires the same count on both, so QEMU's
 * MIPS = javisor's exact count / {@code qemu_seconds}.</li>
 * </ul>
 * The headline of each side is its best (fastest) round; every round is printed. The console
 * output of every run, on both sides, must equal the guest's recorded output
 * ({@code guests/expected/NAME.out}) and both must exit 0, or the benchmark fails with a
 * {@link GuestMismatchException} naming the side. Without QEMU (not installed, or
 * {@code --no-qemu}) only javisor is measured: the {@code qemu_*} and ratio metrics are left out
 * and the table says why.
 */
public final class CpuBenchmark implements HarnessBenchmark
{
    public static final String NAME = "cpu";
    /** The guests this benchmark runs. */
    public static final List<String> GUESTS = List.of("cpubench", "cpubench-small");
    /** The guest timed for QEMU's start-up. */
    public static final String STARTUP_GUEST = "hello";
    public static final int STARTUP_RUNS = 5;
    /** A guard against a runaway guest: far above what cpubench retires, identical for every round. */
    static final long INSTRUCTION_BUDGET = 200_000_000_000L;

    /**
     * @param guest  {@code cpubench} or {@code cpubench-small}
     * @param rounds interleaved rounds (each one QEMU run and one javisor run)
     * @param qemu   whether to run QEMU as well (when it is installed)
     */
    public record Config(String guest, int rounds, boolean qemu)
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

        public static Config defaults()
        {
            return new Config(DEFAULT_GUEST, DEFAULT_ROUNDS, true);
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

    /** One javisor round. */
    public record JavisorRound(int round, long instructions, long nanos)
    {
        public double seconds()
        {
            return nanos / 1e9;
        }

        public double mips()
        {
            return nanos == 0 ? 0 : instructions * 1e3 / nanos;
        }
    }

    /** One QEMU round: the child process's wall time, start-up included. */
    public record QemuRound(int round, long rawNanos)
    {
    }

    /** What QEMU measured; absent when it did not run. */
    public record Qemu(String version, List<Long> startupRunsNanos, List<QemuRound> rounds)
    {
        public long startupNanos()
        {
            return startupRunsNanos.stream().mapToLong(Long::longValue).min().orElseThrow();
        }

        public QemuRound best()
        {
            return rounds.stream().min(Comparator.comparingLong(QemuRound::rawNanos)).orElseThrow();
        }

        public long bestRawNanos()
        {
            return best().rawNanos();
        }

        /** The best round's time without QEMU's start-up (may be &lt;= 0 for a guest shorter than the noise). */
        public long bestNanos()
        {
            return bestRawNanos() - startupNanos();
        }
    }

    /**
     * @param qemu         QEMU's figures, or {@code null} when it did not run
     * @param qemuAbsent   why QEMU did not run (null when it did)
     */
    public record Result(Config config, long instructions, List<JavisorRound> javisor, Qemu qemu, String qemuAbsent,
        List<JavisorRound> jit)
    {
        public JavisorRound bestJavisor()
        {
            return javisor.stream().min(Comparator.comparingLong(JavisorRound::nanos)).orElseThrow();
        }

        /** The best round of the translator (tier 1) side. */
        public JavisorRound bestJit()
        {
            return jit.stream().min(Comparator.comparingLong(JavisorRound::nanos)).orElseThrow();
        }

        /** The translator's MIPS ÷ QEMU's; NaN when there is no QEMU MIPS. */
        public double jitRatio()
        {
            final double qemuMips = qemuMips();
            return Double.isNaN(qemuMips) ? Double.NaN : bestJit().mips() / qemuMips;
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

        /** javisor's MIPS ÷ QEMU's; NaN when there is no QEMU MIPS. */
        public double ratio()
        {
            final double qemuMips = qemuMips();
            return Double.isNaN(qemuMips) ? Double.NaN : bestJavisor().mips() / qemuMips;
        }

        public BenchReport toReport()
        {
            final BenchReport report = new BenchReport(NAME);
            final JavisorRound best = bestJavisor();
            report.metric("guest_instructions", instructions);
            report.metric("javisor_interpreter_seconds", round(best.seconds(), 6));
            report.metric("javisor_interpreter_mips", round(best.mips(), 2));
            report.metric("javisor_jit_seconds", round(bestJit().seconds(), 6));
            report.metric("javisor_jit_mips", round(bestJit().mips(), 2));
            if (qemu != null)
            {
                report.metric("qemu_seconds", round(qemu.bestNanos() / 1e9, 6));
                report.metric("qemu_seconds_raw", round(qemu.bestRawNanos() / 1e9, 6));
                report.metric("qemu_startup_seconds", round(qemu.startupNanos() / 1e9, 6));
                if (!Double.isNaN(qemuMips()))
                {
                    report.metric("qemu_mips", round(qemuMips(), 2));
                    report.metric("ratio_interpreter_vs_qemu", round(ratio(), 5));
                    report.metric("ratio_jit_vs_qemu", round(jitRatio(), 5));
                }
            }
            report.environment("guest", config.guest);
            report.environment("rounds", config.rounds);
            report.environment("boot_mode", "BARE");
            report.environment("javisor_round_seconds", javisor.stream()
                .map(round -> String.format(Locale.ROOT, "%.6f", round.seconds())).collect(Collectors.joining(",")));
            if (qemu != null)
            {
                report.environment("qemu_version", qemu.version);
                report.environment("qemu_command", QemuRunner.QEMU_BINARY + " -M virt -m " + QemuRunner.DEFAULT_MEMORY_MIB
                    + " -nographic -monitor none -serial stdio -nic none -no-reboot -bios none -kernel " + config.guest + ".elf");
                report.environment("qemu_round_seconds_raw", qemu.rounds.stream()
                    .map(round -> String.format(Locale.ROOT, "%.6f", round.rawNanos() / 1e9)).collect(Collectors.joining(",")));
                report.environment("qemu_startup_guest", STARTUP_GUEST);
                report.environment("qemu_startup_runs", qemu.startupRunsNanos.size());
                report.environment("qemu_seconds_is", "qemu_seconds_raw (process wall time, best round) - "
                    + "qemu_startup_seconds (min over the start-up runs of " + STARTUP_GUEST + ".elf)");
                report.environment("qemu_mips_counts", "javisor's exact retired count (the guest is deterministic)");
                if (Double.isNaN(qemuMips()))
                {
                    report.environment("qemu_mips_absent", "QEMU's run was not longer than its start-up");
                }
            }
            else
            {
                report.environment("qemu_absent", qemuAbsent);
            }
            return report;
        }

        public void printTable(final PrintWriter out)
        {
            out.printf(Locale.ROOT, "cpu: %s (%,d instructions, deterministic), in-process on javisor's interpreter (BARE, "
                    + "fresh VirtMachine per round) vs %s; %d interleaved round(s), best round of each side is the headline%n",
                config.guest, instructions, qemu == null ? "no QEMU" : "qemu-system-riscv64 -M virt -bios none (TCG)",
                config.rounds);
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
            out.printf(Locale.ROOT, "%-7s %-20s %12s %12s %12s%n", "round", "side", "seconds", "raw seconds", "MIPS");
            for (int i = 0; i < javisor.size(); i++)
            {
                if (qemu != null)
                {
                    final long raw = qemu.rounds.get(i).rawNanos();
                    final long net = raw - qemu.startupNanos();
                    out.printf(Locale.ROOT, "%-7d %-20s %12.4f %12.4f %12s%n", i + 1, "qemu", net / 1e9, raw / 1e9,
                        net > 0 ? String.format(Locale.ROOT, "%,.1f", instructions * 1e3 / net) : "n/a");
                }
                final JavisorRound round = javisor.get(i);
                out.printf(Locale.ROOT, "%-7d %-20s %12.4f %12s %,12.1f%n", i + 1, "javisor interpreter", round.seconds(), "",
                    round.mips());
                final JavisorRound jitRound = jit.get(i);
                out.printf(Locale.ROOT, "%-7d %-20s %12.4f %12s %,12.1f%n", i + 1, "javisor jit", jitRound.seconds(), "",
                    jitRound.mips());
            }
            final JavisorRound best = bestJavisor();
            out.printf(Locale.ROOT, "best    javisor interpreter: %.4f s, %,.1f MIPS (round %d)%n", best.seconds(), best.mips(),
                best.round());
            out.printf(Locale.ROOT, "best    javisor jit: %.4f s, %,.1f MIPS (round %d)%n", bestJit().seconds(),
                bestJit().mips(), bestJit().round());
            if (qemu != null)
            {
                out.printf(Locale.ROOT, "best    qemu: %.4f s = raw %.4f s - start-up %.4f s, %s MIPS (round %d)%n",
                    qemu.bestNanos() / 1e9, qemu.bestRawNanos() / 1e9, qemu.startupNanos() / 1e9,
                    Double.isNaN(qemuMips()) ? "n/a" : String.format(Locale.ROOT, "%,.1f", qemuMips()), qemu.best().round());
                if (Double.isNaN(ratio()))
                {
                    out.println("ratio_interpreter_vs_qemu: n/a (QEMU's run was not longer than its start-up; "
                        + "use --guest cpubench)");
                }
                else
                {
                    out.printf(Locale.ROOT, "ratio_interpreter_vs_qemu = %.4f  (javisor MIPS / QEMU MIPS; QEMU is %.1fx faster)%n",
                        ratio(), 1 / ratio());
                    out.printf(Locale.ROOT, "ratio_jit_vs_qemu = %.4f  (javisor translator MIPS / QEMU MIPS)%n", jitRatio());
                }
                if (qemu.bestNanos() > 0 && qemu.bestNanos() < qemu.startupNanos())
                {
                    out.println("WARNING: QEMU's run is shorter than its start-up: its MIPS is mostly noise");
                }
            }
            out.printf(Locale.ROOT, "console output and exit code 0 verified for every run (%s)%n",
                qemu == null ? "javisor" : "javisor and QEMU");
            out.flush();
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
        return "the RISC-V guest CPU: " + config.guest + " in-process on javisor's interpreter vs the same ELF on "
            + "qemu-system-riscv64 (TCG), MIPS";
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
        final List<JavisorRound> javisor = new ArrayList<>();
        final List<JavisorRound> jit = new ArrayList<>();
        if (qemuAbsent != null)
        {
            for (int i = 1; i <= config.rounds; i++)
            {
                javisor.add(javisorRound(i, image, expected, javisor, progress, CpuTier.INTERPRETER));
                jit.add(javisorRound(i, image, expected, javisor, progress, CpuTier.JIT));
            }
            return new Result(config, javisor.getFirst().instructions(), javisor, null, qemuAbsent, jit);
        }
        final Path dir;
        try
        {
            dir = Files.createTempDirectory("javisor-bench-cpu");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create a temporary folder for QEMU's ELFs: " + ex.getMessage(), ex);
        }
        try
        {
            final Path elf = GuestImages.extract(config.guest, dir);
            final Path startupElf = GuestImages.extract(STARTUP_GUEST, dir);
            final QemuRunner runner = QemuRunner.create();
            final String version = qemuVersion();
            final String startupExpected = GuestImages.expectedOutput(STARTUP_GUEST);
            final List<Long> startup = new ArrayList<>();
            for (int i = 0; i < STARTUP_RUNS; i++)
            {
                startup.add(qemuRun(runner, startupElf, STARTUP_GUEST, startupExpected, "start-up run " + (i + 1)));
            }
            if (progress != null)
            {
                progress.printf(Locale.ROOT, "QEMU start-up (%s.elf, min of %d): %.4f s%n", STARTUP_GUEST, STARTUP_RUNS,
                    startup.stream().mapToLong(Long::longValue).min().orElseThrow() / 1e9);
                progress.flush();
            }
            final List<QemuRound> qemuRounds = new ArrayList<>();
            for (int i = 1; i <= config.rounds; i++)
            {
                final long raw = qemuRun(runner, elf, config.guest, expected, "round " + i);
                qemuRounds.add(new QemuRound(i, raw));
                if (progress != null)
                {
                    progress.printf(Locale.ROOT, "round %d/%d: qemu %.4f s raw%n", i, config.rounds, raw / 1e9);
                    progress.flush();
                }
                javisor.add(javisorRound(i, image, expected, javisor, progress, CpuTier.INTERPRETER));
                jit.add(javisorRound(i, image, expected, javisor, progress, CpuTier.JIT));
            }
            return new Result(config, javisor.getFirst().instructions(), javisor,
                new Qemu(version, List.copyOf(startup), List.copyOf(qemuRounds)), null, jit);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("QEMU could not be run: " + ex.getMessage(), ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while QEMU ran", ex);
        }
        finally
        {
            deleteQuietly(dir);
        }
    }

    private JavisorRound javisorRound(final int round, final ElfImage image, final String expected,
        final List<JavisorRound> earlier, final PrintWriter progress, final CpuTier tier)
    {
        final RecordingConsole console = new RecordingConsole();
        final MachineExit exit;
        System.gc();
        try (VirtMachine machine = VirtMachine.create(new MachineConfig().bootMode(BootMode.BARE).kernel(image)
            .console(console).maxInstructions(INSTRUCTION_BUDGET).cpuTier(tier)))
        {
            exit = machine.run();
        }
        final String side = "javisor " + (tier == CpuTier.JIT ? "jit" : "interpreter") + " (round " + round + ")";
        final boolean finished = exit.kind() == MachineExit.Kind.FINISHER || exit.kind() == MachineExit.Kind.HTIF
            || exit.kind() == MachineExit.Kind.SHUTDOWN;
        if (!finished || exit.exitCode() != 0)
        {
            throw new GuestMismatchException(side + ": " + config.guest + " ended " + exit.kind() + " with exit code "
                + exit.exitCode() + " (" + exit.detail() + "), expected exit code 0; output so far: " + quote(console.text()));
        }
        checkOutput(side, config.guest, expected, console.text());
        if (!earlier.isEmpty() && earlier.getFirst().instructions() != exit.instructions())
        {
            throw new GuestMismatchException(side + ": " + config.guest + " retired " + exit.instructions()
                + " instructions, round 1 retired " + earlier.getFirst().instructions() + " (the guest is deterministic)");
        }
        final JavisorRound result = new JavisorRound(round, exit.instructions(), exit.nanos());
        if (progress != null)
        {
            progress.printf(Locale.ROOT, "round %d/%d: javisor %s %.4f s, %,.1f MIPS%n", round, config.rounds,
                tier == CpuTier.JIT ? "jit" : "interpreter", result.seconds(), result.mips());
            progress.flush();
        }
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
        final Path binary = QemuRunner.findBinary().orElse(null);
        if (binary == null)
        {
            return "unknown";
        }
        try
        {
            final Process process = new ProcessBuilder(binary.toString(), "--version").redirectErrorStream(true).start();
            process.getOutputStream().close();
            final byte[] bytes;
            try (InputStream in = process.getInputStream())
            {
                bytes = in.readNBytes(4096);
            }
            if (!process.waitFor(10, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                return "unknown";
            }
            final String first = new String(bytes, StandardCharsets.UTF_8).lines().findFirst().orElse("").trim();
            return first.isEmpty() ? "unknown" : first;
        }
        catch (final IOException ex)
        {
            return "unknown";
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return "unknown";
        }
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
