package io.javisor.perf.sched;

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
 * {@code javisor bench sched}: see {@link SchedBenchmark}.
 */
@Command(
    name = "sched",
    mixinStandardHelpOptions = true,
    description = {
        "The credit scheduler with guest code: two spinning PV guests at weights 256 and 512 on one worker (run-time "
            + "and instruction shares against 1/3 and 2/3), a guest capped at 25 alone and beside another (its share of a "
            + "CPU), the wake-up latency of a blocked vCPU with the pool idle and busy (HdrHistogram percentiles), and the "
            + "scheduling overhead per slice switch at N runnable spinning guests.",
    })
public final class SchedBenchCommand implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    @Option(names = "--seconds", paramLabel = "S", defaultValue = "10",
        description = "Measured time of each share, cap and overhead run (default: ${DEFAULT-VALUE}).")
    private double seconds;

    @Option(names = "--vcpus", paramLabel = "N", defaultValue = "1000",
        description = "Spinning guests in the overhead run (default: ${DEFAULT-VALUE}).")
    private int vcpus;

    @Option(names = "--overhead-slice-us", paramLabel = "US", defaultValue = "1000",
        description = "The time slice in the overhead run, in microseconds (default: ${DEFAULT-VALUE}).")
    private long overheadSliceMicros;

    @Option(names = "--wakes", paramLabel = "N", defaultValue = "2000",
        description = "Wake-ups measured with the pool idle and busy (default: ${DEFAULT-VALUE}).")
    private int wakes;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the report as JSON to FILE.")
    private Path json;

    @Override
    public Integer call()
    {
        final SchedBenchmark.Config config;
        try
        {
            config = new SchedBenchmark.Config(seconds, vcpus, overheadSliceMicros * 1000, wakes);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ParameterException(spec.commandLine(), ex.getMessage());
        }
        final PrintWriter out = spec.commandLine().getOut();
        final BenchReport report = new SchedBenchmark(config).runAndPrint(out);
        if (json != null)
        {
            report.writeJson(json);
            out.println("wrote " + json);
        }
        out.flush();
        return 0;
    }
}
