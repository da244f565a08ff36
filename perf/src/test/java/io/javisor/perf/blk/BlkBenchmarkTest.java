package io.javisor.perf.blk;

import io.javisor.perf.cli.JavisorMain;
import io.javisor.perf.jmh.BlkRequestPathBenchmark;
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

class BlkBenchmarkTest
{
    private static final String[] LATENCIES = { "pv_qd1_read", "pv_qd1_write", "direct_qd1_read", "direct_qd1_write",
        "agrona", "openloop_read" };
    private static final String[] RATES = { "pv_qd1_read_iops", "pv_qd8_read_iops", "pv_qd32_read_iops",
        "pv_qd32_write_iops", "direct_read_iops", "direct_write_iops", "openloop_read_target_rate",
        "openloop_read_achieved_rate" };

    /**
     * A tiny run (0.2 s per PV phase, one round, an 8 MiB disk) reports every metric with sane values.
     */
    @Test
    void tinyRunReportsEveryMetric()
    {
        final BlkBenchmark.Config config = new BlkBenchmark.Config(2.0, 0.3, 1, 8, 0, 0.2);
        assertEquals(200_000_000L, config.pvPhaseNs());
        final StringWriter table = new StringWriter();
        final var report = new BlkBenchmark(config).runAndPrint(new PrintWriter(table));
        assertTrue(table.toString().contains("ratio_qd1_p50_vs_agrona"), table.toString());

        final Map<?, ?> root = assertInstanceOf(Map.class, MiniJson.parse(report.toJson()));
        assertEquals("blk", root.get("benchmark"));
        final Map<?, ?> metrics = assertInstanceOf(Map.class, root.get("metrics"));
        final Map<?, ?> environment = assertInstanceOf(Map.class, root.get("environment"));
        assertNotNull(environment.get("java_version"));
        assertEquals(8.0, number(environment, "disk_mib"));

        for (final String kind : LATENCIES)
        {
            final double p50 = number(metrics, kind + "_p50_ns");
            final double p99 = number(metrics, kind + "_p99_ns");
            final double p999 = number(metrics, kind + "_p999_ns");
            final double max = number(metrics, kind + "_max_ns");
            final double count = number(metrics, kind + (kind.equals("agrona") ? "_round_trips" : "_requests"));
            assertTrue(count > 0, kind + " count " + count);
            assertTrue(p50 > 0 && p50 <= p99 && p99 <= p999 && p999 <= max,
                kind + " percentiles in order: " + p50 + " " + p99 + " " + p999 + " " + max);
        }
        for (final String key : RATES)
        {
            assertTrue(number(metrics, key) > 0, key + " > 0");
        }
        for (final String key : new String[]{ "pv_qd1_read_iops", "pv_qd8_read_iops", "pv_qd32_read_iops", "pv_qd32_write_iops" })
        {
            assertTrue(number(metrics, key + "_requests") > 0, key + " requests");
        }
        final double ratio = number(metrics, "ratio_qd1_p50_vs_agrona");
        assertEquals(Math.round(1000.0 * number(metrics, "pv_qd1_read_p50_ns") / number(metrics, "agrona_p50_ns")) / 1000.0,
            ratio, 1e-9);
        assertTrue(number(metrics, "openloop_read_issued") >= number(metrics, "openloop_read_requests"));
        assertEquals(0.0, number(metrics, "errors"), "error responses");
        assertEquals(0.0, number(metrics, "verify_differences"), "data read back differs");
        assertEquals(0.0, number(metrics, "agrona_mismatches"));
        ReportAssertions.assertNoVerdicts(table.toString(), metrics);
        for (final Thread thread : Thread.getAllStackTraces().keySet())
        {
            assertTrue(!thread.isAlive() || !thread.getName().startsWith("javisor-bench-"),
                "benchmark thread still running: " + thread.getName());
        }
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
        assertThrows(IllegalArgumentException.class, () -> new BlkBenchmark.Config(0, 1, 1, 8, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new BlkBenchmark.Config(1, -1, 1, 8, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new BlkBenchmark.Config(1, 1, 0, 8, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new BlkBenchmark.Config(1, 1, 1, 0, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new BlkBenchmark.Config(1, 1, 1, 8, -5, 1));
        assertThrows(IllegalArgumentException.class, () -> new BlkBenchmark.Config(1, 1, 1, 8, 0, -1));
    }

    @Test
    void phasesShareARoundInProportion()
    {
        final BlkBenchmark.Config config = new BlkBenchmark.Config(10.0, 0, 1, 8, 0, 0);
        assertEquals(1_000_000_000L, config.pvPhaseNs());
        assertEquals(500_000_000L, config.directPhaseNs());
        assertEquals(2_000_000_000L, config.agronaPhaseNs());
        final long round = BlkBenchmark.PV_PHASES * config.pvPhaseNs() + BlkBenchmark.DIRECT_PHASES * config.directPhaseNs()
            + config.agronaPhaseNs();
        assertEquals(10_000_000_000L, round);
    }

    @Test
    void randomBlocksStayOnTheDisk()
    {
        final RandomBlocks random = new RandomBlocks(3, 1);
        final boolean[] seen = new boolean[3];
        for (int i = 0; i < 1000; i++)
        {
            final long block = random.nextBlock();
            assertTrue(block >= 0 && block < 3, "block " + block);
            seen[(int)block] = true;
        }
        assertTrue(seen[0] && seen[1] && seen[2], "every block drawn");
        assertThrows(IllegalArgumentException.class, () -> new RandomBlocks(0, 1));
    }

    @Test
    void commandLineHasTheBlkBenchmark()
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final var commandLine = JavisorMain.commandLine();
        commandLine.setOut(new PrintWriter(out));
        commandLine.setErr(new PrintWriter(err));
        assertEquals(0, commandLine.execute("bench", "blk", "--help"));
        for (final String option : new String[]{ "--seconds", "--json", "--disk-mib", "--rate" })
        {
            assertTrue(out.toString().contains(option), out.toString());
        }
        assertEquals(2, commandLine.execute("bench", "blk", "--rate", "-3"));
        assertTrue(err.toString().contains("rate"), err.toString());
    }

    /**
     * The JMH benchmark bodies, run plainly: every request completes OKAY on one thread.
     */
    @Test
    void requestPathBenchmarkBodiesComplete()
    {
        final BlkRequestPathBenchmark benchmark = new BlkRequestPathBenchmark();
        benchmark.diskMiB = 4;
        benchmark.setUp();
        try
        {
            for (int i = 0; i < 2_000; i++)
            {
                assertEquals(0, benchmark.read4k());
                assertEquals(0, benchmark.write4k());
                assertEquals(0, benchmark.directRead4k());
                assertEquals(0, benchmark.directWrite4k());
            }
        }
        finally
        {
            benchmark.tearDown();
        }
    }
}
