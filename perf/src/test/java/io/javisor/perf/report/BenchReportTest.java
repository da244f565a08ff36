package io.javisor.perf.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchReportTest
{
    @Test
    void writesValidJsonWithMetricsAndEnvironment(@TempDir final Path dir) throws Exception
    {
        final BenchReport report = new BenchReport("blk")
            .metric("read_p50_ns", 1234L)
            .metric("ratio_p50", 0.875)
            .metric("undefined", Double.NaN)
            .environment("payload", 64)
            .environment("note", "quote \" backslash \\ newline \n tab \t bell \u0007");
        final Path file = dir.resolve("sub/blk.json");
        report.writeJson(file);

        final Map<?, ?> root = assertInstanceOf(Map.class, MiniJson.parse(Files.readString(file)));
        assertEquals(List.of("benchmark", "metrics", "environment"), List.copyOf(root.keySet()));
        assertEquals("blk", root.get("benchmark"));

        final Map<?, ?> metrics = assertInstanceOf(Map.class, root.get("metrics"));
        assertEquals(1234.0, metrics.get("read_p50_ns"));
        assertEquals(0.875, metrics.get("ratio_p50"));
        assertTrue(metrics.containsKey("undefined"));
        assertNull(metrics.get("undefined"), "NaN is not JSON: written as null");

        final Map<?, ?> env = assertInstanceOf(Map.class, root.get("environment"));
        for (final String key : List.of("java_version", "vm", "os", "cpus", "date", "payload"))
        {
            assertTrue(env.containsKey(key), "environment has " + key + ": " + env);
        }
        assertEquals((double)Runtime.getRuntime().availableProcessors(), env.get("cpus"));
        assertEquals(64.0, env.get("payload"));
        assertEquals("quote \" backslash \\ newline \n tab \t bell \u0007", env.get("note"));
    }

    @Test
    void latencyAddsTheUsualKeys()
    {
        final BenchReport report = new BenchReport("net")
            .latency("tx", new LatencySummary(10, 100, 200, 300, 400, 150.25), "packets");
        assertEquals(List.of("tx_p50_ns", "tx_p99_ns", "tx_p999_ns", "tx_max_ns", "tx_mean_ns", "tx_packets"),
            List.copyOf(report.metrics().keySet()));
        final Map<?, ?> root = assertInstanceOf(Map.class, MiniJson.parse(report.toJson()));
        assertEquals(300.0, ((Map<?, ?>)root.get("metrics")).get("tx_p999_ns"));
    }

    @Test
    void jsonWriterHandlesNestingAndEmptyContainers()
    {
        final Object parsed = MiniJson.parse(Json.write(Map.of("a", List.of(1, "x", true), "b", Map.of())));
        assertEquals(Map.of("a", List.of(1.0, "x", true), "b", Map.of()), parsed);
        assertThrows(IllegalArgumentException.class, () -> new BenchReport(" "));
    }
}
