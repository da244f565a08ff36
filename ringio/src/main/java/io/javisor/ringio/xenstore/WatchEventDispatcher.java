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
 */
final class WatchEventDispatcher
{
    private final Queue<WatchEvent> pending = new ConcurrentLinkedQueue<>();
    private final ReentrantLock deliveryLock = new ReentrantLock();
    private final ErrorHandler errorHandler;

    WatchEventDispatcher(final ErrorHandler errorHandler)
    {
        this.errorHandler = errorHandler;
    }

    /**
     * Queue an event; call with the store's lock held.
     */
    void enqueue(final WatchEvent event)
    {
        pending.add(event);
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
