package io.javisor.blkback;

import io.javisor.memory.log.HostLog;
import io.javisor.blkback.image.DiskImage;
import io.javisor.blkback.wire.BlkifDescriptor;
import io.javisor.memory.GrantStatus;
import io.javisor.memory.PageDescriptor;
import io.javisor.ringio.ring.SharedRingDescriptor;
import io.javisor.ringio.BackendResources;
import io.javisor.ringio.event.EventWaiter;
import io.javisor.ringio.ring.BackRing;
import io.javisor.ringio.xenstore.XenStoreException;
import io.javisor.ringio.xenstore.XenbusBackend;
import io.javisor.ringio.xenstore.XenbusDevice;
import io.javisor.ringio.xenstore.XenbusDevice.Side;
import io.javisor.ringio.xenstore.XenbusState;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.function.Consumer;

import static io.javisor.blkback.BlkifXenstoreKeys.*;

/**
 * The back-end half of one virtual block device: a disk image served to one front end over one
 * blkif ring. Its control plane (the xenbus handshake, mapping the ring, binding the event
 * channel, tearing down) runs on the serving {@link BlkBackend} agent's thread, driven by watch
 * events on the front end's state; its data plane is {@link BlkRequestServer}.
 * <p>
 * Its image operations that may block run on the device's own {@link ImageIoExecutor} (started on
 * first need, stopped on detach). Every field but the volatile ones is written by the serving
 * agent only. Invariant: a grant mapping an executor op may be using stays mapped until the op
 * has come back to the agent — a disconnect with ops in flight therefore keeps the persistent
 * grants ({@link #releaseRetiredGrants}) and leaves the ops' transient mappings to their
 * completion, and bumps the connection generation so that their responses are dropped rather
 * than written into a ring that is gone or belongs to a new connection.
 */
public final class Vbd
{
    /** Indirect segments per request the back end accepts (Linux's default is 32; 256 = 1 MiB). */
    public static final int MAX_INDIRECT_SEGMENTS = 256;
    /** Persistent grants kept per device: every slot's segments, three times over, as Linux's 1056. */
    public static final int MAX_PERSISTENT_GRANTS = 32 * BlkifDescriptor.MAX_SEGMENTS_PER_REQUEST * 3;

    private final BackendResources backend;
    private final int frontendDomid;
    private final int deviceId;
    private final DiskImage image;
    private final boolean readOnly;
    private final XenbusDevice xenbus;
    private final XenbusBackend backendXenbus;
    private final VbdStatistics statistics = new VbdStatistics();
    private final UnsafeBuffer ringPage = new UnsafeBuffer(0, 0);

    private BackRing ring;
    private int ringHandle = -1;
    private int port = -1;
    private PersistentGrants persistentGrants;
    private ImageIoExecutor io;
    private int generation;
    private java.util.List<PersistentGrants> retiredGrants;
    private volatile String disconnectReason;
    private volatile boolean detached;
    // The serving agent's bookkeeping (BlkBackend, DENSITY), written by that agent only: the port
    // it serves the device on (kept past a disconnect, which forgets the port), whether the device is
    // queued to be served again, and whether it is among the devices with an IO executor.
    int servedPort = -1;
    boolean queuedAgain;
    boolean trackedIo;

    Vbd(final BackendResources backend, final int frontendDomid, final int deviceId, final DiskImage image, final boolean readOnly)
    {
        this.backend = backend;
        this.frontendDomid = frontendDomid;
        this.deviceId = deviceId;
        this.image = image;
        this.readOnly = readOnly || image.isReadOnly();
        this.xenbus = new XenbusDevice(backend.xenStore(), DEVICE_TYPE, frontendDomid, backend.domid(), deviceId);
        this.backendXenbus = new XenbusBackend(xenbus);
    }

    public int frontendDomid()
    {
        return frontendDomid;
    }

    public int deviceId()
    {
        return deviceId;
    }

    public DiskImage image()
    {
        return image;
    }

    public boolean isReadOnly()
    {
        return readOnly;
    }

    public VbdStatistics statistics()
    {
        return statistics;
    }

    public boolean isConnected()
    {
        return ring != null;
    }

    /**
     * Why the back end last dropped the connection (a protocol error of the front end), or null.
     */
    public String disconnectReason()
    {
        return disconnectReason;
    }

