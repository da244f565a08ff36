package io.javisor.perf.stubdom;

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
 * {@code javisor bench stubdom}: see {@link StubDomainBenchmark}. A guest or stub that misbehaves
 * fails the command with one line naming it.
 */
@Command(
    name = "stubdom",
    mixinStandardHelpOptions = true,
    description = {
        "The cost of an ATA device-register exit with the model in a stub domain process against in-process: "
            + "the disk-io guest's 4 KiB polled reads timed by the guest, single register accesses timed by the host, "
            + "and the round trip of the channel (Unix socket) against a spinning shared-memory mailbox.",
    })
public final class StubDomainBenchCommand implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    @Option(names = "--reads", paramLabel = "N", defaultValue = "100", description = "Timed 4 KiB reads per side (default: ${DEFAULT-VALUE}).")
    private int reads;

    @Option(names = "--warmup-reads", paramLabel = "N", defaultValue = "20", description = "Untimed reads first (default: ${DEFAULT-VALUE}).")
    private int warmupReads;

    @Option(names = "--virtio-reads", paramLabel = "N", defaultValue = "2000",
        description = "Timed 4 KiB virtio-blk reads per side and round (default: ${DEFAULT-VALUE}).")
    private int virtioReads;

    @Option(names = "--virtio-warmup-reads", paramLabel = "N", defaultValue = "2000",
        description = "Untimed virtio-blk reads first in each round (default: ${DEFAULT-VALUE}).")
    private int virtioWarmupReads;

    @Option(names = "--samples", paramLabel = "N", defaultValue = "50000",
        description = "Timed register accesses and channel round trips per side (default: ${DEFAULT-VALUE}).")
    private int samples;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the report as JSON to FILE.")
    private Path json;

    @Override
    public Integer call()
    {
        final StubDomainBenchmark.Config config;
        try
        {
            config = new StubDomainBenchmark.Config(reads, warmupReads, virtioReads, virtioWarmupReads, samples, samples);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ParameterException(spec.commandLine(), ex.getMessage());
        }
        final PrintWriter out = spec.commandLine().getOut();
        final BenchReport report;
        try
        {
            report = new StubDomainBenchmark(config).runAndPrint(out);
        }
        catch (final IllegalStateException | io.javisor.emulation.device.remote.StubDomainException ex)
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
