package io.javisor.perf;

import io.javisor.perf.report.BenchReport;

import java.io.PrintWriter;

/**
 * A benchmark of the IO harness ({@code javisor bench NAME}): it runs, prints its table to the
 * given writer and returns its report. {@code javisor bench} without a name runs every one in
 * {@link HarnessBenchmarks#all()}.
 */
public interface HarnessBenchmark
{
    String name();

    String description();

    BenchReport runAndPrint(PrintWriter out);
}
