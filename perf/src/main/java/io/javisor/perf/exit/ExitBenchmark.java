package io.javisor.perf.exit;

import io.javisor.emulation.guests.GuestImages;
import io.javisor.emulation.loader.ElfImage;
import io.javisor.emulation.machine.BootMode;
import io.javisor.emulation.machine.CpuTier;
import io.javisor.emulation.machine.MachineConfig;
import io.javisor.emulation.machine.MachineExit;
import io.javisor.emulation.machine.RecordingConsole;
import io.javisor.emulation.machine.VirtMachine;
import io.javisor.emulation.reference.QemuRun;
import io.javisor.emulation.reference.QemuRunner;
import io.javisor.perf.HarnessBenchmark;
import io.javisor.perf.report.BenchReport;
import io.javisor.perf.report.ToolVersion;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code javisor bench exit}: what one device-register access costs a guest, from guest code. The
 * {@code mmio-exit} guest reads the UART's line status register {@link #READS} times in a loop (each
 * read an exit into the device model); {@code mmio-exit-loop} is the same loop without the read. The
 * cost of one exit is their time difference over the reads, on each of javisor's tiers in-process and
 * on QEMU TCG with the same ELFs, in interleaved rounds (best round of each side). QEMU's process
 * start-up cancels out in the difference.
 * <p>
 * Single-threaded; each run checks the guest's console output against the committed expected output.
 */
public final class ExitBenchmark implements HarnessBenchmark
{
    public static final String NAME = "exit";
    /** Reads per run: what the guest program is built with (src/mmio-exit.c). */
    public static final long READS = 4_000_000L;
    static final String EXIT_GUEST = "mmio-exit";
    static final String LOOP_GUEST = "mmio-exit-loop";

    /**
     * @param rounds interleaved rounds of every side.
     * @param qemu   whether to run QEMU too (when it is installed).
     */
    public record Config(int rounds, boolean qemu)
    {
        public Config
        {
            if (rounds < 1 || rounds > 100)
            {
                throw new IllegalArgumentException("rounds must be 1..100, got " + rounds);
            }
        }

        public static Config defaults()
        {
            return new Config(3, true);
        }
    }

    /** The best round's nanoseconds per exit of each side; NaN when the side did not run. */
    public record Result(double interpreterNs, double jitNs, double qemuNs, String qemuVersion)
    {
        public BenchReport toReport()
        {
            final BenchReport report = new BenchReport(NAME);
            report.metric("reads", READS);
            report.metric("exit_ns_interpreter", round(interpreterNs));
            report.metric("exit_ns_jit", round(jitNs));
            if (!Double.isNaN(qemuNs))
            {
                report.metric("exit_ns_qemu", round(qemuNs));
                report.metric("ratio_exit_jit_vs_qemu", Math.round(jitNs / qemuNs * 1000) / 1000.0);
                report.environment("qemu", qemuVersion);
            }
            report.environment("guest", EXIT_GUEST + " vs " + LOOP_GUEST + " (UART LSR reads)");
            return report;
        }

        void print(final PrintWriter out)
        {
            out.printf("%-28s %14s%n", "side", "ns per exit");
            out.printf("%-28s %14.1f%n", "javisor interpreter", interpreterNs);
            out.printf("%-28s %14.1f%n", "javisor jit", jitNs);
            if (!Double.isNaN(qemuNs))
            {
                out.printf("%-28s %14.1f   (%s)%n", "QEMU TCG", qemuNs, qemuVersion);
                out.printf("ratio_exit_jit_vs_qemu = %.3f (below 1: an exit costs javisor less)%n", jitNs / qemuNs);
            }
            out.flush();
        }

        private static double round(final double value)
        {
            return Math.round(value * 10) / 10.0;
        }
    }

    private final Config config;

