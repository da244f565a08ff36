package io.javisor.perf.stubdom;

import io.javisor.blkback.image.DiskImage;
import io.javisor.blkback.image.RawFileImage;
import io.javisor.core.stubdom.StubDomain;
import io.javisor.emulation.board.IrqLine;
import io.javisor.emulation.board.MmioDevice;
import io.javisor.emulation.device.ata.AtaDevice;
import io.javisor.emulation.device.remote.RemoteDeviceModels;
import io.javisor.emulation.device.remote.RemoteDeviceSpec;
import io.javisor.emulation.device.remote.StubChannelKind;
import io.javisor.emulation.device.remote.StubDomainMain;
import io.javisor.emulation.fdt.VirtBoardFdt;
import io.javisor.emulation.guests.DiskIoJob;
import io.javisor.emulation.guests.GuestImages;
import io.javisor.emulation.machine.BootMode;
import io.javisor.emulation.machine.DiskIoRunner;
import io.javisor.emulation.machine.MachineConfig;
import io.javisor.perf.HarnessBenchmark;
import io.javisor.perf.report.BenchReport;
import io.javisor.perf.report.LatencySummary;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * {@code javisor bench stubdom}: what running an HVM guest's ATA disk model, and its virtio-blk, in a
 * stub domain process costs against running them in the hypervisor process.
 * <ul>
 * <li><b>Per exit, from guest code</b>: the disk-io guest reads 4 KiB blocks one at a time (polled,
 * about 2,060 register accesses each); the guest's clock times every request (an HdrHistogram of IO
 * latency per side) and the bus counts the device exits of the timed part, so the cost of one exit is
 * the timed requests' total time over their exits, in-process and through the stub.</li>
 * <li><b>virtio-blk, from guest code</b>: the disk-io guest's 4 KiB reads at QD1 (polled) over
 * virtio-blk, the guest's clock timing each: in-process against the stub domain's (its mailbox, the
 * default; the stub maps the guest's RAM, which the machine then keeps in a tmpfs file, and runs the
 * virtqueue), in alternating rounds so that the machine's load hits both sides alike; the ratio of
 * the p50s.</li>
 * <li><b>Per access, from the host</b>: single reads of the alternate status register timed one by one
 * (an HdrHistogram per side): the model called directly, and the proxy's round trip to the stub.</li>
 * <li><b>The channel</b>: one frame's round trip to another process over a Unix domain socket and
 * over a shared-memory mailbox that both ends spin on, the two ends of the choice; the stub domain's
 * own channel is measured both ways too (a mailbox spun on briefly before parking on the socket, the
 * default, and frames on the socket).</li>
 * </ul>
 * Single-threaded; the stub processes are started and ended here.
 */
public final class StubDomainBenchmark implements HarnessBenchmark
{
    public static final String NAME = "stubdom";

    /** Rounds of the virtio-blk part: each side runs this many times, the sides alternating. */
    static final int VIRTIO_ROUNDS = 3;

    /**
     * @param reads             timed 4 KiB ATA reads per side (after {@code warmupReads} untimed ones)
     * @param warmupReads       untimed reads first, which also warm the stub's JIT
     * @param virtioReads       timed 4 KiB virtio-blk reads per side and round (after {@code virtioWarmupReads})
     * @param virtioWarmupReads untimed virtio-blk reads first in each round (a few exits each: more of them warm the stub)
     * @param accessSamples     single register accesses timed per side
     * @param channelSamples    round trips timed per channel kind
     */
    public record Config(int reads, int warmupReads, int virtioReads, int virtioWarmupReads, int accessSamples, int channelSamples)
    {
        public Config
        {
            if (reads < 1 || reads > 10_000 || virtioReads < 1 || virtioReads > 100_000)
            {
                throw new IllegalArgumentException("reads must be 1..10000 (virtio: 1..100000), got " + reads + " and " + virtioReads);
            }
            if (warmupReads < 0 || warmupReads > 10_000 || virtioWarmupReads < 0 || virtioWarmupReads > 100_000)
            {
                throw new IllegalArgumentException("warm-up reads must be 0..10000 (virtio: 0..100000), got " + warmupReads +
                    " and " + virtioWarmupReads);
            }
            if (accessSamples < 1 || accessSamples > 10_000_000 || channelSamples < 1 || channelSamples > 10_000_000)
            {
                throw new IllegalArgumentException("samples must be 1..10000000, got " + accessSamples + " and " + channelSamples);
            }
        }

