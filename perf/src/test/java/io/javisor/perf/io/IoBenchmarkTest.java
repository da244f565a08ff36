package io.javisor.perf.io;

import io.javisor.emulation.reference.QemuRunner;
import io.javisor.perf.report.MiniJson;
import io.javisor.perf.report.ReportAssertions;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bench io} on a tiny run of every variant: each path that can run here is measured side by
 * side on the same requests, and the report, the interval logs and the trace agree with each other.
 */
class IoBenchmarkTest
{
    private final TinyIoRun run = TinyIoRun.get();

    /** The variants that must have run on this machine: the javisor ones always, QEMU's where QEMU is. */
    private static List<String> expectedMeasured()
    {
        final List<String> keys = new ArrayList<>(List.of(IoVariants.JAVA_PV, IoVariants.PV_DOMAIN, IoVariants.PV_ON_HVM,
            IoVariants.JAVISOR_VIRTIO, IoVariants.JAVISOR_ATA));
        if (QemuRunner.isAvailable())
        {
            keys.add(IoVariants.QEMU_VIRTIO);
        }
        return keys;
    }

    @Test
    void everyVariantThatCanRunHereIsMeasuredWithPercentilesInOrder()
    {
        final Map<?, ?> metrics = metrics();
        for (final String key : expectedMeasured())
        {
            for (final String op : new String[] {"read", "write"})
            {
                final String prefix = key + "_" + op + "_qd1";
                assertEquals(TinyIoRun.REQUESTS * TinyIoRun.ROUNDS, number(metrics, prefix + "_requests"), prefix);
                final double p50 = number(metrics, prefix + "_p50_ns");
                final double p99 = number(metrics, prefix + "_p99_ns");
                final double p999 = number(metrics, prefix + "_p999_ns");
                final double max = number(metrics, prefix + "_max_ns");
                assertTrue(p50 > 0 && p50 <= p99 && p99 <= p999 && p999 <= max, prefix + ": " + p50 + " " + p99 + " " + p999 + " " + max);
                assertTrue(number(metrics, prefix + "_iops") > 0, prefix + " IOPS");
            }
            assertEquals(0.0, number(metrics, key + "_errors"), key + ": every request answered OK, every checked read matched");
        }
        for (final String key : expectedMeasured())
        {
            if (key.equals(IoVariants.JAVISOR_ATA))
            {
                assertFalse(metrics.containsKey(key + "_read_qd32_iops"), "ATA has no queue: QD1 only");
                continue;
            }
            assertTrue(number(metrics, key + "_read_qd32_iops") > 0 && number(metrics, key + "_write_qd32_iops") > 0,
                key + " is also measured at its deepest queue");
        }
    }

    @Test
    void exitsAndInstructionsPerIoComeFromWhereTheyCanBeCounted()
    {
        final Map<?, ?> metrics = metrics();
        // A polled virtio driver's only device access per request is its queue notify.
        assertEquals(1.0, number(metrics, "javisor_virtio_exits_per_io"));
        // PIO moves a 4 KiB block as 2048 16-bit data register accesses, plus the command and status registers.
        assertTrue(number(metrics, "javisor_ata_exits_per_io") > 2048, "ATA exits per IO");
        assertEquals(0.0, number(metrics, "java_pv_exits_per_io"), "a Java guest has no vCPU");
        // blkback's busy-spinning agent keeps its ring events disarmed: a polled blkfront never notifies it.
        for (final String pv : List.of(IoVariants.PV_DOMAIN, IoVariants.PV_ON_HVM))
        {
            assertTrue(number(metrics, pv + "_exits_per_io") < 0.05, pv + " exits per IO: " + number(metrics, pv + "_exits_per_io"));
            assertTrue(number(metrics, pv + "_instructions_per_io") > 0, pv + " instructions per IO");
        }
        assertTrue(number(metrics, "javisor_virtio_instructions_per_io") > 0);
        assertTrue(number(metrics, "javisor_ata_instructions_per_io") > number(metrics, "javisor_virtio_instructions_per_io"),
            "the PIO driver copies every word itself");
        assertFalse(metrics.containsKey("java_pv_instructions_per_io"));
        assertFalse(metrics.containsKey("qemu_virtio_exits_per_io"), "QEMU's exits are not observable");
        assertFalse(metrics.containsKey("qemu_virtio_instructions_per_io"), "QEMU's instret counts host cycles");
    }

