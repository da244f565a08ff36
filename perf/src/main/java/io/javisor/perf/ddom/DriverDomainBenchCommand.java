package io.javisor.perf.ddom;

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
 * {@code javisor bench driver-domain}: see {@link DriverDomainBenchmark}.
 */
@Command(
    name = "driver-domain",
    mixinStandardHelpOptions = true,
    description = {
        "A block back end in a driver domain process against dom0's: QD1 4 KiB read latency through each (HdrHistogram, "
            + "parking and spinning modes), then the driver domain killed with SIGKILL under a mixed QD8 load: time from "
            + "kill to the guest served again, requests re-issued, acknowledged writes missing from the image.",
    })
public final class DriverDomainBenchCommand implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    @Option(names = "--reads", paramLabel = "N", defaultValue = "20000",
        description = "QD1 reads measured per back end and mode (default: ${DEFAULT-VALUE}).")
    private int reads;

    @Option(names = "--kills", paramLabel = "N", defaultValue = "20",
        description = "Kills with a spare process ready (default: ${DEFAULT-VALUE}).")
    private int kills;

    @Option(names = "--cold-kills", paramLabel = "N", defaultValue = "3",
        description = "Kills without a spare, each restart starting a JVM (default: ${DEFAULT-VALUE}).")
    private int coldKills;

    @Option(names = "--image-mib", paramLabel = "MIB", defaultValue = "64",
        description = "Size of each disk image (default: ${DEFAULT-VALUE}).")
    private int imageMiB;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42", description = "Random blocks and load (default: ${DEFAULT-VALUE}).")
    private long seed;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the report as JSON to FILE.")
    private Path json;

    @Override
    public Integer call()
    {
        final DriverDomainBenchmark.Config config;
        try
        {
            config = new DriverDomainBenchmark.Config(reads, kills, coldKills, imageMiB, seed);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ParameterException(spec.commandLine(), ex.getMessage());
        }
        final PrintWriter out = spec.commandLine().getOut();
        final BenchReport report = new DriverDomainBenchmark(config).runAndPrint(out);
        if (json != null)
        {
            report.writeJson(json);
            out.println("wrote " + json);
        }
        out.flush();
        return 0;
    }
}
