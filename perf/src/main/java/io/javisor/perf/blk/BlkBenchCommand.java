package io.javisor.perf.blk;

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
 * {@code javisor bench blk}: see {@link BlkBenchmark}.
 */
@Command(
    name = "blk",
    mixinStandardHelpOptions = true,
    description = {
        "4 KiB random reads and writes on a RAM disk through the PV block path (BlkFront -> blkif ring -> "
            + "BlkBackend busy-spinning on its own thread): QD1 latency percentiles, IOPS at QD 1/8/32, and an "
            + "open-loop run at a fixed rate (latency from each request's intended start), interleaved with the "
            + "same operations on the image directly and an Agrona ping-pong anchor.",
    })
public final class BlkBenchCommand implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    @Option(names = "--seconds", paramLabel = "N", defaultValue = "" + BlkBenchmark.Config.DEFAULT_SECONDS,
        description = "Measured seconds of the interleaved rounds, every kind together (default: ${DEFAULT-VALUE}).")
    private double seconds;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "" + BlkBenchmark.Config.DEFAULT_WARMUP_SECONDS,
        description = "Warm-up seconds: one unrecorded round of everything (default: ${DEFAULT-VALUE}).")
    private double warmup;

    @Option(names = "--rounds", paramLabel = "N", defaultValue = "" + BlkBenchmark.Config.DEFAULT_ROUNDS,
        description = "Interleaved rounds (PV, direct, Agrona) the measured time is cut into (default: ${DEFAULT-VALUE}).")
    private int rounds;

    @Option(names = "--disk-mib", paramLabel = "N", defaultValue = "" + BlkBenchmark.Config.DEFAULT_DISK_MIB,
        description = "RAM disk size in MiB, written once before measuring (default: ${DEFAULT-VALUE}).")
    private int diskMiB;

    @Option(names = "--rate", paramLabel = "OPS_PER_SEC", defaultValue = "0",
        description = "Open-loop rate of PV 4 KiB reads, requests/s on a fixed schedule; latency is measured from "
            + "each request's intended start (coordinated-omission-correct). 0: half the PV QD1 read IOPS of the first round "
            + "(default: ${DEFAULT-VALUE}).")
    private double rate;

    @Option(names = "--open-seconds", paramLabel = "N", defaultValue = "" + BlkBenchmark.Config.DEFAULT_OPEN_LOOP_SECONDS,
        description = "Open-loop run time, shared out over the rounds; 0 skips it (default: ${DEFAULT-VALUE}).")
    private double openSeconds;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the report as JSON to FILE.")
    private Path json;

    @Override
    public Integer call()
    {
        final BlkBenchmark.Config config;
        try
        {
            config = new BlkBenchmark.Config(seconds, warmup, rounds, diskMiB, rate, openSeconds);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ParameterException(spec.commandLine(), ex.getMessage());
        }
        final PrintWriter out = spec.commandLine().getOut();
        final BenchReport report = new BlkBenchmark(config).runAndPrint(out);
        if (json != null)
        {
            report.writeJson(json);
            out.println("wrote " + json);
        }
        out.flush();
        return 0;
    }
}
