package io.javisor.perf.density;

import io.javisor.core.BackendThreading;
import io.javisor.core.DomainState;
import io.javisor.core.Hypervisor;
import io.javisor.core.HypervisorConfig;
import io.javisor.netback.bridge.Bridge;
import io.javisor.perf.cli.JavisorMain;
import io.javisor.perf.report.BenchReport;
import io.javisor.perf.report.MiniJson;
import io.javisor.perf.report.ReportAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DensityBenchmarkTest
{
    private static final int DOMAINS = 50;
    private static final int READS = 3;
    private static final int FRAMES = 2;

    /**
     * A run of 50 guests reports every guest created and destroyed, every read and frame done, and
     * nothing left behind; its JSON has the common shape and no verdict.
     */
    @Test
    void aSmallRunIsConsistent()
    {
        final StringWriter table = new StringWriter();
        final BenchReport report = new DensityBenchmark(new DensityBenchmark.Config(DOMAINS, READS, FRAMES, 10))
            .runAndPrint(new PrintWriter(table));

        final Map<?, ?> root = assertInstanceOf(Map.class, MiniJson.parse(report.toJson()));
        assertEquals("density", root.get("benchmark"));
        final Map<?, ?> metrics = assertInstanceOf(Map.class, root.get("metrics"));
        final Map<?, ?> environment = assertInstanceOf(Map.class, root.get("environment"));
        assertNotNull(environment.get("java_version"));
        assertEquals("SHARED", environment.get("backend_threading"));

        assertEquals(DOMAINS, number(metrics, "domains"), "every guest created");
        assertEquals(DOMAINS, number(metrics, "destroyed"), "every guest destroyed");
        assertEquals(DOMAINS * READS, number(metrics, "reads"));
        assertEquals(0, number(metrics, "read_errors"));
        assertEquals(DOMAINS * FRAMES, number(metrics, "frames"));
        assertEquals(0, number(metrics, "frame_drops"));
        for (final String key : new String[]{ "leftover_threads", "leftover_xenstore_nodes", "leftover_machine_frames",
            "leftover_dom0_pages", "domains_not_gone" })
        {
            assertEquals(0, number(metrics, key), key + "\n" + table);
        }
        for (final String kind : new String[]{ "create", "destroy" })
        {
            final double p50 = number(metrics, kind + "_p50_us");
            final double p99 = number(metrics, kind + "_p99_us");
            final double max = number(metrics, kind + "_max_us");
            assertTrue(0 < p50 && p50 <= p99 && p99 <= max, kind + " percentiles in order: " + p50 + " " + p99 + " " + max);
        }
        final double steps = number(metrics, "create_domain_p50_us") + number(metrics, "attach_disk_p50_us")
            + number(metrics, "attach_vif_p50_us") + number(metrics, "connect_disk_p50_us") + number(metrics, "connect_nic_p50_us");
        assertTrue(steps > 0, "each step is timed");
        assertTrue(number(metrics, "host_bytes_per_domain") > 0);
        assertEquals(number(metrics, "host_bytes_per_domain"), number(metrics, "heap_bytes_per_domain")
            + number(metrics, "direct_bytes_per_domain") + number(metrics, "frame_bytes_per_domain"), 3.0, "the parts add up");
        assertTrue(number(metrics, "aggregate_iops") > 0 && number(metrics, "aggregate_frames_per_s") > 0);
        assertTrue(table.toString().contains("create (all steps)"), table.toString());
        ReportAssertions.assertNoVerdicts(table.toString(), metrics);
    }

    /**
     * Counted from the outside, as the core leak tests count: after a fleet is created, driven and
     * destroyed, the machine's free frames, dom0's pages, xenstore's nodes, the process's threads and
     * open files, and the bridge's ports are where they were, and no domain but dom0 is left.
     */
    @Test
    void aFleetLeavesNothingBehind() throws Exception
    {
        try (Hypervisor hypervisor = new Hypervisor(HypervisorConfig.defaults()
            .withMachineMemoryMiB(DensityBenchmark.machineMemoryMiB(DOMAINS))
            .withDom0EventChannels(DensityBenchmark.dom0EventChannels(DOMAINS))
            .withBackendThreading(BackendThreading.SHARED)))
        {
            cycle(hypervisor, 2); // what lives on by design: bridge xenbr0
            final Counts before = Counts.of(hypervisor);
            final GuestFleet fleet = cycle(hypervisor, DOMAINS);
            assertEquals(before, Counts.of(hypervisor));
            assertEquals(1, hypervisor.domains().size(), "only dom0");
            for (int i = 0; i < DOMAINS; i++)
            {
                assertEquals(DomainState.GONE, fleet.guest(i).domain().state(), "guest " + i);
                assertEquals(0, fleet.guest(i).readsLeft(), "guest " + i + " did its reads");
                assertEquals(FRAMES, fleet.guest(i).framesReceived(), "guest " + i + " got its partner's frames");
            }
        }
    }

    private static GuestFleet cycle(final Hypervisor hypervisor, final int domains) throws InterruptedException
    {
        final GuestFleet fleet = new GuestFleet(hypervisor, domains);
        try
        {
            for (int i = 0; i < domains; i++)
            {
                fleet.createNext();
            }
            assertEquals(domains + 1, hypervisor.domains().size());
            assertEquals(domains * READS, fleet.readAll(READS, 42).operations());
            assertEquals(domains * FRAMES, fleet.sendAll(FRAMES).operations());
        }
        finally
        {
            fleet.destroyAll();
        }
        assertEquals(0, fleet.awaitGone(TimeUnit.SECONDS.toNanos(10)));
        return fleet;
    }

    private record Counts(long freeFrames, int dom0FreePages, int xenstoreNodes, long threads, long openFiles, int bridgePorts)
    {
        static Counts of(final Hypervisor hypervisor) throws IOException
        {
            final HostFootprint footprint = HostFootprint.measure(hypervisor);
            final Bridge bridge = hypervisor.backends().bridges().get("xenbr0");
            try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd")))
            {
                return new Counts(hypervisor.freeFrames(), hypervisor.dom0().resources().pages().freeFrames(),
                    footprint.xenstoreNodes(), footprint.threads(), fds.count(), bridge == null ? 0 : bridge.portCount());
            }
        }
    }

    @Test
    void badOptionsAreOneLineErrors()
    {
        for (final String[] args : new String[][]{
            { "bench", "density", "--domains", "1" },
            { "bench", "density", "--domains", "10", "--warmup", "20" },
            { "bench", "density", "--reads", "-1" },
            { "bench", "density", "--frames", "x" } })
        {
            final StringWriter err = new StringWriter();
            final var commandLine = JavisorMain.commandLine();
            commandLine.setOut(new PrintWriter(new StringWriter()));
            commandLine.setErr(new PrintWriter(err));
            assertEquals(2, commandLine.execute(args), String.join(" ", args));
            assertEquals(1, err.toString().strip().lines().count(), "one line: " + err);
            final String option = args[args.length - 2].substring(2);
            assertTrue(err.toString().contains(option) || err.toString().contains(option.replace("warmup", "warm-up")),
                err.toString());
        }
        assertThrows(IllegalArgumentException.class, () -> new DensityBenchmark.Config(DensityBenchmark.Config.MAX_DOMAINS + 1, 1, 1, 0));
    }

    @Test
    void theCommandListsItsOptionsAndRunsInThePlainBench()
    {
        final StringWriter out = new StringWriter();
        final var commandLine = JavisorMain.commandLine();
        commandLine.setOut(new PrintWriter(out));
        assertEquals(0, commandLine.execute("bench", "density", "--help"));
        for (final String option : new String[]{ "--domains", "--reads", "--frames", "--warmup", "--json" })
        {
            assertTrue(out.toString().contains(option), out.toString());
        }
        assertTrue(io.javisor.perf.HarnessBenchmarks.all().stream().anyMatch(b -> b.name().equals(DensityBenchmark.NAME)));
    }

    @Test
    void writesItsJsonReport(@TempDir final Path dir) throws IOException
    {
        final Path json = dir.resolve("density.json");
        final StringWriter err = new StringWriter();
        final var commandLine = JavisorMain.commandLine();
        commandLine.setOut(new PrintWriter(new StringWriter()));
        commandLine.setErr(new PrintWriter(err));
        assertEquals(0, commandLine.execute("bench", "density", "--domains", "4", "--warmup", "0", "--json", json.toString()),
            err.toString());
        final Map<?, ?> root = assertInstanceOf(Map.class, MiniJson.parse(Files.readString(json)));
        final Map<?, ?> metrics = assertInstanceOf(Map.class, root.get("metrics"));
        for (final String key : new String[]{ "domains", "create_p50_us", "create_p99_us", "host_bytes_per_domain",
            "aggregate_iops", "destroy_p50_us" })
        {
            assertNotNull(metrics.get(key), key);
        }
        assertEquals(4.0, number(metrics, "domains"));
    }

    private static double number(final Map<?, ?> map, final String key)
    {
        final Object value = map.get(key);
        assertNotNull(value, "missing key " + key);
        return assertInstanceOf(Double.class, value, key).doubleValue();
    }
}