    @Test
    void ratiosAreTheQuotientsOfTheP50sBehindThem()
    {
        final Map<?, ?> metrics = metrics();
        final Map<?, ?> environment = assertInstanceOf(Map.class, root().get("environment"));
        assertEquals(IoVariants.PV_DOMAIN, environment.get("pv_variant"), "PV in the ratios is blkfront in guest code");
        assertEquals(number(metrics, "pv_domain_read_qd1_p50_ns"), number(metrics, "pv_read_p50_ns"));
        assertEquals(number(metrics, "javisor_ata_read_qd1_p50_ns"), number(metrics, "emulated_read_p50_ns"));
        assertEquals(number(metrics, "javisor_virtio_read_qd1_p50_ns"), number(metrics, "virtio_read_p50_ns"));
        assertRatio(metrics, "ratio_pv_vs_emulated_read_p50", "pv_read_p50_ns", "emulated_read_p50_ns");
        assertRatio(metrics, "ratio_pv_vs_virtio_read_p50", "pv_read_p50_ns", "virtio_read_p50_ns");
        if (QemuRunner.isAvailable())
        {
            assertRatio(metrics, "ratio_qemu_virtio_vs_pv_read_p50", "qemu_virtio_read_p50_ns", "pv_read_p50_ns");
            assertRatio(metrics, "ratio_qemu_virtio_vs_javisor_virtio_read_p50", "qemu_virtio_read_p50_ns", "virtio_read_p50_ns");
            assertEquals(10_000_000.0, number(environment, "qemu_timebase_hz"));
        }
        assertEquals(1_000_000_000.0, number(environment, "javisor_timebase_hz"));
        ReportAssertions.assertNoVerdicts(run.table, metrics);
    }

    @Test
    void eachVariantHasAnIntervalLogWithOneReadAndOneWriteHistogramPerRound() throws Exception
    {
        final Map<?, ?> metrics = metrics();
        for (final String key : expectedMeasured())
        {
            final Path file = run.config.outDir().resolve("io-" + key + ".hlog");
            assertTrue(Files.isRegularFile(file), file.toString());
            final Map<String, Long> counts = new HashMap<>();
            final Map<String, Integer> intervals = new HashMap<>();
            final Histogram read = VariantTotals.newHistogram();
            final HistogramLogReader reader = new HistogramLogReader(file.toFile());
            EncodableHistogram h;
            while ((h = reader.nextIntervalHistogram()) != null)
            {
                final Histogram histogram = (Histogram)h;
                counts.merge(h.getTag(), histogram.getTotalCount(), Long::sum);
                intervals.merge(h.getTag(), 1, Integer::sum);
                if ("read".equals(h.getTag()))
                {
                    read.add(histogram);
                }
            }
            assertEquals(TinyIoRun.ROUNDS, intervals.get("read"), key);
            assertEquals(TinyIoRun.ROUNDS, intervals.get("write"), key);
            assertEquals((long)TinyIoRun.REQUESTS * TinyIoRun.ROUNDS, counts.get("read"), key);
            assertEquals((long)TinyIoRun.REQUESTS * TinyIoRun.ROUNDS, counts.get("write"), key);
            assertEquals(number(metrics, key + "_read_qd1_p50_ns"), read.getValueAtPercentile(50), key + ": the log holds what the report summarises");
        }
    }

    @Test
    void theTraceHoldsEveryRequestAndEveryVariantGotTheSameSequence()
    {
        final List<IoTrace.Entry> trace = IoTrace.read(run.result.trace());
        final Map<String, Integer> variants = IoTrace.variants(trace);
        assertEquals(expectedMeasured(), List.copyOf(variants.keySet()), "variants in table order");
        final List<IoTrace.Entry> reference = qd1(trace, IoVariants.JAVISOR_VIRTIO);
        assertEquals(2 * TinyIoRun.REQUESTS * TinyIoRun.ROUNDS, reference.size());
        for (final String key : expectedMeasured())
        {
            final List<IoTrace.Entry> qd1 = qd1(trace, key);
            assertEquals(reference.size(), qd1.size(), key);
            for (int i = 0; i < qd1.size(); i++)
            {
                final IoTrace.Entry a = reference.get(i);
                final IoTrace.Entry b = qd1.get(i);
                assertEquals(List.of(a.round(), a.op(), a.sector(), a.size()), List.of(b.round(), b.op(), b.sector(), b.size()),
                    key + " request " + i);
                assertTrue(b.startNs() <= b.endNs() && b.intendedNs() == b.startNs(), key + " request " + i + " closed loop: " + b);
            }
            long previousStart = -1;
            for (final IoTrace.Entry e : trace)
            {
                if (e.variant().equals(key))
                {
                    assertTrue(e.startNs() >= previousStart || e.queueDepth() > 1,
                        key + ": a QD1 request starts after the one before on the variant's timeline");
                    previousStart = e.startNs();
                }
            }
        }
        final long deep = trace.stream().filter(e -> e.variant().equals(IoVariants.JAVA_PV) && e.queueDepth() > 1).count();
        assertTrue(deep >= number(metrics(), "java_pv_read_qd32_iops") * 0.05 * TinyIoRun.ROUNDS * 0.5,
            "the deep-queue requests are traced too: " + deep);
        assertEquals(trace.size(), variants.values().stream().mapToInt(Integer::intValue).sum());
    }

