package io.javisor.core.sched;

/**
 * How the {@link CreditScheduler} is set up: its worker threads and its periods. Immutable.
 * <p>
 * Xen's credit scheduler runs 30 ms time slices, debits the running vCPU every 10 ms tick, refills
 * credits every 30 ms accounting period and lets a woken vCPU preempt another only after that one ran
 * 1 ms (the rate limit). Here the slice and the accounting period are 10 ms, a third of Xen's: a worker
 * is a host thread that the host's own scheduler time-slices too, and a JVM's guest code reaches the
 * end of an interpreter slice every 0.1-1 ms, so 10 ms is still many instruction slices while a queue
 * of runnable vCPUs turns three times as often; the accounting period equals the slice as in Xen, and
 * a boost lasts at most a third of it, as Xen's lasts at most a tick. Run time is debited exactly at
 * the end of each run rather than sampled at ticks.
 *
 * @param workers          worker threads that run every vCPU (Xen's physical CPUs)
 * @param timeSliceNanos   how long a vCPU runs before another of its priority gets the worker; also the
 *                         accounting period, and the credit one worker hands out per period
 * @param rateLimitNanos   the least a vCPU runs before a woken one may preempt it (0: at once)
 * @param maxVcpus         vCPUs the scheduler can hold at once (sizes its queues)
 */
public record SchedulerConfig(int workers, long timeSliceNanos, long rateLimitNanos, int maxVcpus)
{
    /** Xen's default slice is 30 ms; see the class comment for why this is a third of it. */
    public static final long DEFAULT_TIME_SLICE_NANOS = 10_000_000L;
    /** Xen's default {@code sched_ratelimit_us}, 1000. */
    public static final long DEFAULT_RATE_LIMIT_NANOS = 1_000_000L;
    /** One vCPU for each possible domain id. */
    public static final int DEFAULT_MAX_VCPUS = 1 << 15;

    /** As many workers as the host has cores, and the periods above. */
    public static SchedulerConfig defaults()
    {
        return new SchedulerConfig(Runtime.getRuntime().availableProcessors(), DEFAULT_TIME_SLICE_NANOS,
            DEFAULT_RATE_LIMIT_NANOS, DEFAULT_MAX_VCPUS);
    }

    public SchedulerConfig withWorkers(final int count)
    {
        return new SchedulerConfig(count, timeSliceNanos, rateLimitNanos, maxVcpus);
    }

    public SchedulerConfig withTimeSliceNanos(final long nanos)
    {
        return new SchedulerConfig(workers, nanos, rateLimitNanos, maxVcpus);
    }

    public SchedulerConfig withRateLimitNanos(final long nanos)
    {
        return new SchedulerConfig(workers, timeSliceNanos, nanos, maxVcpus);
    }

    public SchedulerConfig withMaxVcpus(final int count)
    {
        return new SchedulerConfig(workers, timeSliceNanos, rateLimitNanos, count);
    }

    /**
     * @return this
     * @throws IllegalArgumentException naming the first setting out of range (one line)
     */
    public SchedulerConfig validate()
    {
        if (workers < 1 || workers > 4096)
        {
            throw new IllegalArgumentException("scheduler workers: " + workers + " is out of range (1-4096)");
        }
        if (timeSliceNanos < 100_000L || timeSliceNanos > 1_000_000_000L)
        {
            throw new IllegalArgumentException("scheduler time slice: " + timeSliceNanos +
                " ns is out of range (100 us - 1 s)");
        }
        if (rateLimitNanos < 0 || rateLimitNanos > timeSliceNanos)
        {
            throw new IllegalArgumentException("scheduler rate limit: " + rateLimitNanos +
                " ns is out of range (0 - the time slice, " + timeSliceNanos + " ns)");
        }
        if (maxVcpus < 1 || maxVcpus > 1 << 20)
        {
            throw new IllegalArgumentException("scheduler max vCPUs: " + maxVcpus + " is out of range (1-1048576)");
        }
        return this;
    }

    /** How long a woken vCPU keeps its boost while it runs: a third of the slice, as Xen's tick is. */
    long boostNanos()
    {
        return timeSliceNanos / 3;
    }
}
