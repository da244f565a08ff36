package io.javisor.ringio.event;

import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Where an event wakes a thread or an agent. The sending side never takes a lock: it publishes
 * its pending bit (a volatile/CAS store) and then reads {@code waiting} (volatile); the waiting
 * side publishes {@code waiting} and then re-checks its condition. Both orders are sequentially
 * consistent, so one of them sees the other and no wake-up is lost.
 */
public final class EventWaiter
{
    private volatile Thread waiting;
    private volatile long wakeups;

    /**
     * Wakes the thread parked in {@link #await}, if any.
     */
    public void wake()
    {
        final Thread thread = waiting;
        if (thread != null)
        {
            LockSupport.unpark(thread);
        }
    }

    /**
     * Parks the calling thread until {@code ready} holds or {@code timeoutNs} passes. Returns from
     * a park that finds {@code ready} still false (a stale permit, a spurious wake-up) park again.
     *
     * @return the value of {@code ready} on return.
     */
    public boolean await(final long timeoutNs, final BooleanSupplier ready)
    {
        if (ready.getAsBoolean())
        {
            return true;
        }
        final long deadline = System.nanoTime() + timeoutNs;
        waiting = Thread.currentThread();
        try
        {
            while (!ready.getAsBoolean())
            {
                final long remaining = deadline - System.nanoTime();
                if (remaining <= 0)
                {
                    return false;
                }
                LockSupport.parkNanos(this, remaining);
                wakeups++;
            }
            return true;
        }
        finally
        {
            waiting = null;
        }
    }

    /**
     * How many times the waiting thread returned from a park (woken or timed out).
     */
    public long wakeups()
    {
        return wakeups;
    }
}
