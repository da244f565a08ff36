package io.javisor.perf.ddom;

import io.javisor.blkback.BlkBackend;
import io.javisor.blkback.BlkFront;
import io.javisor.blkback.BlkFrontConfig;
import io.javisor.blkback.image.DiskImages;
import io.javisor.blkback.image.VirtualDevice;
import io.javisor.blkback.wire.BlkifDescriptor;
import io.javisor.core.Domain;
import io.javisor.core.DomainConfig;
import io.javisor.core.Hypervisor;
import io.javisor.core.HypervisorConfig;
import io.javisor.core.driver.DriverDomain;
import io.javisor.core.driver.DriverDomainConfig;
import io.javisor.core.driver.DriverIdle;
import io.javisor.core.driver.DriverVbdSpec;
import io.javisor.netback.NetFront;
import io.javisor.netback.NetFrontConfig;
import io.javisor.perf.HarnessBenchmark;
import io.javisor.perf.report.BenchReport;
import io.javisor.perf.report.LatencySummary;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * {@code javisor bench driver-domain}: a block back end in a driver domain process against dom0's, on
 * one hypervisor over file-backed machine memory (/dev/shm), a Java guest, raw images in the page cache:
 * <ol>
 * <li>read latency: QD1 4 KiB reads at random blocks through the driver domain and through a dom0
 *     {@link BlkBackend} in the same run, interleaved in rounds, HdrHistogram from submit to completion;
 *     twice: each side's parking mode (driver domain PARK, dom0 DENSITY) and each side's spinning mode
 *     (driver domain SPIN, dom0 LATENCY, one after the other so that only one spins at a time);</li>
 * <li>restart: the driver domain (with a spare process) killed with SIGKILL N times under a QD8 mixed
 *     write/read/flush load; the time from the kill to the guest's first request completed after it
 *     reconnected, the requests re-issued, and afterwards every block of the image checked against the
 *     last acknowledged write to it;</li>
 * <li>cold restart: the same without a spare, so that each restart waits for a JVM to start;</li>
 * <li>frames: 64-byte frame round trips between two guests on one dom0 bridge, on one driver domain
 *     bridge, and across a bridge shared between the two ({@link FramePingPong});</li>
 * <li>doorbells: the round trip of the wake-up mechanisms a channel could use ({@link DoorbellProbe}),
 *     the figures behind the choice of a Unix domain socket.</li>
 * </ol>
 */
public final class DriverDomainBenchmark implements HarnessBenchmark
{
    public static final String NAME = "driver-domain";
    private static final int ROUNDS = 10;
    private static final int LOAD_DEPTH = 8;
    private static final int DOORBELL_PINGS = 20_000;
    private static final int POLLED_DOORBELL_PINGS = 2_000;
    /** Frame round trips per path: a quarter of the reads (5,000 by default), at least 100. */
    private static final int FRAME_PINGS_PER_READ = 4;

    /**
     * @param reads     QD1 reads measured per side and mode
     * @param kills     kills with a spare
     * @param coldKills kills without a spare
     * @param imageMiB  size of each image
     * @param seed      the random blocks and the load's choices
     */
    public record Config(int reads, int kills, int coldKills, int imageMiB, long seed)
    {
        public Config
        {
            if (reads < ROUNDS * 10 || reads > 10_000_000)
            {
                throw new IllegalArgumentException("reads must be " + ROUNDS * 10 + "..10000000, got " + reads);
            }
            if (kills < 1 || kills > 1000)
            {
                throw new IllegalArgumentException("kills must be 1..1000, got " + kills);
            }
            if (coldKills < 0 || coldKills > 100)
            {
                throw new IllegalArgumentException("cold kills must be 0..100, got " + coldKills);
            }
            if (imageMiB < 1 || imageMiB > 4096)
            {
                throw new IllegalArgumentException("image size must be 1..4096 MiB, got " + imageMiB);
            }
        }

        public static Config defaults()
        {
            return new Config(20_000, 20, 3, 64, 42);
        }
    }

    private final Config config;

