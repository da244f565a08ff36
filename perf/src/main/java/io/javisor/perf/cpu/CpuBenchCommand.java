package io.javisor.perf.cpu;

import io.javisor.perf.report.BenchReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code javisor bench cpu}: see {@link CpuBenchmark}. A guest that misbehaves on either side
 * (output, exit code, instruction count) fails the command: one line on stderr naming the side,
 * exit code 1.
 */
@Command(
    name = "cpu",
    mixinStandardHelpOptions = true,
    description = {
        "The RISC-V guest CPU: a deterministic guest program (cpubench, ~3.3 billion instructions) in-process on "
            + "javisor's interpreter and JIT tier vs the same ELF on qemu-system-riscv64 -M virt -bios none (TCG) and the "
            + "same C source built natively with cc -O2, in interleaved rounds; MIPS of the best round of each side, "
            + "ratios, and each tier's warm-up (MIPS in the first 100 ms, ms to 90%% of steady state). QEMU's and the "
            + "native time are process time minus start-up (timed in the same run). Every run's console output and "
            + "exit code are verified.",
    })
public final class CpuBenchCommand implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    @Option(names = "--guest", paramLabel = "NAME", defaultValue = CpuBenchmark.Config.DEFAULT_GUEST,
        description = "The guest: cpubench or cpubench-small (200x fewer instructions) (default: ${DEFAULT-VALUE}).")
    private String guest;

    @Option(names = "--rounds", paramLabel = "N", defaultValue = "" + CpuBenchmark.Config.DEFAULT_ROUNDS,
        description = "Interleaved rounds, each one run of every side (default: ${DEFAULT-VALUE}).")
    private int rounds;

    @Option(names = "--no-qemu", description = "Measure javisor only (the qemu_* and ratio metrics are left out).")
    private boolean noQemu;

    @Option(names = "--no-native", description = "Leave out the native build (the native_* and *_vs_native metrics).")
    private boolean noNative;

    @Option(names = "--no-jit", description = "Leave out javisor's JIT tier (the jit_* metrics).")
    private boolean noJit;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the report as JSON to FILE.")
    private Path json;

    @Override
    public Integer call()
    {
        final CpuBenchmark.Config config;
        try
        {
            config = new CpuBenchmark.Config(guest, rounds, !noQemu, !noNative, !noJit);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ParameterException(spec.commandLine(), ex.getMessage());
        }
        final PrintWriter out = spec.commandLine().getOut();
        final BenchReport report;
        try
        {
            report = new CpuBenchmark(config).runAndPrint(out);
        }
        catch (final CpuBenchmark.GuestMismatchException ex)
        {
            out.flush();
            final PrintWriter err = spec.commandLine().getErr();
            err.println(spec.qualifiedName() + ": FAILED: " + ex.getMessage());
            err.flush();
            return 1;
        }
        if (json != null)
        {
            report.writeJson(json);
            out.println("wrote " + json);
        }
        out.flush();
        return 0;
    }
}