    public XenbusState backendState()
    {
        return xenbus.state(Side.BACKEND);
    }

    XenbusDevice xenbus()
    {
        return xenbus;
    }

    /** Follows the front end's state until {@link #detach()}, which stops the watch with the device. */
    void watchFrontend(final Consumer<XenbusState> listener)
    {
        backendXenbus.watchFrontend(listener);
    }

    BackRing ring()
    {
        return ring;
    }

    int port()
    {
        return port;
    }

    BackendResources backend()
    {
        return backend;
    }

    PersistentGrants persistentGrants()
    {
        return persistentGrants;
    }

    boolean isDetached()
    {
        return detached;
    }

    /**
     * The device's IO executor, or null before its first offloaded request.
     */
    ImageIoExecutor io()
    {
        return io;
    }

    /**
     * The connection generation: bumped by every disconnect.
     */
    int generation()
    {
        return generation;
    }

    /**
     * Starts the device's IO executor (agent thread, once), with one op per ring slot.
     */
    ImageIoExecutor startIo(final int maxSegments, final Runnable wakeAgent)
    {
        if (io == null)
        {
            final int slots = SharedRingDescriptor.entryCount(PageDescriptor.PAGE_SIZE, BlkifDescriptor.REQUEST_LENGTH);
            io = new ImageIoExecutor("blkback-io-" + frontendDomid + "-" + deviceId, image,
                backend.windows().get(), slots, maxSegments, wakeAgent).start();
        }
        return io;
    }

    /**
     * Whether ops of this device are still with its executor (or waiting for the agent to drain).
     */
    boolean hasIoInFlight()
    {
        return io != null && io.inFlight() > 0;
    }

    /**
     * Unmaps the persistent grants of past connections, once no op can be using them.
     */
    void releaseRetiredGrants()
    {
        if (retiredGrants != null && !hasIoInFlight())
        {
            for (final PersistentGrants grants : retiredGrants)
            {
                grants.clear();
            }
            retiredGrants = null;
        }
    }

    /**
     * Closes the image after the device's last operation: on the executor's thread when it has
     * one (which then exits), else here. Agent thread, after {@link #detach}.
     */
    /**
     * Waits until the device's IO thread (if it has one) has finished its last op and closed the
     * image; called by a detaching control thread, never by the agent.
     *
     * @return true when it has.
     */
    boolean awaitImageClosed(final long timeout, final java.util.concurrent.TimeUnit unit)
    {
        return io == null || io.awaitTermination(timeout, unit);
    }

    void closeImage()
    {
        if (io != null)
        {
            io.close(true);
        }
        else
        {
            image.close();
        }
    }

    /**
     * Creates the device's xenstore directories and publishes the back end's features (InitWait).
     */
    void publish()
    {
        xenbus.create();
        xenbus.write(Side.BACKEND, FEATURE_FLUSH_CACHE, "1");
        xenbus.write(Side.BACKEND, FEATURE_BARRIER, "1");
        xenbus.write(Side.BACKEND, FEATURE_DISCARD, "1");
        xenbus.write(Side.BACKEND, DISCARD_GRANULARITY, Integer.toString(BlkifDescriptor.SECTOR_SIZE));
        xenbus.write(Side.BACKEND, DISCARD_ALIGNMENT, "0");
        xenbus.write(Side.BACKEND, DISCARD_SECURE, "0");
        xenbus.write(Side.BACKEND, FEATURE_PERSISTENT, "1");
        xenbus.write(Side.BACKEND, FEATURE_MAX_INDIRECT_SEGMENTS, Integer.toString(MAX_INDIRECT_SEGMENTS));
        xenbus.write(Side.BACKEND, MAX_RING_PAGE_ORDER, "0");
        xenbus.write(Side.BACKEND, MODE, readOnly ? "r" : "w");
        backendXenbus.switchTo(XenbusState.INIT_WAIT);
    }

    /**
     * Reacts to the front end's published state; runs on the agent thread.
     *
     * @return true when the device became connected.
     */
    boolean onFrontendState(final EventWaiter waiter)
    {
        if (detached)
        {
            return false;
        }
        return backendXenbus.followFrontend(new XenbusBackend.Driver()
        {
            public boolean connect()
            {
                return Vbd.this.connect(waiter);
            }

            public void disconnect()
            {
                Vbd.this.disconnect(null);
            }

            public boolean isConnected()
            {
                return ring != null;
            }
        });
    }