    public DriverDomainBenchmark(final Config config)
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
        return "a block back end in a driver domain process against dom0's: QD1 read latency, restart after kill -9 " +
            "under load (time to serving, requests re-issued, acknowledged writes lost)";
    }

    @Override
    public BenchReport runAndPrint(final PrintWriter out)
    {
        final BenchReport report = new BenchReport(NAME);
        report.environment("reads", config.reads()).environment("kills", config.kills())
            .environment("cold_kills", config.coldKills()).environment("image_mib", config.imageMiB())
            .environment("seed", config.seed());
        try (Rig rig = new Rig(config.imageMiB()))
        {
            out.printf(Locale.ROOT, "QD1 4 KiB random reads, submit to completion, %,d per side, ns%n", config.reads());
            out.printf(Locale.ROOT, "%-46s %12s %9s %9s %9s %10s %9s%n", "back end", "count", "p50", "p99", "p99.9", "max", "mean");
            final LatencySummary[] park = readsInterleaved(rig, DriverIdle.PARK, BlkBackend.Mode.DENSITY);
            park[0].printRow(out, "driver domain process (PARK)", 46);
            park[1].printRow(out, "dom0 BlkBackend (DENSITY)", 46);
            final LatencySummary ddomSpin = readsThroughDriverDomain(rig, DriverIdle.SPIN);
            final LatencySummary dom0Spin = readsThroughDom0(rig, BlkBackend.Mode.LATENCY);
            ddomSpin.printRow(out, "driver domain process (SPIN)", 46);
            dom0Spin.printRow(out, "dom0 BlkBackend (LATENCY)", 46);
            final double ratio = (double)park[0].p50() / park[1].p50();
            final double ratioSpin = (double)ddomSpin.p50() / dom0Spin.p50();
            out.printf(Locale.ROOT, "driver domain / dom0 read p50: %.2f parking, %.2f spinning%n", ratio, ratioSpin);
            report.latency("driver_domain_read", park[0], "reads").latency("dom0_read", park[1], "reads")
                .latency("driver_domain_spin_read", ddomSpin, "reads").latency("dom0_spin_read", dom0Spin, "reads")
                .metric("ratio_driver_domain_vs_dom0_read_p50", round(ratio))
                .metric("ratio_driver_domain_vs_dom0_read_p50_spin", round(ratioSpin));
            out.println();

            final Restarts warm = restarts(rig, true, config.kills());
            warm.print(out, "with a spare process", config.kills());
            final Restarts cold = config.coldKills() == 0 ? null : restarts(rig, false, config.coldKills());
            if (cold != null)
            {
                cold.print(out, "without a spare (a JVM starts)", config.coldKills());
            }
            report.metric("restart_to_serving_p50_ms", round(warm.times.getValueAtPercentile(50) / 1e6))
                .metric("restart_to_serving_max_ms", round(warm.times.getMaxValue() / 1e6))
                .metric("restart_kills", config.kills())
                .metric("acknowledged_writes_lost", warm.lost + (cold == null ? 0 : cold.lost))
                .metric("requests_reissued", warm.reissued + (cold == null ? 0 : cold.reissued))
                .metric("writes_acknowledged", warm.writes + (cold == null ? 0 : cold.writes))
                .metric("requests_completed", warm.completed + (cold == null ? 0 : cold.completed));
            if (cold != null)
            {
                report.metric("cold_restart_to_serving_p50_ms", round(cold.times.getValueAtPercentile(50) / 1e6));
            }
            out.println();
            frames(rig, out, report, Math.max(100, config.reads() / FRAME_PINGS_PER_READ));
            out.println();
            doorbells(out, report);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("bench driver-domain: " + ex.getMessage(), ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("bench driver-domain interrupted");
        }
        out.flush();
        return report;
    }

    /**
     * 64-byte frame round trips between two guests: both on one dom0 bridge, both on one driver domain
     * bridge, and across a bridge shared between dom0 and the driver domain (the frames cross its channel).
     */
    private static void frames(final Rig rig, final PrintWriter out, final BenchReport report, final int pings)
        throws InterruptedException
    {
        final int warmUp = pings / 5;
        out.printf(Locale.ROOT, "64-byte frame round trips between two guests, %,d per path, ns%n", pings);
        out.printf(Locale.ROOT, "%-46s %12s %9s %9s %9s %10s %9s%n", "path", "count", "p50", "p99", "p99.9", "max", "mean");
        final Domain pinging = rig.hypervisor.createDomain(DomainConfig.pv("bench-ping", 4));
        final Domain echoing = rig.hypervisor.createDomain(DomainConfig.pv("bench-echo", 4));
        pinging.unpause();
        echoing.unpause();
        final NetFrontConfig frontConfig = NetFrontConfig.defaults().withBuffers(16, 16);
        try (DriverDomain driver = DriverDomain.start(rig.hypervisor, DriverDomainConfig.of("bench-net").withSpare(false)))
        {
            driver.shareBridge("benchsh0");
            final int dom0Ping = rig.hypervisor.backends().attachVif(pinging, "bridge=benchd0").handle();
            final int dom0Echo = rig.hypervisor.backends().attachVif(echoing, "bridge=benchd0").handle();
            final int ddomPing = driver.attachVif(pinging, "backend=bench-net, bridge=benchdd0").handle();
            final int ddomEcho = driver.attachVif(echoing, "backend=bench-net, bridge=benchdd0").handle();
            final int sharedPing = rig.hypervisor.backends().attachVif(pinging, "bridge=benchsh0").handle();
            final int sharedEcho = driver.attachVif(echoing, "backend=bench-net, bridge=benchsh0").handle();
            driver.awaitActive(60_000);
            final LatencySummary dom0;
            final LatencySummary ddom;
            final LatencySummary shared;
            try (NetFront ping = NetFront.attach(pinging.resources(), 0, dom0Ping, frontConfig);
                 NetFront echo = NetFront.attach(echoing.resources(), 0, dom0Echo, frontConfig))
            {
                dom0 = LatencySummary.of(FramePingPong.run(ping, echo, warmUp, pings));
            }
            try (NetFront ping = NetFront.attach(pinging.resources(), driver.domid(), ddomPing, frontConfig);
                 NetFront echo = NetFront.attach(echoing.resources(), driver.domid(), ddomEcho, frontConfig))
            {
                ddom = LatencySummary.of(FramePingPong.run(ping, echo, warmUp, pings));
            }
            try (NetFront ping = NetFront.attach(pinging.resources(), 0, sharedPing, frontConfig);
                 NetFront echo = NetFront.attach(echoing.resources(), driver.domid(), sharedEcho, frontConfig))
            {
                shared = LatencySummary.of(FramePingPong.run(ping, echo, warmUp, pings));
            }
            dom0.printRow(out, "one dom0 bridge", 46);
            ddom.printRow(out, "one driver domain bridge", 46);
            shared.printRow(out, "a bridge shared by dom0 and the driver domain", 46);
            report.latency("frame_rtt_dom0_bridge", dom0, "pings").latency("frame_rtt_driver_domain_bridge", ddom, "pings")
                .latency("frame_rtt_shared_bridge", shared, "pings")
                .metric("frames_lost", 3L * pings - dom0.count() - ddom.count() - shared.count());
        }
        finally
        {
            rig.hypervisor.destroyDomain(pinging.id());
            rig.hypervisor.destroyDomain(echoing.id());
        }
    }

    private static void doorbells(final PrintWriter out, final BenchReport report) throws IOException, InterruptedException
    {
        out.printf(Locale.ROOT, "doorbells: ping-pong round trip between two threads, ns%n");
        out.printf(Locale.ROOT, "%-46s %12s %9s %9s %9s %10s %9s%n", "mechanism", "count", "p50", "p99", "p99.9", "max", "mean");
        final LatencySummary socket = LatencySummary.of(DoorbellProbe.socket(DOORBELL_PINGS));
        final LatencySummary spin = LatencySummary.of(DoorbellProbe.sharedRings(DOORBELL_PINGS, true));
        final LatencySummary polled = LatencySummary.of(DoorbellProbe.sharedRings(POLLED_DOORBELL_PINGS, false));
        socket.printRow(out, "Unix domain socket, blocking reads", 46);
        spin.printRow(out, "shared-memory rings, readers spinning", 46);
        polled.printRow(out, "shared-memory rings, readers polling (50 us)", 46);
        report.latency("doorbell_socket_rtt", socket, "pings").latency("doorbell_shm_spin_rtt", spin, "pings")
            .latency("doorbell_shm_poll_rtt", polled, "pings");
    }

    private static double round(final double value)
    {
        return Math.round(value * 1000.0) / 1000.0;
    }

    /**
     * The parking pair, interleaved in rounds so that drift in the machine's load falls on both sides.
     */
    private LatencySummary[] readsInterleaved(final Rig rig, final DriverIdle idle, final BlkBackend.Mode mode)
        throws IOException, InterruptedException
    {
        final Histogram ddom = histogram();
        final Histogram dom0 = histogram();
        try (DriverDomain driver = DriverDomain.start(rig.hypervisor, DriverDomainConfig.of("bench-read").withSpare(false).withIdle(idle));
             BlkBackend backend = new BlkBackend(rig.hypervisor.backends().backendResources(), mode, "bench-dom0").start())
        {
            final DriverVbdSpec vbd = driver.attachDisk(rig.guest, "backend=bench-read, format=raw, vdev=xvda, target=" + rig.ddomImage);
            backend.attach(rig.guest.id(), VirtualDevice.deviceId("xvdb"), DiskImages.open("format=raw, vdev=xvdb, target=" + rig.dom0Image), false);
            driver.awaitActive(60_000);
            try (BlkFront viaDriver = attach(rig, driver.domid(), vbd.deviceId());
                 BlkFront viaDom0 = attach(rig, Hypervisor.DOM0, VirtualDevice.deviceId("xvdb")))
            {
                final SplittableRandom random = new SplittableRandom(config.seed());
                final int perRound = config.reads() / ROUNDS;
                warmUp(viaDriver, random);
                warmUp(viaDom0, random);
                for (int round = 0; round < ROUNDS; round++)
                {
                    readInto(viaDriver, random, perRound, ddom);
                    readInto(viaDom0, random, perRound, dom0);
                }
            }
            finally
            {
                for (final var d : backend.devices())
                {
                    backend.detach(d);
                }
            }
        }
        return new LatencySummary[] {LatencySummary.of(ddom), LatencySummary.of(dom0)};
    }

    private LatencySummary readsThroughDriverDomain(final Rig rig, final DriverIdle idle) throws IOException, InterruptedException
    {
        final Histogram histogram = histogram();
        try (DriverDomain driver = DriverDomain.start(rig.hypervisor, DriverDomainConfig.of("bench-spin").withSpare(false).withIdle(idle)))
        {
            final DriverVbdSpec vbd = driver.attachDisk(rig.guest, "backend=bench-spin, format=raw, vdev=xvdc, target=" + rig.ddomImage);
            driver.awaitActive(60_000);
            try (BlkFront front = attach(rig, driver.domid(), vbd.deviceId()))
            {
                final SplittableRandom random = new SplittableRandom(config.seed());
                warmUp(front, random);
                readInto(front, random, config.reads(), histogram);
            }
        }
        return LatencySummary.of(histogram);
    }

    private LatencySummary readsThroughDom0(final Rig rig, final BlkBackend.Mode mode) throws IOException
    {
        final Histogram histogram = histogram();
        try (BlkBackend backend = new BlkBackend(rig.hypervisor.backends().backendResources(), mode, "bench-dom0-spin").start())
        {
            final int deviceId = VirtualDevice.deviceId("xvdd");
            backend.attach(rig.guest.id(), deviceId, DiskImages.open("format=raw, vdev=xvdd, target=" + rig.dom0Image), false);
            try (BlkFront front = attach(rig, Hypervisor.DOM0, deviceId))
            {
                final SplittableRandom random = new SplittableRandom(config.seed());
                warmUp(front, random);
                readInto(front, random, config.reads(), histogram);
            }
            finally
            {
                for (final var d : backend.devices())
                {
                    backend.detach(d);
                }
            }
        }
        return LatencySummary.of(histogram);
    }

    private static BlkFront attach(final Rig rig, final int backendDomid, final int deviceId)
    {
        return BlkFront.attach(rig.guest.resources(), backendDomid, deviceId,
            BlkFrontConfig.defaults().withQueueDepth(1).withSegmentsPerSlot(1).withReconnect(true));
    }

    private void warmUp(final BlkFront front, final SplittableRandom random)
    {
        readInto(front, random, Math.min(5_000, config.reads()), null);
    }

    private static void readInto(final BlkFront front, final SplittableRandom random, final int reads, final Histogram histogram)
    {
        final UnsafeBuffer block = new UnsafeBuffer(new byte[VerifiedDiskLoad.BLOCK]);
        final long blocks = front.sizeInBytes() / VerifiedDiskLoad.BLOCK;
        for (int i = 0; i < reads; i++)
        {
            final long sector = random.nextLong(blocks) * (VerifiedDiskLoad.BLOCK / BlkifDescriptor.SECTOR_SIZE);
            final long start = System.nanoTime();
            final int status = front.readBlocking(sector, 8, block, 0);
            final long took = System.nanoTime() - start;
            if (status != BlkifDescriptor.STATUS_OKAY)
            {
                throw new IllegalStateException("a read failed with status " + status);
            }
            if (histogram != null)
            {
                histogram.recordValue(took);
            }
        }
    }

    private static Histogram histogram()
    {
        return new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
    }

    /** What one restart run measured. */
    private static final class Restarts
    {
        final Histogram times = histogram();
        long lost;
        long reissued;
        long writes;
        long completed;

        void print(final PrintWriter out, final String how, final int kills)
        {
            out.printf(Locale.ROOT, "restart %s: %d kills (SIGKILL) under QD%d writes/reads/flushes; kill to first request " +
                    "served after reconnecting: p50 %.2f ms, max %.2f ms; %,d requests completed, %,d writes acknowledged, " +
                    "%d re-issued, %d acknowledged writes not in the image%n",
                how, kills, LOAD_DEPTH, times.getValueAtPercentile(50) / 1e6, times.getMaxValue() / 1e6, completed, writes,
                reissued, lost);
        }
    }

    private Restarts restarts(final Rig rig, final boolean spare, final int kills) throws IOException, InterruptedException
    {
        final Restarts result = new Restarts();
        final String name = spare ? "bench-restart" : "bench-cold";
        final SplittableRandom random = new SplittableRandom(config.seed() + (spare ? 1 : 2));
        try (DriverDomain driver = DriverDomain.start(rig.hypervisor, DriverDomainConfig.of(name).withSpare(spare)))
        {
            final String vdev = spare ? "xvde" : "xvdf";
            final DriverVbdSpec vbd = driver.attachDisk(rig.guest, "backend=" + name + ", format=raw, vdev=" + vdev +
                ", target=" + rig.ddomImage);
            driver.awaitActive(60_000);
            final BlkFront front = BlkFront.attach(rig.guest.resources(), driver.domid(), vbd.deviceId(),
                BlkFrontConfig.defaults().withQueueDepth(LOAD_DEPTH).withSegmentsPerSlot(1).withReconnect(true));
            final int blocks = (int)Math.min(4096, front.sizeInBytes() / VerifiedDiskLoad.BLOCK);
            zero(rig.ddomImage, blocks);
            final VerifiedDiskLoad load = new VerifiedDiskLoad(front, config.seed(), blocks);
            final Thread guest = Thread.ofPlatform().name("bench-guest").start(load);
            try
            {
                for (int kill = 0; kill < kills; kill++)
                {
                    if (spare)
                    {
                        driver.awaitSpare(120_000);
                    }
                    awaitProgress(load, 200);
                    Thread.sleep(10 + random.nextInt(40));
                    final Process victim = driver.awaitActive(120_000);
                    final long served = load.reconnectsServed();
                    final long killed = System.nanoTime();
                    victim.destroyForcibly();
                    final long deadline = killed + TimeUnit.SECONDS.toNanos(120);
                    while (load.reconnectsServed() == served && System.nanoTime() < deadline && load.failure() == null)
                    {
                        // The load thread stamps the time; this thread only must not take a core from the restart.
                        LockSupport.parkNanos(100_000);
                    }
                    if (load.reconnectsServed() == served)
                    {
                        throw new IllegalStateException("the guest was not served again after kill " + (kill + 1) +
                            (load.failure() == null ? "" : ": " + load.failure()) + " (see " + driver.log() + ")");
                    }
                    result.times.recordValue(load.lastServedAfterReconnectNanos() - killed);
                }
            }
            finally
            {
                load.stop();
                guest.join(60_000);
            }
            if (load.failure() != null)
            {
                throw new IllegalStateException("the guest's load failed: " + load.failure());
            }
            result.reissued = front.requestsReissued();
            front.close();
            result.lost = load.acknowledgedWritesLost(rig.ddomImage);
            result.writes = load.writesAcknowledged();
            result.completed = load.completed();
        }
        return result;
    }

    private static void awaitProgress(final VerifiedDiskLoad load, final long requests) throws InterruptedException
    {
        final long target = load.completed() + requests;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (load.completed() < target && System.nanoTime() < deadline && load.failure() == null)
        {
            Thread.sleep(1);
        }
    }

    private static void zero(final Path image, final int blocks) throws IOException
    {
        try (FileChannel file = FileChannel.open(image, StandardOpenOption.WRITE))
        {
            final ByteBuffer zeros = ByteBuffer.allocate(blocks * VerifiedDiskLoad.BLOCK);
            while (zeros.hasRemaining())
            {
                file.write(zeros, zeros.position());
            }
        }
    }

    /**
     * The hypervisor over /dev/shm, the guest and the two images (random content, so in the page cache).
     */
    private static final class Rig implements AutoCloseable
    {
        final Path directory;
        final Path ddomImage;
        final Path dom0Image;
        final Hypervisor hypervisor;
        final Domain guest;

        Rig(final int imageMiB) throws IOException
        {
            directory = Files.createTempDirectory("javisor-bench-ddom-");
            ddomImage = directory.resolve("driver-domain.img");
            dom0Image = directory.resolve("dom0.img");
            fill(ddomImage, imageMiB);
            fill(dom0Image, imageMiB);
            final Path shm = Files.isDirectory(Path.of("/dev/shm")) ? Path.of("/dev/shm") : directory;
            hypervisor = new Hypervisor(HypervisorConfig.defaults().withMachineMemoryMiB(128)
                .withMachineMemoryFile(shm.resolve("javisor-bench-ddom-" + ProcessHandle.current().pid())));
            guest = hypervisor.createDomain(DomainConfig.pv("bench-guest", 16));
            guest.unpause();
        }

        private static void fill(final Path image, final int mib) throws IOException
        {
            final SplittableRandom random = new SplittableRandom(mib);
            final ByteBuffer chunk = ByteBuffer.allocate(1 << 20);
            try (FileChannel file = FileChannel.open(image, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))
            {
                for (int i = 0; i < mib; i++)
                {
                    chunk.clear();
                    while (chunk.hasRemaining())
                    {
                        chunk.putLong(random.nextLong());
                    }
                    chunk.flip();
                    while (chunk.hasRemaining())
                    {
                        file.write(chunk);
                    }
                }
            }
        }

        @Override
        public void close() throws IOException
        {
            hypervisor.close();
            try (Stream<Path> files = Files.walk(directory))
            {
                for (final Path path : files.sorted(Comparator.reverseOrder()).toList())
                {
                    Files.deleteIfExists(path);
                }
            }
        }
    }
}
