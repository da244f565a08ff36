package io.javisor.perf.density;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;

/**
 * Garbage collections and the time the JVM reports spending in them, summed over its collectors: a
 * phase's share (the difference of two readings) tells how much of its tail is the collector's.
 *
 * @param collections collections so far.
 * @param millis      milliseconds spent in them so far (the collectors' own accounting).
 */
record GcActivity(long collections, long millis)
{
    static GcActivity now()
    {
        long collections = 0;
        long millis = 0;
        for (final GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans())
        {
            collections += Math.max(0, collector.getCollectionCount());
            millis += Math.max(0, collector.getCollectionTime());
        }
        return new GcActivity(collections, millis);
    }

    GcActivity since(final GcActivity earlier)
    {
        return new GcActivity(collections - earlier.collections, millis - earlier.millis);
    }
}