    public ExitBenchmark(final Config config)
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
        return "device-register exit cost from guest code: javisor interpreter, jit, QEMU TCG";
    }

    @Override
    public BenchReport runAndPrint(final PrintWriter out)
    {
        final Result result = run(out);
        result.print(out);
        return result.toReport();
    }

    public Result run(final PrintWriter progress)
    {
        final ElfImage exit = GuestImages.load(EXIT_GUEST);
        final ElfImage loop = GuestImages.load(LOOP_GUEST);
        final boolean qemu = config.qemu && QemuRunner.isAvailable();
        double bestInterpreter = Double.MAX_VALUE;
        double bestJit = Double.MAX_VALUE;
        double bestQemu = Double.MAX_VALUE;
        Path dir = null;
        try
        {
            QemuRunner runner = null;
            if (qemu)
            {
                dir = Files.createTempDirectory("javisor-exit");
                GuestImages.extract(EXIT_GUEST, dir);
                GuestImages.extract(LOOP_GUEST, dir);
                runner = QemuRunner.create();
            }
            for (int round = 1; round <= config.rounds; round++)
            {
                final double interp = perExit(javisorNanos(CpuTier.INTERPRETER, exit, EXIT_GUEST),
                    javisorNanos(CpuTier.INTERPRETER, loop, LOOP_GUEST));
                final double jit = perExit(javisorNanos(CpuTier.JIT, exit, EXIT_GUEST), javisorNanos(CpuTier.JIT, loop, LOOP_GUEST));
                bestInterpreter = Math.min(bestInterpreter, interp);
                bestJit = Math.min(bestJit, jit);
                String line = String.format(Locale.ROOT, "round %d/%d: interpreter %.1f ns, jit %.1f ns", round,
                    config.rounds, interp, jit);
                if (runner != null)
                {
                    final double q = perExit(qemuNanos(runner, dir, EXIT_GUEST), qemuNanos(runner, dir, LOOP_GUEST));
                    bestQemu = Math.min(bestQemu, q);
                    line += String.format(Locale.ROOT, ", QEMU %.1f ns", q);
                }
                progress.println(line + " per exit");
                progress.flush();
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", ex);
        }
        finally
        {
            deleteQuietly(dir);
        }
        return new Result(bestInterpreter, bestJit, qemu ? bestQemu : Double.NaN,
            qemu ? QemuRunner.findBinary().map(ToolVersion::firstLine).orElse("unknown") : "");
    }

    private static double perExit(final long withReads, final long withoutReads)
    {
        return (double)(withReads - withoutReads) / READS;
    }

    private static long javisorNanos(final CpuTier tier, final ElfImage image, final String guest)
    {
        final RecordingConsole console = new RecordingConsole();
        final long start;
        final MachineExit exit;
        final long elapsed;
        try (VirtMachine machine = VirtMachine.create(new MachineConfig().bootMode(BootMode.BARE).kernel(image)
            .console(console).cpuTier(tier)))
        {
            start = System.nanoTime();
            exit = machine.run();
            elapsed = System.nanoTime() - start;
        }
        check("javisor " + tier.name().toLowerCase(Locale.ROOT) + " " + guest, exit.exitCode() == 0 &&
            console.text().equals(GuestImages.expectedOutput(guest)), console.text());
        return elapsed;
    }

    private static long qemuNanos(final QemuRunner runner, final Path dir, final String guest)
        throws IOException, InterruptedException
    {
        final QemuRun run = runner.run(dir.resolve(guest + ".elf"));
        check("QEMU " + guest, !run.timedOut() && run.exitCode() == 0 &&
            run.outputText().equals(GuestImages.expectedOutput(guest)), run.outputText() + run.diagnostics());
        return run.elapsedNanos();
    }

    private static void check(final String side, final boolean ok, final String output)
    {
        if (!ok)
        {
            throw new IllegalStateException(side + ": unexpected output or exit code: " + output.strip());
        }
    }

    private static void deleteQuietly(final Path dir)
    {
        if (dir == null)
        {
            return;
        }
        try (var files = Files.walk(dir))
        {
            final List<Path> all = new ArrayList<>(files.toList());
            all.sort((a, b) -> b.compareTo(a));
            for (final Path p : all)
            {
                Files.deleteIfExists(p);
            }
        }
        catch (final IOException ignored)
        {
            // a temp directory left behind is harmless
        }
    }
}
