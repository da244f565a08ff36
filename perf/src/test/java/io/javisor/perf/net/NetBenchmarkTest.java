package io.javisor.perf.net;

import io.javisor.perf.cli.JavisorMain;
import io.javisor.perf.jmh.NetForwardingBenchmark;
import io.javisor.perf.report.BenchReport;
import io.javisor.perf.report.MiniJson;
import io.javisor.perf.report.ReportAssertions;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NetBenchmarkTest
{
    /**
     * A tiny run (one round of 0.8 s, a short warm-up) reports every metric with sane values.
     */
    @Test
    void tinyRunReportsEveryMetric()
    {
        final NetBenchmark.Config config = new NetBenchmark.Config(0.8, 0.2, 1, 32);
        final StringWriter table = new StringWriter();
        final BenchReport report = new NetBenchmark(config).runAndPrint(new PrintWriter(table));
        assertTrue(table.toString().contains("ratio_pingpong_p50_vs_agrona"), table.toString());

        final Map<?, ?> root = assertInstanceOf(Map.class, MiniJson.parse(report.toJson()));
        assertEquals("net", root.get("benchmark"));
        final Map<?, ?> metrics = assertInstanceOf(Map.class, root.get("metrics"));
        final Map<?, ?> environment = assertInstanceOf(Map.class, root.get("environment"));
        assertNotNull(environment.get("java_version"));
        assertEquals(32.0, number(environment, "batch"));

        for (final String kind : new String[]{ "pingpong", "agrona" })
        {
            final double p50 = number(metrics, kind + "_p50_ns");
            final double p99 = number(metrics, kind + "_p99_ns");
            final double p999 = number(metrics, kind + "_p999_ns");
            final double max = number(metrics, kind + "_max_ns");
            assertTrue(number(metrics, kind + "_round_trips") > 100, kind + " round trips");
            assertTrue(p50 > 0 && p50 <= p99 && p99 <= p999 && p999 <= max,
                kind + " percentiles in order: " + p50 + " " + p99 + " " + p999 + " " + max);
        }
        assertEquals(Math.round(1000.0 * number(metrics, "pingpong_p50_ns") / number(metrics, "agrona_p50_ns")) / 1000.0,
            number(metrics, "ratio_pingpong_p50_vs_agrona"), 1e-9);

        for (final int size : new int[]{ 64, 1500 })
        {
            final String key = "stream_" + size + "b";
            final double pps = number(metrics, key + "_pps");
            final double frames = number(metrics, key + "_frames");
            assertTrue(pps > 1000 && frames > 100, key + ": " + pps + " frames/s, " + frames + " frames");
            assertEquals(pps * size * 8 / 1e9, number(metrics, key + "_gbps"), 0.001 + pps * size * 8 / 1e9 * 1e-3);
            assertEquals(0.0, number(metrics, key + "_drops"), key + " drops");
        }
        assertEquals(0.0, number(metrics, "drops"));
        assertEquals(0.0, number(metrics, "pingpong_mismatches"));
        assertEquals(0.0, number(metrics, "stream_out_of_order"));
        assertEquals(0.0, number(metrics, "agrona_mismatches"));
        ReportAssertions.assertNoVerdicts(table.toString(), metrics);
    }

    private static double number(final Map<?, ?> map, final String key)
    {
        final Object value = map.get(key);
        assertNotNull(value, "missing key " + key);
        return assertInstanceOf(Double.class, value, key).doubleValue();
    }

    @Test
    void rejectsBadConfigurations()
    {
        assertThrows(IllegalArgumentException.class, () -> new NetBenchmark.Config(0, 1, 1, 64));
        assertThrows(IllegalArgumentException.class, () -> new NetBenchmark.Config(1, -1, 1, 64));
        assertThrows(IllegalArgumentException.class, () -> new NetBenchmark.Config(1, 1, 0, 64));
        assertThrows(IllegalArgumentException.class, () -> new NetBenchmark.Config(1, 1, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new NetBenchmark.Config(1, 1, 1, 257));
    }

    @Test
    void phasesShareARoundInProportion()
    {
        final NetBenchmark.Config config = new NetBenchmark.Config(10.0, 0, 2, 64);
        assertEquals(1_500_000_000L, config.pingPongPhaseNs());
        assertEquals(1_000_000_000L, config.streamPhaseNs());
        assertEquals(1_500_000_000L, config.agronaPhaseNs());
    }

    @Test
    void commandLineHasTheNetBenchmark()
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final var commandLine = JavisorMain.commandLine();
        commandLine.setOut(new PrintWriter(out));
        commandLine.setErr(new PrintWriter(err));
        assertEquals(0, commandLine.execute("bench", "net", "--help"));
        for (final String option : new String[]{ "--seconds", "--json", "--batch" })
        {
            assertTrue(out.toString().contains(option), out.toString());
        }
        assertEquals(2, commandLine.execute("bench", "net", "--batch", "0"));
        assertTrue(err.toString().contains("batch"), err.toString());
    }

    /**
     * The JMH benchmark body, run plainly: every frame A sends arrives at B with its sequence number.
     */
    @Test
    void forwardingBenchmarkBodyDeliversEveryFrame()
    {
        final NetForwardingBenchmark benchmark = new NetForwardingBenchmark();
        benchmark.frameSize = 1500;
        benchmark.setUp();
        try
        {
            for (long seq = 1; seq <= 5_000; seq++)
            {
                assertEquals(seq, benchmark.forward());
            }
        }
        finally
        {
            benchmark.tearDown();
        }
    }
}
