package io.javisor.perf.stubdom;

import static io.javisor.perf.report.ReportAssertions.assertNoVerdicts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.javisor.perf.HarnessBenchmarks;
import io.javisor.perf.report.BenchReport;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * {@code bench stubdom} measures a positive exit cost on both sides from reads the guest finished,
 * virtio-blk read latency in-process and through a stub domain, the per-access and channel
 * histograms, and reports numbers and ratios only.
 */
class StubDomainBenchmarkTest
{
    @Test
    void aSmallRunMeasuresBothSidesAndBothChannels()
    {
        final StringWriter text = new StringWriter();
        final BenchReport report = new StubDomainBenchmark(new StubDomainBenchmark.Config(4, 2, 20, 20, 2_000, 2_000))
            .runAndPrint(new PrintWriter(text));
        final var metrics = report.metrics();
        for (final String key : List.of("exit_ns_in_process", "exit_ns_stubdom", "ratio_stubdom_vs_in_process_exit",
            "exit_ns_stubdom_socket", "access_stubdom_p50_ns", "access_stubdom_socket_p50_ns", "channel_uds_rtt_p50_ns",
            "channel_shm_spin_rtt_p50_ns", "virtio_read_p50_ns_in_process", "virtio_read_p50_ns_stubdom",
            "ratio_stub_vs_inprocess_virtio_read_p50", "virtio_exits_per_read_stubdom"))
        {
            assertTrue(metrics.get(key).doubleValue() > 0, key + " in " + report.toJson());
        }
        assertEquals(4L, metrics.get("io_read_stubdom_reads").longValue());
        assertEquals(20L * StubDomainBenchmark.VIRTIO_ROUNDS, metrics.get("io_virtio_read_stubdom_reads").longValue(),
            "every round's timed virtio reads");
        assertEquals(2_000L, metrics.get("channel_uds_rtt_round_trips").longValue());
        assertTrue(metrics.get("exits_per_read").longValue() > 2048, "every data word of a 4 KiB read is an exit: " + report.toJson());
        assertTrue(text.toString().contains("exit cost from guest code"), text.toString());
        assertNoVerdicts(text.toString(), metrics);
    }

    @Test
    void isAHarnessBenchmarkAndItsSizesAreBounded()
    {
        assertTrue(HarnessBenchmarks.all().stream().anyMatch(b -> b.name().equals(StubDomainBenchmark.NAME)));
        assertThrows(IllegalArgumentException.class, () -> new StubDomainBenchmark.Config(0, 0, 1, 1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new StubDomainBenchmark.Config(1, 0, 0, 0, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new StubDomainBenchmark.Config(1, 0, 1, 0, 0, 1));
    }
}
