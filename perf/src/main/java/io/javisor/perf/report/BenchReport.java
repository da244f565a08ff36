package io.javisor.perf.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The machine-readable result of one harness benchmark (ring, blk, net, cpu, ...):
 * <pre>
 * { "benchmark": NAME, "metrics": { KEY: number, ... }, "environment": { KEY: value, ... } }
 * </pre>
 * Metrics are numbers (latencies in ns carry an {@code _ns} suffix, counts are plain). The
 * environment starts with what is needed to compare runs (java, vm, os, cpus, date) and each
 * benchmark adds its own parameters. Keys keep the order they were added in.
 */
public final class BenchReport
{
    private final String benchmark;
    private final Map<String, Number> metrics = new LinkedHashMap<>();
    private final Map<String, Object> environment = new LinkedHashMap<>();

    public BenchReport(final String benchmark)
    {
        if (benchmark == null || benchmark.isBlank())
        {
            throw new IllegalArgumentException("a report needs a benchmark name");
        }
        this.benchmark = benchmark;
        environment.putAll(hostEnvironment());
    }

    public String benchmark()
    {
        return benchmark;
    }

    public BenchReport metric(final String key, final long value)
    {
        metrics.put(key, value);
        return this;
    }

    public BenchReport metric(final String key, final double value)
    {
        metrics.put(key, value);
        return this;
    }

    /**
     * Adds the usual latency metrics of a summary under {@code prefix}: {@code PREFIX_p50_ns},
     * {@code _p99_ns}, {@code _p999_ns}, {@code _max_ns}, {@code _mean_ns} and {@code PREFIX_COUNTNAME}.
     */
    public BenchReport latency(final String prefix, final LatencySummary summary, final String countName)
    {
        metric(prefix + "_p50_ns", summary.p50());
        metric(prefix + "_p99_ns", summary.p99());
        metric(prefix + "_p999_ns", summary.p999());
        metric(prefix + "_max_ns", summary.max());
        metric(prefix + "_mean_ns", Math.round(summary.mean() * 10.0) / 10.0);
        metric(prefix + "_" + countName, summary.count());
        return this;
    }

    /**
     * Adds or replaces an environment entry (a string, number or boolean).
     */
    public BenchReport environment(final String key, final Object value)
    {
        environment.put(key, value);
        return this;
    }

    public Map<String, Number> metrics()
    {
        return Collections.unmodifiableMap(metrics);
    }

    public Map<String, Object> environment()
    {
        return Collections.unmodifiableMap(environment);
    }

    public String toJson()
    {
        final Map<String, Object> root = new LinkedHashMap<>();
        root.put("benchmark", benchmark);
        root.put("metrics", metrics);
        root.put("environment", environment);
        return Json.write(root);
    }

    /**
     * Writes the report to {@code file}, creating missing parent directories.
     */
    public void writeJson(final Path file)
    {
        try
        {
            final Path parent = file.toAbsolutePath().getParent();
            if (parent != null)
            {
                Files.createDirectories(parent);
            }
            Files.writeString(file, toJson(), StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write report " + file + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * What every report records about the machine and the JVM.
     */
    public static Map<String, Object> hostEnvironment()
    {
        final Map<String, Object> env = new LinkedHashMap<>();
        env.put("java_version", System.getProperty("java.version"));
        env.put("vm", System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"));
        env.put("vm_vendor", System.getProperty("java.vm.vendor"));
        env.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version")
            + " " + System.getProperty("os.arch"));
        env.put("cpus", Runtime.getRuntime().availableProcessors());
        final String cpuModel = cpuModel();
        if (cpuModel != null)
        {
            env.put("cpu_model", cpuModel);
        }
        env.put("date", OffsetDateTime.now().truncatedTo(ChronoUnit.SECONDS).toString());
        return env;
    }

    private static String cpuModel()
    {
        final Path cpuinfo = Path.of("/proc/cpuinfo");
        if (!Files.isReadable(cpuinfo))
        {
            return null;
        }
        try (var lines = Files.lines(cpuinfo))
        {
            return lines.filter(line -> line.startsWith("model name"))
                .map(line -> line.substring(line.indexOf(':') + 1).trim())
                .findFirst()
                .orElse(null);
        }
        catch (final IOException | UncheckedIOException ex)
        {
            return null;
        }
    }
}
