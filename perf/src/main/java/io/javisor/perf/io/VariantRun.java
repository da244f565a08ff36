package io.javisor.perf.io;

/**
 * What one variant measured for one sequence of requests: the timed requests (times in ns after
 * the timed part began, on the variant's clock), the exits the timed part took and the instructions
 * the guest retired in its requests (each NaN where the variant cannot count them), and how many
 * requests ended in an error or read wrong data. Immutable once returned; the log belongs to the caller.
 */
public record VariantRun(RequestLog log, double exits, double instructions, int failures)
{
}
