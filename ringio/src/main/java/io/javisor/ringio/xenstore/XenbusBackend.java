package io.javisor.ringio.xenstore;

import io.javisor.ringio.xenstore.XenbusDevice.PeerStateWatch;
import io.javisor.ringio.xenstore.XenbusDevice.Side;

import java.util.function.Consumer;

/**
 * The back-end half of a split driver's xenbus protocol, shared by every back end: follows the
 * front end's state, reads its keys, and publishes the back end's state and errors.
 * <p>
 * The state rules (REFERENCE.md): a front end Initialised (or already Connected) is connected
 * once; a front end Closing is disconnected and the back end goes Closing then Closed; a front end
 * Closed (or gone) is disconnected and the back end goes Closed; a front end Initialising again
 * after the back end closed is offered the device anew (InitWait). Writes of the back end's state
 * that the state machine refuses, or that find the nodes gone with the guest, change nothing.
 * <p>
 * Its watch on the front end's state is dom0's, so releasing the guest does not remove it:
 * {@link #destroy()} does, or every detached device would leave a watch (and, through its listener,
 * the whole device) behind in xenstore.
 */
public final class XenbusBackend
{
    /**
     * What a back end does when the front end asks for it.
     */
    public interface Driver
    {
        /**
         * Maps the rings, binds the event channel, publishes what the front end needs, goes Connected.
         *
         * @return true when connected; false after publishing why not.
         */
        boolean connect();

        /**
         * Unmaps and unbinds whatever {@link #connect()} set up; harmless when not connected.
         */
        void disconnect();

        boolean isConnected();
    }

    private final XenbusDevice device;
    /** Set once by {@link #watchFrontend}, closed by {@link #destroy}; either may run on another thread. */
    private volatile PeerStateWatch frontendWatch;

    public XenbusBackend(final XenbusDevice device)
    {
        this.device = device;
    }

    public XenbusDevice device()
    {
        return device;
    }

    /**
     * Applies the state rules to the front end's current state.
     *
     * @return true when this call connected the device.
     */
    public boolean followFrontend(final Driver driver)
    {
        final XenbusState front = device.peerState(Side.BACKEND);
        final XenbusState back = device.state(Side.BACKEND);
        switch (front)
        {
            case INITIALISED, CONNECTED ->
            {
                if (!driver.isConnected() && (back == XenbusState.INIT_WAIT || back == XenbusState.INITIALISED))
                {
                    return driver.connect();
                }
            }
            case CLOSING ->
            {
                driver.disconnect();
                switchTo(XenbusState.CLOSING);
                switchTo(XenbusState.CLOSED);
            }
            case CLOSED, UNKNOWN ->
            {
                driver.disconnect();
                switchTo(XenbusState.CLOSED);
            }
            case INITIALISING ->
            {
                if (back == XenbusState.CLOSED)
                {
                    driver.disconnect();
                    switchTo(XenbusState.INIT_WAIT);
                }
            }
            default ->
            {
            }
        }
        return false;
    }

    /**
     * Follows the front end's state until {@link #destroy()}: {@code listener} hears it at once, then
     * each change, as {@link XenbusDevice#watchPeerState} says.
     *
     * @throws IllegalStateException when the front end is watched already.
     */
    public void watchFrontend(final Consumer<XenbusState> listener)
    {
        if (frontendWatch != null)
        {
            throw new IllegalStateException(device + ": the front end is watched already");
        }
        frontendWatch = device.watchPeerState(Side.BACKEND, listener);
    }

    public XenbusState state()
    {
        return device.state(Side.BACKEND);
    }

    /**
     * Publishes the back end's state unless it is already that; refused or vanished writes are ignored.
     */
    public void switchTo(final XenbusState state)
    {
        try
        {
            if (device.state(Side.BACKEND) != state)
            {
                device.switchState(Side.BACKEND, state);
            }
        }
        catch (final IllegalStateException | XenStoreException ex)
        {
            // Refused by the state machine, or the nodes went with the guest: nothing to undo.
        }
    }

    public void write(final String key, final String value)
    {
        device.write(Side.BACKEND, key, value);
    }

    /**
     * Publishes why the back end gives up on the front end (the {@code error} key); the caller then
     * goes Closing.
     */
    public void publishError(final String reason)
    {
        try
        {
            device.write(Side.BACKEND, "error", reason);
        }
        catch (final XenStoreException ignore)
        {
            // The guest may be gone already.
        }
    }

    /**
     * @return the front end's value of {@code key}, or {@code missing} when it has none.
     */
    public String readFrontend(final String key, final String missing)
    {
        try
        {
            return device.readPeer(Side.BACKEND, key);
        }
        catch (final XenStoreException ex)
        {
            return missing;
        }
    }

    /**
     * @throws IllegalArgumentException (one line) when the key is missing or not a number.
     */
    public int readFrontendInt(final String key)
    {
        final String value = readFrontend(key, null);
        if (value == null)
        {
            throw new IllegalArgumentException("front end has no " + key);
        }
        try
        {
            return Integer.parseInt(value.trim());
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("front end's " + key + " is not a number: '" + value + "'");
        }
    }

    /**
     * Disconnects for good (detach): the front end no longer watched, Closed, and the device's nodes
     * removed.
     */
    public void destroy()
    {
        final PeerStateWatch watch = frontendWatch;
        if (watch != null)
        {
            watch.close();
        }
        try
        {
            switchTo(XenbusState.CLOSED);
            device.destroy();
        }
        catch (final XenStoreException ignore)
        {
            // Gone with the guest.
        }
    }
}
