package io.javisor.core.driver;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What the hypervisor saw of one driver domain over all its instances: grant maps carried out and
 * refused, protocol violations, instances started and restarts after a death.
 * <p>
 * Thread-safe: counters written by the sessions' threads and the supervisor, read by anyone.
 */
public final class DriverDomainStatistics
{
    private final AtomicLong maps = new AtomicLong();
    private final AtomicLong refusedMaps = new AtomicLong();
    private final AtomicLong protocolViolations = new AtomicLong();
    private final AtomicLong processesStarted = new AtomicLong();
    private final AtomicLong restarts = new AtomicLong();

    void map()
    {
        maps.incrementAndGet();
    }

    void refusedMap()
    {
        refusedMaps.incrementAndGet();
    }

    void protocolViolation()
    {
        protocolViolations.incrementAndGet();
    }

    void processStarted()
    {
        processesStarted.incrementAndGet();
    }

    void restart()
    {
        restarts.incrementAndGet();
    }

    /** Grant maps the hypervisor carried out for the driver domain. */
    public long maps()
    {
        return maps.get();
    }

    /** Grant maps refused (the grant was not the driver domain's, not in use, or read-only). */
    public long refusedMaps()
    {
        return refusedMaps.get();
    }

    /** Connections dropped for breaking the channel's protocol. */
    public long protocolViolations()
    {
        return protocolViolations.get();
    }

    /** Driver domain processes started (spares included). */
    public long processesStarted()
    {
        return processesStarted.get();
    }

    /** Times a serving instance died and another took its place. */
    public long restarts()
    {
        return restarts.get();
    }
}
