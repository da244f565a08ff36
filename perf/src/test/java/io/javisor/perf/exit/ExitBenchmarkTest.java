package io.javisor.perf.exit;

import io.javisor.emulation.reference.QemuRunner;
import io.javisor.perf.report.BenchReport;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static io.javisor.perf.report.ReportAssertions.assertNoVerdicts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bench exit} measures a positive cost per device-register exit on every side it runs, from
 * guests whose output it checks, and reports numbers and ratios only.
 */
class ExitBenchmarkTest
{
    @Test
    void oneRoundMeasuresEverySide()
    {
        final StringWriter text = new StringWriter();
        final BenchReport report = new ExitBenchmark(new ExitBenchmark.Config(1, true)).runAndPrint(new PrintWriter(text));
        assertEquals(ExitBenchmark.READS, report.metrics().get("reads").longValue());
        assertTrue(report.metrics().get("exit_ns_interpreter").doubleValue() > 0, report.toJson());
        assertTrue(report.metrics().get("exit_ns_jit").doubleValue() > 0, report.toJson());
        if (QemuRunner.isAvailable())
        {
            assertTrue(report.metrics().get("exit_ns_qemu").doubleValue() > 0, report.toJson());
            assertTrue(report.metrics().containsKey("ratio_exit_jit_vs_qemu"), report.toJson());
        }
        assertTrue(text.toString().contains("ns per exit"), text.toString());
        assertNoVerdicts(text.toString(), report.metrics());
    }

    @Test
    void roundsAreBounded()
    {
        assertThrows(IllegalArgumentException.class, () -> new ExitBenchmark.Config(0, false));
    }
}
