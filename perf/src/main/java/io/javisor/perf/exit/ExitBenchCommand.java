package io.javisor.perf.exit;

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
 * {@code javisor bench exit}: see {@link ExitBenchmark}. A guest that misbehaves on a side fails the
 * command with one line naming it.
 */
@Command(
    name = "exit",
    mixinStandardHelpOptions = true,
    description = {
        "The cost of one device-register exit from guest code: the mmio-exit guest reads the UART's status "
            + "register 4,000,000 times; the same loop without the read is subtracted. javisor's interpreter and "
            + "jit tiers in-process and QEMU TCG on the same ELFs, interleaved rounds, best round of each side.",
    })
public final class ExitBenchCommand implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    @Option(names = "--rounds", paramLabel = "N", defaultValue = "3", description = "Interleaved rounds (default: ${DEFAULT-VALUE}).")
    private int rounds;

    @Option(names = "--no-qemu", description = "Measure javisor only.")
    private boolean noQemu;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the report as JSON to FILE.")
    private Path json;

    @Override
    public Integer call()
    {
        final ExitBenchmark.Config config;
        try
        {
            config = new ExitBenchmark.Config(rounds, !noQemu);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ParameterException(spec.commandLine(), ex.getMessage());
        }
        final PrintWriter out = spec.commandLine().getOut();
        final BenchReport report;
        try
        {
            report = new ExitBenchmark(config).runAndPrint(out);
        }
        catch (final IllegalStateException ex)
        {
            out.flush();
            spec.commandLine().getErr().println(spec.qualifiedName() + ": FAILED: " + ex.getMessage());
            spec.commandLine().getErr().flush();
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
