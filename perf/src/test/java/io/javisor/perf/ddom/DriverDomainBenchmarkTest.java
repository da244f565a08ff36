package io.javisor.perf.ddom;

import io.javisor.perf.HarnessBenchmarks;
import io.javisor.perf.cli.JavisorMain;
import io.javisor.perf.report.BenchReport;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;

import static io.javisor.perf.report.ReportAssertions.assertNoVerdicts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bench driver-domain}, in a short run: read percentiles on both sides and their ratio, restart
 * times, nothing acknowledged lost, frame round trips on each kind of bridge, numbers only.
 */
class DriverDomainBenchmarkTest
{
    @Test
    void aShortRunReportsEveryPart()
    {
        final StringWriter text = new StringWriter();
        final BenchReport report = new DriverDomainBenchmark(new DriverDomainBenchmark.Config(200, 2, 0, 8, 7))
            .runAndPrint(new PrintWriter(text));
        final Map<String, Number> metrics = report.metrics();
        assertEquals(200, metrics.get("driver_domain_read_reads").longValue(), report.toJson());
        assertEquals(200, metrics.get("dom0_read_reads").longValue(), report.toJson());
        assertTrue(metrics.get("ratio_driver_domain_vs_dom0_read_p50").doubleValue() > 0, report.toJson());
        assertTrue(metrics.get("ratio_driver_domain_vs_dom0_read_p50_spin").doubleValue() > 0, report.toJson());
        assertTrue(metrics.get("restart_to_serving_p50_ms").doubleValue() > 0, report.toJson());
        assertEquals(2, metrics.get("restart_kills").longValue());
        assertEquals(0, metrics.get("acknowledged_writes_lost").longValue(), report.toJson());
        assertTrue(metrics.get("requests_reissued").longValue() >= 0, report.toJson());
        assertTrue(metrics.get("writes_acknowledged").longValue() > 0, report.toJson());
        assertTrue(text.toString().contains("driver domain / dom0 read p50"), text.toString());
        for (final String path : new String[] {"dom0_bridge", "driver_domain_bridge", "shared_bridge"})
        {
            assertTrue(metrics.get("frame_rtt_" + path + "_pings").longValue() > 0, report.toJson());
            assertTrue(metrics.get("frame_rtt_" + path + "_p50_ns").longValue() > 0, report.toJson());
        }
        assertNoVerdicts(text.toString(), metrics);
    }

    @Test
    void itsSettingsAreBounded()
    {
        assertEquals("kills must be 1..1000, got 0",
            assertThrows(IllegalArgumentException.class, () -> new DriverDomainBenchmark.Config(1000, 0, 0, 8, 1)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> new DriverDomainBenchmark.Config(10, 1, 0, 8, 1));
        assertThrows(IllegalArgumentException.class, () -> new DriverDomainBenchmark.Config(1000, 1, -1, 8, 1));
        assertThrows(IllegalArgumentException.class, () -> new DriverDomainBenchmark.Config(1000, 1, 0, 0, 1));
    }

    @Test
    void isACommandAndAHarnessBenchmarkWhoseBadOptionsAreOneLine()
    {
        assertTrue(HarnessBenchmarks.all().stream().anyMatch(b -> b.name().equals(DriverDomainBenchmark.NAME)));
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final var commandLine = JavisorMain.commandLine();
        commandLine.setOut(new PrintWriter(out));
        commandLine.setErr(new PrintWriter(err));
        assertEquals(0, commandLine.execute("bench", "driver-domain", "--help"));
        assertTrue(out.toString().contains("--json"), out.toString());
        assertEquals(2, commandLine.execute("bench", "driver-domain", "--kills", "0"));
        assertEquals("javisor bench driver-domain: kills must be 1..1000, got 0 (see 'javisor bench driver-domain --help')",
            err.toString().strip());
    }
}