        public static Config defaults()
        {
            return new Config(100, 20, 2_000, 2_000, 50_000, 50_000);
        }
    }

    /** One side of the guest IO part. */
    record GuestSide(LatencySummary io, long exits, double nsPerExit)
    {
    }

    /** The virtio-blk part: the reads' latency in-process and through the stub (mailbox), and exits per read through it. */
    record VirtioSides(LatencySummary inProcess, LatencySummary stub, double stubExitsPerRead)
    {
        double ratioP50()
        {
            return (double)stub.p50() / inProcess.p50();
        }
    }

    public record Result(GuestSide inProcess, GuestSide stub, GuestSide stubSocket, VirtioSides virtio, LatencySummary accessInProcess,
        LatencySummary accessStub, LatencySummary accessStubSocket, LatencySummary socket, LatencySummary mailbox)
    {
        public BenchReport toReport(final Config config)
        {
            final BenchReport report = new BenchReport(NAME);
            report.metric("virtio_read_p50_ns_in_process", virtio.inProcess().p50());
            report.metric("virtio_read_p50_ns_stubdom", virtio.stub().p50());
            report.metric("ratio_stub_vs_inprocess_virtio_read_p50", Math.round(virtio.ratioP50() * 100) / 100.0);
            report.metric("virtio_exits_per_read_stubdom", round(virtio.stubExitsPerRead()));
            report.latency("io_virtio_read_in_process", virtio.inProcess(), "reads");
            report.latency("io_virtio_read_stubdom", virtio.stub(), "reads");
            report.metric("exit_ns_in_process", round(inProcess.nsPerExit()));
            report.metric("exit_ns_stubdom", round(stub.nsPerExit()));
            report.metric("ratio_stubdom_vs_in_process_exit", Math.round(stub.nsPerExit() / inProcess.nsPerExit() * 10) / 10.0);
            report.metric("exit_ns_stubdom_socket", round(stubSocket.nsPerExit()));
            report.metric("ratio_stubdom_socket_vs_in_process_exit",
                Math.round(stubSocket.nsPerExit() / inProcess.nsPerExit() * 10) / 10.0);
            report.metric("exits_per_read", Math.round((double)stub.exits() / config.reads()));
            report.latency("io_read_in_process", inProcess.io(), "reads");
            report.latency("io_read_stubdom", stub.io(), "reads");
            report.latency("io_read_stubdom_socket", stubSocket.io(), "reads");
            report.latency("access_in_process", accessInProcess, "accesses");
            report.latency("access_stubdom", accessStub, "accesses");
            report.latency("access_stubdom_socket", accessStubSocket, "accesses");
            report.latency("channel_uds_rtt", socket, "round_trips");
            report.latency("channel_shm_spin_rtt", mailbox, "round_trips");
            report.environment("guest", "disk-io-ata and disk-io-virtio, 4 KiB polled reads at QD1");
            report.environment("virtio_rounds", Integer.toString(VIRTIO_ROUNDS));
            report.environment("channel", "stubdom: a shared-memory mailbox, spin then park on a Unix socket (the default); "
                + "stubdom_socket: 24-byte frames on the Unix socket");
            return report;
        }

        void print(final PrintWriter out)
        {
            out.printf(Locale.ROOT, "%-40s %12s %9s %9s %9s %10s %9s%n", "latency (ns)", "count", "p50", "p99", "p99.9", "max", "mean");
            inProcess.io().printRow(out, "4 KiB read, model in-process", 40);
            stub.io().printRow(out, "4 KiB read, stub domain (mailbox)", 40);
            stubSocket.io().printRow(out, "4 KiB read, stub domain (socket)", 40);
            accessInProcess.printRow(out, "register access, in-process", 40);
            accessStub.printRow(out, "register access, stub domain (mailbox)", 40);
            accessStubSocket.printRow(out, "register access, stub domain (socket)", 40);
            virtio.inProcess().printRow(out, "4 KiB virtio-blk read, in-process", 40);
            virtio.stub().printRow(out, "4 KiB virtio-blk read, stub (mailbox)", 40);
            socket.printRow(out, "channel round trip, unix socket", 40);
            mailbox.printRow(out, "channel round trip, shm mailbox (spin)", 40);
            out.printf(Locale.ROOT, "exit cost from guest code: %.1f ns in-process, %.1f ns through the stub domain's mailbox (%.1fx), "
                + "%.1f ns through its socket (%.1fx); %d exits per read%n", inProcess.nsPerExit(), stub.nsPerExit(),
                stub.nsPerExit() / inProcess.nsPerExit(), stubSocket.nsPerExit(), stubSocket.nsPerExit() / inProcess.nsPerExit(),
                Math.round((double)stub.exits() / stub.io().count()));
            out.printf(Locale.ROOT, "virtio-blk 4 KiB read p50 from guest code: %d ns in-process, %d ns through the stub domain's " +
                "mailbox (%.2fx); %.1f exits per read%n", virtio.inProcess().p50(), virtio.stub().p50(), virtio.ratioP50(),
                virtio.stubExitsPerRead());
            out.flush();
        }

        private static double round(final double value)
        {
            return Math.round(value * 10) / 10.0;
        }
    }

