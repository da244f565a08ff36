package io.javisor.core.hypercall;

import io.javisor.memory.log.HostLog;
import io.javisor.ringio.event.EventChannels;
import io.javisor.ringio.event.EventWaiter;
import io.javisor.ringio.xenstore.XenStoreRingServer;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * dom0's xenstored for domains that run their own code: one thread serving every such domain's
 * xenstore ring page ({@link XenStoreRingServer}), woken by the domain's notifications on the
 * dom0 end of its store channel and by watch events; it notifies the domain back when it read a
 * request or wrote a reply. A domain's ring is served until {@link #remove}; a broken ring is given up
 * and logged once, and never affects another domain's.
 * <p>
 * Thread-safe: {@link #add} and {@link #remove} may be called from any thread (the toolstack); a
 * ring is served only under its connection's monitor, which {@link #remove} also takes, so that a
 * removed ring is never touched again.
 */
public final class XenStoreRingService implements AutoCloseable
{
    /** Parks at most this long without a wake-up, as a guard against a lost one. */
    private static final long MAX_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final EventChannels dom0Events;
    private final EventWaiter waiter = new EventWaiter();
    private final Map<Integer, Connection> connections = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean kicked;

    private static final class Connection
    {
        final XenStoreRingServer server;
        /** dom0's end of the domain's store channel. */
        final int port;
        boolean removed;
        boolean reportedBroken;

        Connection(final XenStoreRingServer server, final int port)
        {
            this.server = server;
            this.port = port;
        }
    }

    public XenStoreRingService(final EventChannels dom0Events)
    {
        this.dom0Events = dom0Events;
        this.thread = Thread.ofPlatform().name("dom0-xenstored").daemon().unstarted(this::run);
        thread.start();
    }

    /**
     * Serves {@code server}'s ring from now on; {@code dom0Port} is dom0's end of the domain's store
     * channel (bound already), which this service owns from now on and closes at {@link #remove}.
     */
    public void add(final XenStoreRingServer server, final int dom0Port)
    {
        final Connection connection = new Connection(server, dom0Port);
        if (connections.putIfAbsent(server.domid(), connection) != null)
        {
            throw new IllegalStateException("domain " + server.domid() + " has a xenstore ring already");
        }
        dom0Events.setWaiter(dom0Port, waiter);
        wake();
    }

    /** Stops serving the domain's ring, drops its watches and transactions, closes dom0's port. */
    public void remove(final int domid)
    {
        final Connection connection = connections.remove(domid);
        if (connection == null)
        {
            return;
        }
        synchronized (connection)
        {
            connection.removed = true;
            connection.server.close();
            dom0Events.close(connection.port);
        }
    }

    /** @return the domain's ring server, or null (for statistics and tests) */
    public XenStoreRingServer server(final int domid)
    {
        final Connection connection = connections.get(domid);
        return connection == null ? null : connection.server;
    }

    /** Any thread: have the service look at every ring soon (a watch event was queued). */
    public void wake()
    {
        kicked = true;
        waiter.wake();
    }

    private void run()
    {
        while (running)
        {
            kicked = false;
            boolean moved = false;
            for (final Connection connection : connections.values())
            {
                moved |= serve(connection);
            }
            if (!moved)
            {
                waiter.await(MAX_PARK_NANOS, this::hasWork);
            }
        }
    }

    /** A domain notified its store port, a watch event was queued, or the service is closing. */
    private boolean hasWork()
    {
        if (kicked || !running)
        {
            return true;
        }
        for (final Connection connection : connections.values())
        {
            if (dom0Events.isPending(connection.port))
            {
                return true;
            }
        }
        return false;
    }

    private boolean serve(final Connection connection)
    {
        synchronized (connection)
        {
            if (connection.removed)
            {
                return false;
            }
            dom0Events.clearPending(connection.port);
            boolean moved = false;
            try
            {
                moved = connection.server.serve();
            }
            catch (final RuntimeException ex)
            {
                // The server answers every request; this is a bug of ours, kept to this domain.
                HostLog.log("xenstored", "domain " + connection.server.domid() + "'s ring", ex);
                connections.remove(connection.server.domid(), connection);
                connection.removed = true;
                return false;
            }
            if (moved)
            {
                dom0Events.send(connection.port);
            }
            if (connection.server.brokenReason() != null && !connection.reportedBroken)
            {
                connection.reportedBroken = true;
                HostLog.log("xenstored", "domain " + connection.server.domid() + " broke its xenstore ring: " +
                    connection.server.brokenReason(), null);
            }
            return moved;
        }
    }

    @Override
    public void close()
    {
        running = false;
        wake();
        for (final Integer domid : Map.copyOf(connections).keySet())
        {
            remove(domid);
        }
        try
        {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
