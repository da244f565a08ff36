package io.javisor.perf.cli;

import io.javisor.perf.exit.ExitBenchCommand;
import io.javisor.perf.HarnessBenchmark;
import io.javisor.perf.HarnessBenchmarks;
import io.javisor.perf.blk.BlkBenchCommand;
import io.javisor.perf.cpu.CpuBenchCommand;
import io.javisor.perf.ddom.DriverDomainBenchCommand;
import io.javisor.perf.density.DensityBenchCommand;
import io.javisor.perf.io.IoBenchCommand;
import io.javisor.perf.net.NetBenchCommand;
import io.javisor.perf.report.BenchReport;
import io.javisor.perf.sched.SchedBenchCommand;
import io.javisor.perf.stubdom.StubDomainBenchCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code javisor bench}: with a subcommand, that benchmark; without, every harness benchmark
 * with its defaults, one after the other.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
        "Run the benchmarks. Without a subcommand, run every harness benchmark with its defaults "
            + "and print each (JMH is run only through `bench jmh`)."
    },
    subcommands = { RingBenchCommand.class, BlkBenchCommand.class, NetBenchCommand.class, CpuBenchCommand.class, ExitBenchCommand.class, IoBenchCommand.class, DensityBenchCommand.class, SchedBenchCommand.class, DriverDomainBenchCommand.class, StubDomainBenchCommand.class, JmhCommand.class },
    commandListHeading = "%nCommands:%n")
final class BenchCommand implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    @Option(names = "--json-dir", paramLabel = "DIR",
        description = "Also write each benchmark's report as DIR/<name>.json.")
    private Path jsonDir;

    @Override
    public Integer call()
    {
        final PrintWriter out = spec.commandLine().getOut();
        boolean first = true;
        for (final HarnessBenchmark benchmark : HarnessBenchmarks.all())
        {
            if (!first)
            {
                out.println();
            }
            first = false;
            out.printf("== %s: %s%n", benchmark.name(), benchmark.description());
            out.flush();
            final BenchReport report = benchmark.runAndPrint(out);
            if (jsonDir != null)
            {
                final Path file = jsonDir.resolve(benchmark.name() + ".json");
                report.writeJson(file);
                out.println("wrote " + file);
            }
            out.flush();
        }
        return 0;
    }
}
