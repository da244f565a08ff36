package io.javisor.perf.cli;

import io.javisor.perf.io.IoBenchmark;
import io.javisor.perf.io.IoRequests;
import io.javisor.perf.io.IoTrace;
import io.javisor.perf.io.IoVariant;
import io.javisor.perf.io.IoVariants;
import io.javisor.perf.io.Replay;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code javisor replay TRACE --variant V}: re-issues the requests of a {@code bench io} trace
 * against a variant, open loop at the recorded times (see {@link Replay}), and writes what it issued
 * as a trace of its own.
 */
@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    description = {
        "Re-issue the IO requests of a `bench io` trace (a Chronicle Queue directory) against a variant, open loop "
            + "at their recorded intended starts: same ops, sectors and sizes, in the same order. Prints latency from "
            + "each request's intended start and from its actual start, and writes the replayed requests as a trace."
    })
final class ReplayCommand implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "TRACE", description = "The trace directory (bench io writes <out>/trace).")
    private Path trace;

    @Option(names = "--variant", paramLabel = "KEY", required = true,
        description = "Where to issue them: java_pv, pv_domain, pv_on_hvm, javisor_virtio, javisor_ata, qemu_virtio.")
    private String variant;

    @Option(names = "--source", paramLabel = "KEY",
        description = "Whose requests to replay (default: the trace's first variant).")
    private String source;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "0", description = "Replay at most N requests (default: all).")
    private int limit;

    @Option(names = "--disk-mib", paramLabel = "N", defaultValue = "" + IoBenchmark.Config.DEFAULT_DISK_MIB,
        description = "Disk size in MiB, grown to reach every sector of the trace (default: ${DEFAULT-VALUE}).")
    private int diskMiB;

    @Option(names = "--timebase-hz", paramLabel = "HZ", defaultValue = "" + IoBenchmark.Config.DEFAULT_TIMEBASE_HZ,
        description = "javisor's board time base for guest-code variants (default: ${DEFAULT-VALUE}).")
    private long timebaseHz;

    @Option(names = "--interrupts", description = "Interrupt-driven guest drivers (default: polled).")
    private boolean interrupts;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "2000",
        description = "Replay the first N requests twice, unrecorded, before the replay (default: ${DEFAULT-VALUE}; 0: none).")
    private int warmup;

    @Option(names = "--trace-out", paramLabel = "DIR", description = "Where to write the replayed requests as a trace "
        + "(default: TRACE-replay-<variant> beside TRACE).")
    private Path traceOut;

    @Override
    public Integer call()
    {
        final PrintWriter out = spec.commandLine().getOut();
        final List<IoTrace.Entry> entries;
        final IoRequests requests;
        final IoVariant target;
        final String from;
        try
        {
            entries = IoTrace.read(trace);
            if (entries.isEmpty())
            {
                throw new IllegalArgumentException("the trace at " + trace + " is empty");
            }
            from = source != null ? source : entries.getFirst().variant();
            requests = Replay.requests(Replay.select(entries, from, limit));
            target = IoVariants.of(variant, timebaseHz, interrupts);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ParameterException(spec.commandLine(), ex.getMessage());
        }
        final long diskBytes = Replay.diskBytes(requests, (long)diskMiB << 20);
        out.printf(Locale.ROOT, "replay: %,d requests of %s from %s against %s (%s), open loop over %.3f s%n",
            requests.count(), from, trace, target.key(), target.label(), requests.intendedNs(requests.count() - 1) / 1e9);
        out.flush();
        final Replay.Result result;
        try
        {
            result = Replay.run(from, requests, target, diskBytes, warmup);
        }
        catch (final IllegalStateException ex)
        {
            spec.commandLine().getErr().println("replay: " + ex.getMessage());
            return 1;
        }
        final Path outDir = traceOut != null ? traceOut :
            trace.toAbsolutePath().resolveSibling(trace.getFileName() + "-replay-" + target.key());
        try (IoTrace.Writer writer = IoTrace.create(outDir))
        {
            writer.append(target.key(), 0, result.run().log(), 0);
        }
        out.printf(Locale.ROOT, "%-36s %12s %9s %9s %9s %10s %9s%n", "latency, ns", "requests", "p50", "p99", "p99.9", "max", "mean");
        result.fromIntended().printRow(out, "from intended start", 36);
        result.fromStart().printRow(out, "from actual start (service time)", 36);
        out.printf(Locale.ROOT, "%,d of %,d requests started more than 1 us after their intended start; %d errors%n",
            result.late(), result.run().log().count(), result.run().failures());
        out.println("wrote " + outDir);
        out.flush();
        return result.run().failures() == 0 ? 0 : 1;
    }
}
