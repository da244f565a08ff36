package io.javisor.ringio.xenstore;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The XenStore side of one split device: where its front and back ends keep their nodes, how the
 * toolstack creates them, and how each end publishes its {@link XenbusState} and follows its peer's.
 * <p>
 * The front end lives at {@code /local/domain/<fe>/device/<type>/<devid>}, owned by the front-end
 * domain and readable by the back-end domain; the back end at
 * {@code /local/domain/<be>/backend/<type>/<fe>/<devid>}, owned by the back-end domain and readable
 * by the front-end domain. Each points at the other: the front end through {@code backend} and
 * {@code backend-id}, the back end through {@code frontend} and {@code frontend-id}. Each end reads
 * and writes as its own domain, so the store's permission checks apply to it as to a real driver.
 * <p>
 * Made from a domain's {@link XenStoreConnection}, a device acts only as that domain: the end it runs
 * is the one whose domain it is, and asking it to act as the other end is refused before the store is
 * reached. Made from the {@link XenStore} itself (the toolstack, tests), it acts as each end's domain.
 * <p>
 * Thread-safe: it holds no mutable state of its own; the store serialises the operations.
 */
public final class XenbusDevice
{
    /** One end of the device. */
    public enum Side
    {
        FRONTEND,
        BACKEND;

        /**
         * @return the other end.
         */
        public Side peer()
        {
            return this == FRONTEND ? BACKEND : FRONTEND;
        }
    }

    /** The node in each end's directory that holds its state. */
    public static final String STATE = "state";

    private static final AtomicLong WATCH_TOKENS = new AtomicLong();
    private static final int ANY_DOMAIN = -1;

    private final XenStore store;
    /** The only domain this device may act as, or {@link #ANY_DOMAIN} for the store's holder. */
    private final int actingDomid;
    private final String type;
    private final int frontendDomid;
    private final int backendDomid;
    private final int deviceId;
    private final String frontendPath;
    private final String backendPath;

    /**
     * @param type          the device class, a single path component such as {@code vbd} or {@code vif}.
     * @param frontendDomid the guest that runs the front end.
     * @param backendDomid  the domain that runs the back end: dom0 or a driver domain.
     * @param deviceId      the device id, e.g. 51712 for xvda.
     */
    public XenbusDevice(
        final XenStore store, final String type, final int frontendDomid, final int backendDomid, final int deviceId)
    {
        this(store, ANY_DOMAIN, type, frontendDomid, backendDomid, deviceId);
    }

    /**
     * A device seen by one domain: it acts as {@code connection}'s domain only.
     *
     * @throws XenStoreException EINVAL when that domain is neither end of the device.
     */
    public XenbusDevice(
        final XenStoreConnection connection, final String type, final int frontendDomid, final int backendDomid,
        final int deviceId)
    {
        this(connection.store(), connection.domid(), type, frontendDomid, backendDomid, deviceId);
        if (connection.domid() != frontendDomid && connection.domid() != backendDomid)
        {
            throw new XenStoreException(XenStoreError.EINVAL,
                "domain " + connection.domid() + " is neither end of " + type + "/" + deviceId);
        }
    }

    private XenbusDevice(
        final XenStore store, final int actingDomid, final String type, final int frontendDomid,
        final int backendDomid, final int deviceId)
    {
        if (null == type || type.isEmpty() || type.indexOf('/') >= 0 || type.charAt(0) == '@')
        {
            throw new XenStoreException(XenStoreError.EINVAL, "device type must be one path component: " + type);
        }
        if (deviceId < 0)
        {
            throw new XenStoreException(XenStoreError.EINVAL, "negative device id " + deviceId);
        }
        this.store = store;
        this.actingDomid = actingDomid;
        this.type = type;
        this.frontendDomid = XenDomainIds.requireValid(frontendDomid);
        this.backendDomid = XenDomainIds.requireValid(backendDomid);
        this.deviceId = deviceId;
        this.frontendPath = XenStorePaths.canonicalize(frontendDomid,
            XenStorePaths.domainPath(frontendDomid) + "/device/" + type + '/' + deviceId);
        this.backendPath = XenStorePaths.canonicalize(backendDomid,
            XenStorePaths.domainPath(backendDomid) + "/backend/" + type + '/' + frontendDomid + '/' + deviceId);
    }

    public String type()
    {
        return type;
    }

