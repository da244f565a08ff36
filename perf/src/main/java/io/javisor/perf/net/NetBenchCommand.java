package io.javisor.perf.net;

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
 * {@code javisor bench net}: see {@link NetBenchmark}.
 */
@Command(
    name = "net",
    mixinStandardHelpOptions = true,
    description = {
        "Guest-to-guest networking through the PV path (two Java guests' NetFronts -> netif rings -> one NetBackend "
            + "agent busy-spinning on its own thread -> bridge): 64 B ping-pong round-trip percentiles and 64 B / 1500 B "
            + "streaming throughput (frames/s, Gbit/s of frame bytes), interleaved with an Agrona ping-pong anchor.",
    })
public final class NetBenchCommand implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    @Option(names = "--seconds", paramLabel = "N", defaultValue = "" + NetBenchmark.Config.DEFAULT_SECONDS,
        description = "Measured seconds of the interleaved rounds, every phase together (default: ${DEFAULT-VALUE}).")
    private double seconds;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "" + NetBenchmark.Config.DEFAULT_WARMUP_SECONDS,
        description = "Warm-up seconds: one unrecorded round of everything (default: ${DEFAULT-VALUE}).")
    private double warmup;

    @Option(names = "--rounds", paramLabel = "N", defaultValue = "" + NetBenchmark.Config.DEFAULT_ROUNDS,
        description = "Interleaved rounds (ping-pong, streams, Agrona) the measured time is cut into (default: ${DEFAULT-VALUE}).")
    private int rounds;

    @Option(names = "--batch", paramLabel = "FRAMES", defaultValue = "" + NetBenchmark.Config.DEFAULT_BATCH,
        description = "Most frames queued per flush when streaming (default: ${DEFAULT-VALUE}).")
    private int batch;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the report as JSON to FILE.")
    private Path json;

    @Override
    public Integer call()
    {
        final NetBenchmark.Config config;
        try
        {
            config = new NetBenchmark.Config(seconds, warmup, rounds, batch);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ParameterException(spec.commandLine(), ex.getMessage());
        }
        final PrintWriter out = spec.commandLine().getOut();
        final BenchReport report = new NetBenchmark(config).runAndPrint(out);
        if (json != null)
        {
            report.writeJson(json);
            out.println("wrote " + json);
        }
        out.flush();
        return 0;
    }
}
