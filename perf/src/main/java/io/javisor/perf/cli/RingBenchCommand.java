package io.javisor.perf.cli;

import io.javisor.perf.report.BenchReport;
import io.javisor.perf.ring.RingBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code javisor bench ring}: see {@link RingBenchmark}.
 */
@Command(
    name = "ring",
    mixinStandardHelpOptions = true,
    description = {
        "Request/response round-trip latency over the Xen shared ring (ring page in guest memory, "
            + "back end an Agrona agent, busy-spinning) against an Agrona OneToOneRingBuffer ping-pong "
            + "of the same payload, interleaved in one run.",
    })
final class RingBenchCommand implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    @Option(names = "--seconds", paramLabel = "N", defaultValue = "" + RingBenchmark.Config.DEFAULT_SECONDS,
        description = "Measured seconds, both transports together (default: ${DEFAULT-VALUE}).")
    private double seconds;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "" + RingBenchmark.Config.DEFAULT_WARMUP_SECONDS,
        description = "Warm-up seconds before measuring, both together (default: ${DEFAULT-VALUE}).")
    private double warmup;

    @Option(names = "--payload", paramLabel = "BYTES", defaultValue = "" + RingBenchmark.Config.DEFAULT_PAYLOAD,
        description = "Request and response size, the ring's entry size (default: ${DEFAULT-VALUE}).")
    private int payload;

    @Option(names = "--round", paramLabel = "N", defaultValue = "" + RingBenchmark.Config.DEFAULT_ROUND_SECONDS,
        description = "Longest round of one transport before switching to the other (default: ${DEFAULT-VALUE}).")
    private double round;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the report as JSON to FILE.")
    private Path json;

    @Override
    public Integer call()
    {
        final RingBenchmark.Config config;
        try
        {
            config = new RingBenchmark.Config(seconds, warmup, payload, round);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ParameterException(spec.commandLine(), ex.getMessage());
        }
        final PrintWriter out = spec.commandLine().getOut();
        final BenchReport report = new RingBenchmark(config).runAndPrint(out);
        if (json != null)
        {
            report.writeJson(json);
            out.println("wrote " + json);
        }
        out.flush();
        return 0;
    }
}