    public int deviceId()
    {
        return deviceId;
    }

    public String frontendPath()
    {
        return frontendPath;
    }

    public String backendPath()
    {
        return backendPath;
    }

    /**
     * @return the directory of the given end.
     */
    public String path(final Side side)
    {
        return side == Side.FRONTEND ? frontendPath : backendPath;
    }

    /**
     * @return the domain that runs the given end.
     */
    public int domid(final Side side)
    {
        return side == Side.FRONTEND ? frontendDomid : backendDomid;
    }

    /**
     * The domain an operation for {@code side} is made as: that end's domain for the store's holder;
     * for a connection, its own domain, which must run that end unless it is dom0 (the toolstack).
     */
    private int actAs(final Side side)
    {
        final int domid = domid(side);
        if (actingDomid == XenDomainIds.DOM0)
        {
            return XenDomainIds.DOM0; // the toolstack may write either end's directory, as itself
        }
        if (actingDomid != ANY_DOMAIN && actingDomid != domid)
        {
            throw new XenStoreException(XenStoreError.EACCES,
                "domain " + actingDomid + " cannot act as the " + side + " of " + this);
        }
        return domid;
    }

    /** Creating and removing both ends is the toolstack's work: dom0 for a store holder. */
    private int toolstackDomid()
    {
        return actingDomid == ANY_DOMAIN ? XenDomainIds.DOM0 : actingDomid;
    }

    /**
     * Create both directories with their permissions, cross links and both states
     * {@link XenbusState#INITIALISING}, atomically, as the toolstack in dom0 does when a device is
     * attached. Introduce both domains first, so that their homes carry their own permissions.
     */
    public void create()
    {
        store.transact(toolstackDomid(), transaction ->
        {
            transaction.mkdir(backendPath);
            transaction.setPermissions(backendPath, NodePermissions.of(backendDomid, XenStoreAccess.NONE,
                new NodePermissions.Grant(frontendDomid, XenStoreAccess.READ)));
            transaction.write(backendPath + "/frontend", frontendPath);
            transaction.write(backendPath + "/frontend-id", Integer.toString(frontendDomid));
            transaction.write(backendPath + "/online", "1");
            transaction.write(backendPath + '/' + STATE, XenbusState.INITIALISING.toText());

            transaction.mkdir(frontendPath);
            transaction.setPermissions(frontendPath, NodePermissions.of(frontendDomid, XenStoreAccess.NONE,
                new NodePermissions.Grant(backendDomid, XenStoreAccess.READ)));
            transaction.write(frontendPath + "/backend", backendPath);
            transaction.write(frontendPath + "/backend-id", Integer.toString(backendDomid));
            transaction.write(frontendPath + '/' + STATE, XenbusState.INITIALISING.toText());
            return null;
        });
    }

    /**
     * Remove both directories, as the toolstack does once a device is detached.
     */
    public void destroy()
    {
        store.transact(toolstackDomid(), transaction ->
        {
            transaction.rm(frontendPath);
            transaction.rm(backendPath);
            return null;
        });
    }

    /**
     * Write a key into the given end's own directory, as that end's domain.
     */
    public void write(final Side side, final String key, final String value)
    {
        store.write(actAs(side), path(side) + '/' + key, value);
    }

    /**
     * Read a key from the given end's own directory, as that end's domain.
     */
    public String readOwn(final Side side, final String key)
    {
        return store.readString(actAs(side), path(side) + '/' + key);
    }

    /**
     * Read a key from the peer's directory, as the given end's domain.
     */
    public String readPeer(final Side side, final String key)
    {
        return store.readString(actAs(side), path(side.peer()) + '/' + key);
    }

    /**
     * @return the state the given end has published, read as that end's domain; {@link XenbusState#UNKNOWN}
     * when it has none.
     */
    public XenbusState state(final Side side)
    {
        return readState(actAs(side), path(side) + '/' + STATE);
    }

    /**
     * @return the state the peer of the given end has published, read as the given end's domain;
     * {@link XenbusState#UNKNOWN} when it has none or it cannot be read.
     */
    public XenbusState peerState(final Side side)
    {
        return readState(actAs(side), path(side.peer()) + '/' + STATE);
    }

