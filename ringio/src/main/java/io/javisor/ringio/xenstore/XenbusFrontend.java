package io.javisor.ringio.xenstore;

import io.javisor.ringio.xenstore.XenbusDevice.Side;

import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * The front-end half of a split driver's xenbus protocol, shared by every front end: waits for the
 * back end's states with a one-line error naming what went wrong (and the back end's {@code error}
 * key if it published one), reads the back end's keys, and closes.
 */
public final class XenbusFrontend
{
    private final XenbusDevice device;
    private final String what;

    /**
     * @param what names the back end in errors, e.g. "block back end".
     */
    public XenbusFrontend(final XenbusDevice device, final String what)
    {
        this.device = device;
        this.what = what;
    }

    public XenbusDevice device()
    {
        return device;
    }

    /**
     * @return what the back end is called in errors, e.g. "block back end".
     */
    public String what()
    {
        return what;
    }

    /**
     * Waits until the back end's state satisfies {@code condition}.
     *
     * @param stateName names the awaited state in the error.
     * @throws IllegalStateException when the back end closes or the timeout passes first.
     */
    public void awaitBackend(final Predicate<XenbusState> condition, final String stateName, final Duration timeout)
    {
        try
        {
            final XenbusState state = device.awaitPeerState(Side.FRONTEND,
                s -> condition.test(s) || s == XenbusState.CLOSING || s == XenbusState.CLOSED, timeout);
            if (!condition.test(state))
            {
                throw new IllegalStateException(what + " went " + state + " before " + stateName + backendError());
            }
        }
        catch (final TimeoutException ex)
        {
            throw new IllegalStateException(what + " did not reach " + stateName + " within " + timeout + backendError());
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for the " + what);
        }
    }

    /**
     * @return the back end's value of {@code key}, or null when it has none.
     */
    public String readBackend(final String key)
    {
        try
        {
            return device.readPeer(Side.FRONTEND, key);
        }
        catch (final XenStoreException ex)
        {
            return null;
        }
    }

    /**
     * @return this front end's own value of {@code key} (written there by the toolstack), or null.
     */
    public String readOwn(final String key)
    {
        try
        {
            return device.readOwn(Side.FRONTEND, key);
        }
        catch (final XenStoreException ex)
        {
            return null;
        }
    }

    public void write(final String key, final String value)
    {
        device.write(Side.FRONTEND, key, value);
    }

    public void switchTo(final XenbusState state)
    {
        device.switchState(Side.FRONTEND, state);
    }

    /**
     * Closing, then waits (bounded) for the back end to close, then Closed. A back end that is gone
     * or stuck is not waited for beyond {@code timeout}.
     */
    public void close(final Duration timeout)
    {
        try
        {
            device.switchState(Side.FRONTEND, XenbusState.CLOSING);
            device.awaitPeerState(Side.FRONTEND, s -> s == XenbusState.CLOSED || s == XenbusState.UNKNOWN, timeout);
            device.switchState(Side.FRONTEND, XenbusState.CLOSED);
        }
        catch (final TimeoutException | RuntimeException ex)
        {
            // The back end is gone or stuck: the caller releases what it does not hold.
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private String backendError()
    {
        final String error = readBackend("error");
        return error == null ? "" : ": " + error;
    }
}
