package io.javisor.ringio.xenstore;

import io.javisor.ringio.xenstore.XenbusDevice.Side;

import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * The front end's side of a back end that restarts (a driver domain killed and started again): a
 * watch on the back end's state that raises {@link #lost()} when it leaves Connected, and the
 * xenbus sequence that connects the front end to the back end's next instance.
 * <p>
 * Not thread-safe except {@link #lost()}: owned by the front end's thread. The watch's listener runs
 * on the xenstore connection's thread and only sets the volatile flag and calls the wake action.
 */
public final class BackendRestarts
{
    private final XenbusFrontend xenbus;
    private final Duration timeout;
    private final Runnable wake;
    /** Set by the watch when the back end leaves Connected; cleared by the owner when it reconnects. */
    private volatile boolean lost;
    /** Set by the watch when the back end went Closing: a detach, not a restart (a dead instance is marked Closed). */
    private volatile boolean closing;
    private XenbusDevice.PeerStateWatch watch;
    /** This front end answered a detach with Closed: its directory is the toolstack's to remove, not to write again. */
    private boolean answeredClose;

    /**
     * @param timeout bounds each wait for the back end's next instance, and the whole reconnection.
     * @param wake    wakes the front end's thread (its event waiter) when the back end is lost.
     */
    public BackendRestarts(final XenbusFrontend xenbus, final Duration timeout, final Runnable wake)
    {
        this.xenbus = xenbus;
        this.timeout = timeout;
        this.wake = wake;
    }

    /**
     * Waits for the back end's state to satisfy {@code condition}, through Closed and Closing (where
     * a back end being restarted passes).
     *
     * @throws IllegalStateException when no instance reaches it within the timeout.
     */
    public void awaitBack(final Predicate<XenbusState> condition)
    {
        try
        {
            xenbus.device().awaitPeerState(Side.FRONTEND, condition, timeout);
        }
        catch (final TimeoutException ex)
        {
            throw new IllegalStateException(xenbus.what() + " did not come (back) to InitWait within " + timeout);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for the " + xenbus.what());
        }
    }

    /**
     * Watches the back end, once both ends are Connected.
     */
    public void watch()
    {
        watch = xenbus.device().watchPeerState(Side.FRONTEND, state ->
        {
            if (state != XenbusState.CONNECTED)
            {
                if (state == XenbusState.CLOSING)
                {
                    closing = true;
                }
                lost = true;
                wake.run();
            }
        });
    }

    /**
     * @return whether the back end has left Connected since the last (re)connection.
     */
    public boolean lost()
    {
        return lost;
    }

    /**
     * Connects to the back end's next instance: the front end goes Closed and Initialising, waits for
     * the instance's InitWait and runs {@code handshake}; an instance that goes before Connected
     * (killed again) is followed by the next one until the timeout. Every attempt starts from rings
     * {@code resetRings} has made fresh, as the new instance maps them anew.
     *
     * @throws BackendClosedException when the back end closed the device instead (a detach: it went
     *                                Closing or wrote {@code online = 0}); the front end has gone Closed.
     * @throws IllegalStateException  when no instance connects within the timeout.
     */
    public void reconnect(final Runnable resetRings, final Runnable handshake)
    {
        lost = false;
        stopWatching();
        if (closing || "0".equals(xenbus.readBackend("online")))
        {
            // Xen's answer to a back end's Closing: the front end closes too, and the back end can finish.
            xenbus.switchTo(XenbusState.CLOSED);
            answeredClose = true;
            throw new BackendClosedException("the " + xenbus.what() + " closed the device (detached)");
        }
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (true)
        {
            resetRings.run();
            xenbus.switchTo(XenbusState.CLOSED);
            xenbus.switchTo(XenbusState.INITIALISING);
            awaitBack(s -> s == XenbusState.INIT_WAIT);
            try
            {
                handshake.run();
                break;
            }
            catch (final IllegalStateException ex)
            {
                if (System.nanoTime() - deadline > 0)
                {
                    throw ex;
                }
            }
        }
        watch();
    }

    /**
     * @return whether the back end closed the device and this front end answered: its close has no
     * handshake left to do.
     */
    public boolean closedByBackend()
    {
        return answeredClose;
    }

    /**
     * Stops watching (at close, or before a reconnection).
     */
    public void stopWatching()
    {
        if (watch != null)
        {
            watch.close();
            watch = null;
        }
    }
}
