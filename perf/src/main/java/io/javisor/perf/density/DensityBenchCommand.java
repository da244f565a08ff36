package io.javisor.perf.density;

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
 * {@code javisor bench density}: see {@link DensityBenchmark}.
 */
@Command(
    name = "density",
    mixinStandardHelpOptions = true,
    description = {
        "Light Java guests in one JVM (SHARED back ends): create N, each a 1 MiB PV domain with a RAM disk and a vif "
            + "with both front ends connected; drive a closed loop of 4 KiB reads and frames on all of them at once; "
            + "destroy them. Reports create and destroy time per domain (p50/p99), host memory per domain beyond its "
            + "guest memory (heap, direct buffers, hypervisor frames), aggregate reads/s and frames/s, and what is left "
            + "after the destroys.",
    })
public final class DensityBenchCommand implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    @Option(names = "--domains", paramLabel = "N", defaultValue = "" + DensityBenchmark.Config.DEFAULT_DOMAINS,
        description = "Guests in the measured fleet (default: ${DEFAULT-VALUE}).")
    private int domains;

    @Option(names = "--reads", paramLabel = "N", defaultValue = "" + DensityBenchmark.Config.DEFAULT_READS,
        description = "4 KiB reads per guest in the IO phase, one in flight each (default: ${DEFAULT-VALUE}).")
    private int reads;

    @Option(names = "--frames", paramLabel = "N", defaultValue = "" + DensityBenchmark.Config.DEFAULT_FRAMES,
        description = "64 B frames each guest sends to a partner in the IO phase (default: ${DEFAULT-VALUE}).")
    private int frames;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "" + DensityBenchmark.Config.DEFAULT_WARMUP,
        description = "Guests of an unrecorded warm-up fleet run first, at most --domains (default: ${DEFAULT-VALUE}, "
            + "capped at --domains; 0: none).")
    private int warmup;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the report as JSON to FILE.")
    private Path json;

    @Override
    public Integer call()
    {
        final DensityBenchmark.Config config;
        try
        {
            config = new DensityBenchmark.Config(domains, reads, frames,
                spec.commandLine().getParseResult().hasMatchedOption("--warmup") ? warmup : Math.min(warmup, domains));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ParameterException(spec.commandLine(), ex.getMessage());
        }
        final PrintWriter out = spec.commandLine().getOut();
        final BenchReport report = new DensityBenchmark(config).runAndPrint(out);
        if (json != null)
        {
            report.writeJson(json);
            out.println("wrote " + json);
        }
        out.flush();
        return 0;
    }
}
