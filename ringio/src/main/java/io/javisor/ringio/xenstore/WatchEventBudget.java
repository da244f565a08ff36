package io.javisor.ringio.xenstore;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts, per domain, the watch events queued and not yet delivered, and the events dropped because
 * the domain had {@code maxQueued} of them waiting already.
 * <p>
 * Thread-safe with one admitting thread at a time: {@link #tryAdmit} is called only with the store's
 * lock held, so no two admissions race; {@link #release} is called by whichever thread is delivering,
 * without that lock. A release only ever makes room, so a check-then-increment in {@link #tryAdmit}
 * can never take a domain past its limit.
 * <p>
 * Holds one small counter pair per domain id that has ever had an event, at most one per possible
 * domain id; a released domain's counters are kept, since its last events may still be in the queue.
 */
final class WatchEventBudget
{
    private static final class Counters
    {
        // Invariant: 0 <= queued <= maxQueued.
        final AtomicInteger queued = new AtomicInteger();
        final AtomicLong dropped = new AtomicLong();
    }

    private final int maxQueued;
    private final ConcurrentHashMap<Integer, Counters> countersByDomain = new ConcurrentHashMap<>();

    WatchEventBudget(final int maxQueued)
    {
        this.maxQueued = maxQueued;
    }

    /**
     * Take a queue slot for an event to the domain; call with the store's lock held.
     *
     * @return true when the event may be queued; false when the domain's queue is full, in which case
     * the event is counted as dropped.
     */
    boolean tryAdmit(final int domid)
    {
        final Counters counters = countersByDomain.computeIfAbsent(domid, _ -> new Counters());
        if (counters.queued.get() >= maxQueued)
        {
            counters.dropped.incrementAndGet();
            return false;
        }
        counters.queued.incrementAndGet();
        return true;
    }

    /**
     * Give back the slot of an event taken off the queue.
     */
    void release(final int domid)
    {
        countersByDomain.get(domid).queued.decrementAndGet();
    }

    int queuedCount(final int domid)
    {
        final Counters counters = countersByDomain.get(domid);
        return null == counters ? 0 : counters.queued.get();
    }

    long droppedCount(final int domid)
    {
        final Counters counters = countersByDomain.get(domid);
        return null == counters ? 0 : counters.dropped.get();
    }
}