    @Test
    void everyNicPathIsMeasuredAgainstTheSameEchoGuestWithItsExitsPerRoundTrip()
    {
        final Map<?, ?> metrics = metrics();
        for (final String key : List.of(IoVariants.JAVA_PV, IoVariants.PV_DOMAIN, IoVariants.PV_ON_HVM, IoVariants.JAVISOR_VIRTIO,
            IoVariants.JAVISOR_LAN9118))
        {
            final String prefix = key + "_net";
            assertEquals(TinyIoRun.PINGS * TinyIoRun.ROUNDS, number(metrics, prefix + "_rtt_round_trips"), prefix);
            final double p50 = number(metrics, prefix + "_rtt_p50_ns");
            assertTrue(p50 > 0 && p50 <= number(metrics, prefix + "_rtt_p99_ns") &&
                number(metrics, prefix + "_rtt_p99_ns") <= number(metrics, prefix + "_rtt_max_ns"), prefix + " percentiles in order");
            for (final String stream : List.of("_stream64", "_stream1500"))
            {
                final double received = number(metrics, prefix + stream + "_received");
                assertTrue(received > 0 && received <= 1, prefix + stream + ": the peer counted some of the frames and no more " +
                    "than were sent: " + received);
                assertTrue(number(metrics, prefix + stream + "_fps") > 0, prefix + stream + " rate");
            }
        }
        // The net guests poll their NIC: a PV guest notifies netback once per request frame (the reply needs no
        // hypercall), virtio-net notifies its tx queue and reposts an rx buffer; the LAN9118 moves every word by PIO
        // and its polling reads the RX FIFO status.
        assertTrue(number(metrics, "pv_domain_net_exits_per_rtt") >= 1 && number(metrics, "pv_domain_net_exits_per_rtt") < 3,
            "PV exits per round trip: " + number(metrics, "pv_domain_net_exits_per_rtt"));
        assertEquals(2.0, number(metrics, "javisor_virtio_net_exits_per_rtt"), 0.2, "virtio-net exits per round trip");
        assertTrue(number(metrics, "javisor_lan9118_net_exits_per_rtt") > 30, "LAN9118 exits per round trip");
        assertFalse(metrics.containsKey("java_pv_net_exits_per_rtt"), "a Java guest has no vCPU");
        assertRatio(metrics, "ratio_pv_vs_emulated_net_rtt_p50", "pv_domain_net_rtt_p50_ns", "javisor_lan9118_net_rtt_p50_ns");
        assertRatio(metrics, "ratio_pv_vs_virtio_net_rtt_p50", "pv_domain_net_rtt_p50_ns", "javisor_virtio_net_rtt_p50_ns");
        assertTrue(run.table.contains("6 same virtio guest ELF -> QEMU TCG virtio-net     not measured"), run.table);
    }

    @Test
    void aVariantWhoseGuestIsMissingSaysWhyInItsPlace()
    {
        for (final PvLauncher.DomainKind kind : PvLauncher.DomainKind.values())
        {
            assertEquals("not built yet (no disk-io-none.elf among the guests)",
                new PvLauncher(kind, IoBenchmark.Config.DEFAULT_TIMEBASE_HZ).unavailable("disk-io-none"));
        }
        assertEquals(null, IoVariants.of(IoVariants.PV_DOMAIN, IoBenchmark.Config.DEFAULT_TIMEBASE_HZ, false).unavailable());
    }

    @Test
    void badConfigurationsAreRefusedWithTheReason()
    {
        final Path out = run.config.outDir();
        assertThrows(IllegalArgumentException.class, () -> new IoBenchmark.Config(0, 0, 0, 10, 0, 8, 1_000_000_000L, false, out));
        assertThrows(IllegalArgumentException.class, () -> new IoBenchmark.Config(1, 0, 0, 0, 0, 8, 1_000_000_000L, false, out));
        final IllegalArgumentException timebase = assertThrows(IllegalArgumentException.class,
            () -> new IoBenchmark.Config(1, 0, 0, 10, 0, 8, 3, false, out));
        assertTrue(timebase.getMessage().contains("time base"), timebase.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new IoBenchmark(IoBenchmark.Config.small(), List.of("nope")));
    }

    private static List<IoTrace.Entry> qd1(final List<IoTrace.Entry> trace, final String key)
    {
        return trace.stream().filter(e -> e.variant().equals(key) && e.queueDepth() == 1).toList();
    }

    private Map<?, ?> root()
    {
        return assertInstanceOf(Map.class, MiniJson.parse(run.report.toJson()));
    }

    private Map<?, ?> metrics()
    {
        return assertInstanceOf(Map.class, root().get("metrics"));
    }

    private static void assertRatio(final Map<?, ?> metrics, final String ratio, final String a, final String b)
    {
        assertEquals(Math.round(1000.0 * number(metrics, a) / number(metrics, b)) / 1000.0, number(metrics, ratio), 1e-9, ratio);
    }

    private static double number(final Map<?, ?> map, final String key)
    {
        final Object value = map.get(key);
        assertNotNull(value, "missing " + key + " in " + map.keySet());
        return ((Number)value).doubleValue();
    }
}
