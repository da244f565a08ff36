package io.javisor.core.sched;

/**
 * The credit scheduler's counters, read racily (each counter has one writer), for {@code xl info}-like
 * output and benchmarks.
 *
 * @param workers           worker threads in the pool
 * @param vcpus             vCPUs registered and not yet done
 * @param queued            vCPUs on a run queue now
 * @param turns             vCPUs taken from a run queue by a worker so far (slice switches)
 * @param workerParks       times a worker parked for lack of work
 * @param accountingPasses  accounting passes so far
 * @param timersFired       waiting vCPUs woken by their deadline
 */
public record SchedulerStatistics(int workers, int vcpus, int queued, long turns, long workerParks,
    long accountingPasses, long timersFired)
{
}