    private boolean connect(final EventWaiter waiter)
    {
        final int ringRef;
        final int remotePort;
        try
        {
            final String protocol = backendXenbus.readFrontend(PROTOCOL, PROTOCOL_64);
            if (!PROTOCOL_64.equals(protocol))
            {
                return fail("unsupported protocol '" + protocol + "' (only " + PROTOCOL_64 + ")");
            }
            ringRef = backendXenbus.readFrontendInt(RING_REF);
            remotePort = backendXenbus.readFrontendInt(EVENT_CHANNEL);
        }
        catch (final IllegalArgumentException | XenStoreException ex)
        {
            return fail(ex.getMessage());
        }
        final int handle = backend.grantMapper().map(frontendDomid, ringRef, false);
        if (handle < 0)
        {
            return fail("cannot map ring-ref " + ringRef + ": " + GrantStatus.describe(handle));
        }
        final int localPort = backend.eventChannels().bindInterdomain(frontendDomid, remotePort);
        if (localPort < 0)
        {
            backend.grantMapper().unmap(handle);
            return fail("cannot bind event-channel " + remotePort + ": error " + localPort);
        }
        backend.grantMapper().wrap(handle, ringPage);
        ringHandle = handle;
        port = localPort;
        backend.eventChannels().setWaiter(localPort, waiter);
        ring = new BackRing(ringPage, BlkifDescriptor.REQUEST_LENGTH).attach();
        final boolean persistent = "1".equals(backendXenbus.readFrontend(FEATURE_PERSISTENT, "0"));
        persistentGrants = persistent ?
            new PersistentGrants(backend.grantMapper(), frontendDomid, MAX_PERSISTENT_GRANTS) : null;
        disconnectReason = null;

        xenbus.write(Side.BACKEND, SECTORS, Long.toString(image.sectors()));
        xenbus.write(Side.BACKEND, SECTOR_SIZE, Integer.toString(BlkifDescriptor.SECTOR_SIZE));
        xenbus.write(Side.BACKEND, PHYSICAL_SECTOR_SIZE, Integer.toString(BlkifDescriptor.SECTOR_SIZE));
        xenbus.write(Side.BACKEND, INFO, Integer.toString(readOnly ? BlkifDescriptor.INFO_READONLY : 0));
        backendXenbus.switchTo(XenbusState.CONNECTED);
        return true;
    }

    /**
     * Drops the connection: unmaps the ring and every persistent grant, closes the event channel.
     * With a reason (a protocol error of the front end) the back end also goes to Closing, which
     * a front end answers by reconnecting; the reason is kept for inspection.
     */
    void disconnect(final String reason)
    {
        if (ring != null)
        {
            generation++;
            if (persistentGrants != null)
            {
                if (hasIoInFlight())
                {
                    // The executor may be reading or writing those frames now: unmap when it is done.
                    if (retiredGrants == null)
                    {
                        retiredGrants = new java.util.ArrayList<>(2);
                    }
                    retiredGrants.add(persistentGrants);
                }
                else
                {
                    persistentGrants.clear();
                }
                persistentGrants = null;
            }
            backend.grantMapper().unmap(ringHandle);
            backend.eventChannels().close(port);
            ring = null;
            ringHandle = -1;
            port = -1;
            ringPage.wrap(0, 0);
        }
        if (reason != null)
        {
            HostLog.log("blkback vbd " + frontendDomid + "/" + deviceId, "disconnected", reason);
            backendXenbus.publishError(reason);
            // Between the two: whoever sees the reason finds it in xenstore, and whoever sees
            // Closing finds the reason here.
            disconnectReason = reason;
            backendXenbus.switchTo(XenbusState.CLOSING);
        }
    }

    /**
     * Removes the device (detach): disconnects, marks the back end Closed and deletes its nodes.
     */
    void detach()
    {
        disconnect(null);
        detached = true;
        backendXenbus.destroy();
    }

    private boolean fail(final String reason)
    {
        disconnect(reason);
        return false;
    }
}