    private final Config config;

    public StubDomainBenchmark(final Config config)
    {
        this.config = config;
    }

    @Override
    public String name()
    {
        return NAME;
    }

    @Override
    public String description()
    {
        return "ATA exit cost and virtio-blk read latency with the device model in a stub domain process vs in-process; " +
            "the channel's round trip";
    }

    @Override
    public BenchReport runAndPrint(final PrintWriter out)
    {
        final Result result = run(out);
        result.print(out);
        return result.toReport(config);
    }

    public Result run(final PrintWriter progress)
    {
        Path dir = null;
        try
        {
            dir = Files.createTempDirectory("javisor-stubdom-bench");
            final Path image = dir.resolve("disk.img");
            try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw"))
            {
                file.setLength(8L << 20);
            }
            final String spec = "format=raw, vdev=hda, access=rw, target=" + image;
            final GuestSide inProcess;
            try (DiskImage disk = RawFileImage.open(image, false))
            {
                inProcess = guestReads(new MachineConfig().addAtaDisk(disk), "disk-io-ata", config.warmupReads, config.reads,
                    "in-process", progress).side();
            }
            final GuestSide stub = stubReads(spec, StubChannelKind.MAILBOX, progress);
            final GuestSide stubSocket = stubReads(spec, StubChannelKind.SOCKET, progress);
            final VirtioSides virtio = virtioReads(image, progress);
            final LatencySummary accessInProcess;
            try (DiskImage disk = RawFileImage.open(image, false))
            {
                final MmioDevice control = new AtaDevice(disk, VirtBoardFdt.ATA_REG_SHIFT, IrqLine.NONE, null, null).controlBlock();
                accessInProcess = accesses(control::read);
            }
            final LatencySummary accessStub = stubAccesses(spec, StubChannelKind.MAILBOX);
            final LatencySummary accessStubSocket = stubAccesses(spec, StubChannelKind.SOCKET);
            progress.printf(Locale.ROOT, "register accesses: in-process p50 %d ns, stub domain p50 %d ns (mailbox), %d ns (socket)%n",
                accessInProcess.p50(), accessStub.p50(), accessStubSocket.p50());
            final LatencySummary socket = LatencySummary.of(ChannelProbe.socketRoundTrips(config.channelSamples / 5, config.channelSamples));
            final LatencySummary mailbox = LatencySummary.of(ChannelProbe.mailboxRoundTrips(config.channelSamples / 5, config.channelSamples));
            progress.printf(Locale.ROOT, "channel round trips: unix socket p50 %d ns, shm spin p50 %d ns%n", socket.p50(), mailbox.p50());
            progress.flush();
            return new Result(inProcess, stub, stubSocket, virtio, accessInProcess, accessStub, accessStubSocket, socket, mailbox);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        finally
        {
            if (dir != null)
            {
                try (var files = Files.list(dir))
                {
                    for (final Path file : files.toList())
                    {
                        Files.deleteIfExists(file);
                    }
                    Files.deleteIfExists(dir);
                }
                catch (final IOException ignored)
                {
                    // A temporary directory left behind is all that can go wrong.
                }
            }
        }
    }

    private GuestSide stubReads(final String spec, final StubChannelKind kind, final PrintWriter progress)
    {
        try (StubDomain domain = StubDomain.start("bench", List.of(RemoteDeviceSpec.ata(spec)), kind, StubDomainMain.class.getName()))
        {
            return guestReads(new MachineConfig().remoteDeviceModels(domain.models()), "disk-io-ata", config.warmupReads, config.reads,
                "stub domain (" + kind + ")", progress).side();
        }
    }

    /** The virtio-blk reads, in-process and through a stub domain (mailbox), in alternating rounds; their histograms merged per side. */
    private VirtioSides virtioReads(final Path image, final PrintWriter progress) throws IOException
    {
        final String spec = "format=raw, vdev=vda, access=rw, target=" + image;
        final Histogram inProcess = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        final Histogram stub = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        long stubExits = 0;
        for (int round = 0; round < VIRTIO_ROUNDS; round++)
        {
            try (DiskImage disk = RawFileImage.open(image, false))
            {
                inProcess.add(guestReads(new MachineConfig().virtioBlk(disk, "vda"), "disk-io-virtio", config.virtioWarmupReads,
                    config.virtioReads, "virtio in-process, round " + round, progress).histogram());
            }
            try (StubDomain domain = StubDomain.start("bench", List.of(RemoteDeviceSpec.virtioBlk(spec)), StubChannelKind.MAILBOX,
                StubDomainMain.class.getName()))
            {
                final GuestReads reads = guestReads(new MachineConfig().remoteDeviceModels(domain.models()), "disk-io-virtio",
                    config.virtioWarmupReads, config.virtioReads, "virtio stub domain (mailbox), round " + round, progress);
                stub.add(reads.histogram());
                stubExits += reads.side().exits();
            }
        }
        return new VirtioSides(LatencySummary.of(inProcess), LatencySummary.of(stub),
            (double)stubExits / ((long)VIRTIO_ROUNDS * config.virtioReads));
    }

    private LatencySummary stubAccesses(final String spec, final StubChannelKind kind)
    {
        try (StubDomain domain = StubDomain.start("bench", List.of(RemoteDeviceSpec.ata(spec)), kind, StubDomainMain.class.getName()))
        {
            final RemoteDeviceModels models = domain.models();
            models.attach(new IrqLine[] {IrqLine.NONE}, () -> { });
            final MmioDevice control = models.windowsOf(0).get(1);
            return accesses(control::read);
        }
    }

    /** One run's reads: their summary and the histogram behind it. */
    private record GuestReads(GuestSide side, Histogram histogram)
    {
    }

    /** {@code reads} timed 4 KiB reads of the disk-io guest {@code guest} after {@code warmupReads} untimed ones. */
    private GuestReads guestReads(final MachineConfig machine, final String guest, final int warmupReads,
        final int reads, final String side, final PrintWriter progress)
    {
        final int count = warmupReads + reads;
        final int[] ops = new int[count];
        final long[] sectors = new long[count];
        for (int i = 0; i < count; i++)
        {
            sectors[i] = (i * 8L * 37) % ((8L << 20) / 512 - 8); // scattered 4 KiB blocks over the image
        }
        final DiskIoJob job = new DiskIoJob(ops, sectors, new long[count], warmupReads, 0);
        final DiskIoRunner.Run run = DiskIoRunner.run(machine.memoryMiB(16).bootMode(BootMode.BARE)
            .kernel(GuestImages.load(guest)), job);
        if (!run.passed())
        {
            throw new IllegalStateException("the disk-io guest did not finish its reads " + side + ": " + run.exit() + "\n" + run.console());
        }
        final Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        double total = 0;
        for (int i = 0; i < run.results().count(); i++)
        {
            final double ns = run.nanos(run.results().end()[i] - run.results().start()[i]);
            histogram.recordValue(Math.max(1, Math.round(ns)));
            total += ns;
        }
        final long exits = run.window().deviceExits();
        final GuestSide result = new GuestSide(LatencySummary.of(histogram), exits, total / exits);
        progress.printf(Locale.ROOT, "guest reads %s: %d timed, p50 %d ns, %d exits, %.1f ns per exit%n", side,
            run.results().count(), result.io().p50(), exits, result.nsPerExit());
        progress.flush();
        return new GuestReads(result, histogram);
    }

    /** One alternate-status read at a time, each timed. */
    private LatencySummary accesses(final AccessRead read)
    {
        final Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        final int warmup = config.accessSamples / 5;
        long sink = 0;
        for (int i = 0; i < warmup + config.accessSamples; i++)
        {
            final long start = System.nanoTime();
            sink += read.read(0, 1);
            final long took = System.nanoTime() - start;
            if (i >= warmup)
            {
                histogram.recordValue(took);
            }
        }
        if (sink == Long.MIN_VALUE)
        {
            throw new IllegalStateException("unreachable: keeps the reads from being optimised away");
        }
        return LatencySummary.of(histogram);
    }

    @FunctionalInterface
    private interface AccessRead
    {
        long read(long offset, int size);
    }
}