    /**
     * Publish a new state for the given end, as that end's domain, after checking the change with
     * {@link XenbusStateMachine}. Rewriting the current state is a no-op.
     *
     * @return the state the end was in.
     * @throws IllegalStateException when the change is not legal; nothing is written then.
     */
    public XenbusState switchState(final Side side, final XenbusState newState)
    {
        final String statePath = path(side) + '/' + STATE;
        return store.transact(actAs(side), transaction ->
        {
            final XenbusState current = stateIn(transaction, statePath);
            if (current == XenbusState.UNKNOWN && (newState == XenbusState.CLOSING || newState == XenbusState.CLOSED))
            {
                // The device's directory is gone (the toolstack removed it after a detach): closing it is
                // done, and writing the state would make the directory again, left to nobody (as Linux's
                // xenbus_switch_state, which does not write a state it cannot read).
                return current;
            }
            XenbusStateMachine.requireLegal(current, newState);
            if (current != newState)
            {
                transaction.write(statePath, newState.toText());
            }
            return current;
        });
    }

    /**
     * Follow the peer's state: {@code listener} hears the peer's state at once, then each time it
     * changes. It runs as a {@link XenStoreWatcher} does: outside the store's lock, one call at a time,
     * and must not block. States written and overwritten before the listener ran are not reported;
     * the same state is never reported twice in a row.
     *
     * @return a handle whose {@link PeerStateWatch#close()} stops the reports.
     */
    public PeerStateWatch watchPeerState(final Side side, final Consumer<XenbusState> listener)
    {
        final int domid = actAs(side);
        final String peerState = path(side.peer()) + '/' + STATE;
        final String token = "xenbus-" + type + '-' + deviceId + '-' + side + '-' + WATCH_TOKENS.incrementAndGet();
        final AtomicReference<XenbusState> lastReported = new AtomicReference<>();
        store.watch(domid, peerState, token, (_, _) ->
        {
            final XenbusState state = readState(domid, peerState);
            if (lastReported.getAndSet(state) != state)
            {
                listener.accept(state);
            }
        });
        return new PeerStateWatch(store, domid, peerState, token);
    }

    /**
     * Block until the peer's state satisfies {@code condition}. Never call this from a watcher: it
     * would wait for the very delivery it holds up.
     *
     * @return the first state seen that satisfies the condition.
     * @throws TimeoutException when the timeout passes first.
     */
    public XenbusState awaitPeerState(final Side side, final Predicate<XenbusState> condition, final Duration timeout)
        throws InterruptedException, TimeoutException
    {
        final CompletableFuture<XenbusState> reached = new CompletableFuture<>();
        try (PeerStateWatch _ = watchPeerState(side, state ->
        {
            if (condition.test(state))
            {
                reached.complete(state);
            }
        }))
        {
            return reached.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        }
        catch (final ExecutionException ex)
        {
            throw new IllegalStateException("never completed exceptionally", ex);
        }
    }

    @Override
    public String toString()
    {
        return "XenbusDevice{" + type + '/' + deviceId + ", frontend=" + frontendPath + ", backend=" + backendPath + '}';
    }

    private XenbusState readState(final int domid, final String statePath)
    {
        try
        {
            return XenbusState.parse(store.readString(domid, statePath));
        }
        catch (final XenStoreException ex)
        {
            return XenbusState.UNKNOWN;
        }
    }

    private static XenbusState stateIn(final Transaction transaction, final String statePath)
    {
        try
        {
            return XenbusState.parse(transaction.readString(statePath));
        }
        catch (final XenStoreException ex)
        {
            if (ex.error() == XenStoreError.ENOENT)
            {
                return XenbusState.UNKNOWN;
            }
            throw ex;
        }
    }

    /**
     * A registered watch on a peer's state.
     */
    public static final class PeerStateWatch implements AutoCloseable
    {
        private final XenStore store;
        private final int domid;
        private final String path;
        private final String token;

        private PeerStateWatch(final XenStore store, final int domid, final String path, final String token)
        {
            this.store = store;
            this.domid = domid;
            this.path = path;
            this.token = token;
        }

        /**
         * Stop the reports. Harmless when the watch is gone already, e.g. because its domain was released.
         */
        @Override
        public void close()
        {
            try
            {
                store.unwatch(domid, path, token);
            }
            catch (final XenStoreException ex)
            {
                if (ex.error() != XenStoreError.ENOENT && ex.error() != XenStoreError.EPERM)
                {
                    throw ex;
                }
            }
        }
    }
}
