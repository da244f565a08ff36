package io.javisor.ringio.xenstore;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;

import org.agrona.ErrorHandler;

/**
 * Delivers watch events outside the store's lock, in the order the changes happened.
 * <p>
 * Events are queued while the store's lock is held, so queue order is the order of the changes.
 * After its operation a caller drains the queue; one thread drains at a time, so watchers are called
 * one at a time and in order. A caller that finds another thread draining leaves its events to that
 * thread, and a watcher that calls the store leaves the events it causes to the loop it runs in.
 * <p>
 * The queue is bounded per domain ({@link WatchEventBudget}): once a domain has its quota of events
 * waiting, further events for it are dropped and counted rather than queued, so a domain whose
 * watcher is slow (or a flood of changes while a watcher runs) cannot grow dom0's heap without
 * limit, and other domains' events still get through. Xen's oxenstored bounds this queue too but
 * stops reading requests from the connection that caused the overflow instead; javisor's store is
 * called directly, with no request stream to hold back, so it drops. A watcher that must not miss a
 * change re-reads the nodes it watches after any event, as xenbus drivers do.
 * <p>
 * Thread-safe: {@link #enqueue} runs under the store's lock (its single writer), {@link #deliver}
 * on any caller thread, one at a time.
 */
final class WatchEventDispatcher
{
    private final Queue<WatchEvent> pending = new ConcurrentLinkedQueue<>();
    private final ReentrantLock deliveryLock = new ReentrantLock();
    private final ErrorHandler errorHandler;
    // Invariant: for each domain, the number of its events in pending is its budget's queued count.
    private final WatchEventBudget budget;

    WatchEventDispatcher(final ErrorHandler errorHandler, final int maxQueuedPerDomain)
    {
        this.errorHandler = errorHandler;
        this.budget = new WatchEventBudget(maxQueuedPerDomain);
    }

    /**
     * Queue an event, or drop it when its domain has its quota of events waiting; call with the
     * store's lock held.
     */
    void enqueue(final WatchEvent event)
    {
        if (budget.tryAdmit(event.watch().domid()))
        {
            pending.add(event);
        }
    }

    int queuedCount(final int domid)
    {
        return budget.queuedCount(domid);
    }

    long droppedCount(final int domid)
    {
        return budget.droppedCount(domid);
    }

    /**
     * Deliver queued events; call without the store's lock held.
     */
    void deliver()
    {
        if (deliveryLock.isHeldByCurrentThread())
        {
            return;
        }
        // Recheck after unlocking: an event queued while this thread was finishing its last poll
        // found the lock held and was left to this thread.
        while (!pending.isEmpty())
        {
            if (!deliveryLock.tryLock())
            {
                return;
            }
            try
            {
                WatchEvent event;
                while (null != (event = pending.poll()))
                {
                    budget.release(event.watch().domid());
                    deliverOne(event);
                }
            }
            finally
            {
                deliveryLock.unlock();
            }
        }
    }

    private void deliverOne(final WatchEvent event)
    {
        final Watch watch = event.watch();
        if (!watch.isActive())
        {
            return;
        }
        try
        {
            watch.watcher().onWatchEvent(event.path(), watch.token());
        }
        catch (final Throwable ex)
        {
            errorHandler.onError(ex);
        }
    }
}
