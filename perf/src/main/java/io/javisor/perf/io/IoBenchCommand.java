package io.javisor.perf.io;

import io.javisor.perf.report.BenchReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code javisor bench io}: see {@link IoBenchmark}.
 */
@Command(
    name = "io",
    mixinStandardHelpOptions = true,
    description = {
        "4 KiB random block IO over every path from a guest to a disk, in interleaved rounds of one run: "
            + "1 Java guest -> PV (BlkFront/BlkBackend), 2 RISC-V guest -> PV domain and 3 -> PV-on-HVM (when their guest "
            + "is built), 4 RISC-V guest -> virtio-blk and 5 -> emulated ATA PIO on javisor, 6 the same virtio guest ELF on "
            + "QEMU TCG. QD1 read and write latency percentiles, IOPS at QD1 and at the deepest queue, exits and guest "
            + "instructions per IO. Writes one .hlog per variant, an HTML report and a Chronicle Queue trace of every "
            + "request (for `javisor replay`) into --out.",
    })
public final class IoBenchCommand implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    @Option(names = "--rounds", paramLabel = "N", defaultValue = "" + IoBenchmark.Config.DEFAULT_ROUNDS,
        description = "Measured rounds, every variant once each (default: ${DEFAULT-VALUE}).")
    private int rounds;

    @Option(names = "--warmup-rounds", paramLabel = "N", defaultValue = "" + IoBenchmark.Config.DEFAULT_WARMUP_ROUNDS,
        description = "Unrecorded rounds first (default: ${DEFAULT-VALUE}).")
    private int warmupRounds;

    @Option(names = "--requests", paramLabel = "N", defaultValue = "" + IoBenchmark.Config.DEFAULT_REQUESTS,
        description = "Timed QD1 reads, and as many writes, per variant per round (default: ${DEFAULT-VALUE}).")
    private int requests;

    @Option(names = "--warmup-requests", paramLabel = "N", defaultValue = "" + IoBenchmark.Config.DEFAULT_WARMUP_REQUESTS,
        description = "Untimed reads before them in each run (default: ${DEFAULT-VALUE}).")
    private int warmupRequests;

    @Option(names = "--deep-seconds", paramLabel = "S", defaultValue = "" + IoBenchmark.Config.DEFAULT_DEEP_SECONDS,
        description = "Closed loop at the deepest queue (reads, then writes) per round, for variants deeper than QD1 "
            + "(default: ${DEFAULT-VALUE}; 0 skips it).")
    private double deepSeconds;

    @Option(names = "--disk-mib", paramLabel = "N", defaultValue = "" + IoBenchmark.Config.DEFAULT_DISK_MIB,
        description = "Disk size of each variant in MiB (default: ${DEFAULT-VALUE}).")
    private int diskMiB;

    @Option(names = "--timebase-hz", paramLabel = "HZ", defaultValue = "" + IoBenchmark.Config.DEFAULT_TIMEBASE_HZ,
        description = "javisor's board time base for guest-code timing, dividing 1 GHz (default: ${DEFAULT-VALUE}; QEMU stays 10 MHz).")
    private long timebaseHz;

    @Option(names = "--interrupts", description = "Interrupt-driven guest drivers (default: polled).")
    private boolean interrupts;

    @Option(names = "--variant", paramLabel = "KEY", split = ",",
        description = "Run only these variants: java_pv, pv_domain, pv_on_hvm, javisor_virtio, javisor_ata, qemu_virtio.")
    private List<String> variants = new ArrayList<>();

    @Option(names = "--net-pings", paramLabel = "N", defaultValue = "" + NetConfig.DEFAULT_PINGS,
        description = "Timed 64 B round trips per net variant per round (default: ${DEFAULT-VALUE}; 0 leaves the network out).")
    private int netPings;

    @Option(names = "--net-stream-frames", paramLabel = "N", defaultValue = "" + NetConfig.DEFAULT_STREAM_FRAMES,
        description = "Frames per stream, 64 B and 1500 B, per net variant per round (default: ${DEFAULT-VALUE}).")
    private int netStreamFrames;

    @Option(names = "--out", paramLabel = "DIR", description = "Where the .hlog files, io-report.html and the trace go "
        + "(default: <tmpdir>/javisor-bench-io).")
    private Path out;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the report as JSON to FILE.")
    private Path json;

    @Override
    public Integer call()
    {
        final IoBenchmark benchmark;
        try
        {
            benchmark = new IoBenchmark(new IoBenchmark.Config(rounds, warmupRounds, warmupRequests, requests, deepSeconds,
                diskMiB, timebaseHz, interrupts, out == null ? IoBenchmark.Config.defaultOutDir() : out),
                variants.isEmpty() ? IoVariants.KEYS : variants,
                netPings == 0 ? NetConfig.NONE : new NetConfig(NetConfig.DEFAULT_WARMUP_PINGS, netPings, netStreamFrames));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ParameterException(spec.commandLine(), ex.getMessage());
        }
        final PrintWriter output = spec.commandLine().getOut();
        final BenchReport report = benchmark.runAndPrint(output);
        if (json != null)
        {
            report.writeJson(json);
            output.println("wrote " + json);
        }
        output.flush();
        return 0;
    }
}
