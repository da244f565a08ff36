package io.javisor.perf.sched;

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
 * {@code bench sched}, in a short run: every part reports its figures (shares that add up, a cap's
 * share of a CPU, wake-up percentiles, a cost per switch), numbers only.
 */
class SchedBenchmarkTest
{
    @Test
    void aShortRunReportsEveryPart()
    {
        final StringWriter text = new StringWriter();
        final BenchReport report = new SchedBenchmark(new SchedBenchmark.Config(0.5, 20, 1_000_000L, 100))
            .runAndPrint(new PrintWriter(text));
        final Map<String, Number> metrics = report.metrics();
        assertEquals(1.0, metrics.get("share_w256_run_share").doubleValue() + metrics.get("share_w512_run_share").doubleValue(),
            0.001, report.toJson());
        assertTrue(metrics.get("cap25_alone_cpu_share").doubleValue() > 0, report.toJson());
        assertEquals(100, metrics.get("wake_idle_wakes").longValue(), report.toJson());
        assertEquals(100, metrics.get("wake_busy_wakes").longValue(), report.toJson());
        assertTrue(metrics.get("wake_busy_p50_ns").longValue() > 0, report.toJson());
        assertEquals(20, metrics.get("overhead_vcpus").longValue());
        assertTrue(metrics.get("overhead_switches_per_s").longValue() > 0, report.toJson());
        assertTrue(text.toString().contains("of scheduling per switch"), text.toString());
        assertNoVerdicts(text.toString(), metrics);
    }

    @Test
    void itsSettingsAreBounded()
    {
        assertEquals("vcpus must be 1..10000, got 0",
            assertThrows(IllegalArgumentException.class, () -> new SchedBenchmark.Config(10, 0, 1_000_000L, 100)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> new SchedBenchmark.Config(0.1, 10, 1_000_000L, 100));
        assertThrows(IllegalArgumentException.class, () -> new SchedBenchmark.Config(10, 10, 10_000L, 100));
        assertThrows(IllegalArgumentException.class, () -> new SchedBenchmark.Config(10, 10, 1_000_000L, 10));
    }
}
