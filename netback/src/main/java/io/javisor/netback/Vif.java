package io.javisor.netback;

import io.javisor.memory.GrantStatus;
import io.javisor.netback.bridge.Bridge;
import io.javisor.netback.bridge.BridgePort;
import io.javisor.netback.pcap.PcapWriter;
import io.javisor.netback.ratelimit.RateLimiter;
import io.javisor.netback.spec.MacAddress;
import io.javisor.netback.wire.NetifDescriptor;
import io.javisor.ringio.BackendResources;
import io.javisor.ringio.event.EventWaiter;
import io.javisor.ringio.ring.BackRing;
import io.javisor.ringio.xenstore.XenStoreException;
import io.javisor.ringio.xenstore.XenbusBackend;
import io.javisor.ringio.xenstore.XenbusDevice;
import io.javisor.ringio.xenstore.XenbusDevice.Side;
import io.javisor.ringio.xenstore.XenbusState;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.nio.ByteBuffer;
import java.util.function.Consumer;

import static io.javisor.netback.NetifXenstoreKeys.*;

/**
 * The back-end half of one virtual network interface: a guest's tx and rx rings, served by one
 * {@link NetBackend} agent, and its port on a {@link Bridge}.
 * <p>
 * <b>Threading.</b> The serving agent's thread is the single writer of the vif's rings, grant
 * mappings, event channel and (but for one counter) statistics: its control plane (the xenbus
 * handshake, mapping both rings, binding the event channel, tearing down) runs there too. The
 * bridge calls {@link #deliver} on its forwarding thread: when that is the serving agent (SHARED
 * threading, or the agent that holds the bridge's forwarding role) the frame goes straight into the
 * guest's posted receive buffers; otherwise it is copied into this port's bounded queue (full = drop
 * and count), which the serving agent drains each duty cycle. The queue is made by the first such
 * delivery, on the forwarding thread (one thread at a time holds that role, and each holder sees
 * the previous one's writes), and published through a volatile field: with SHARED threading the
 * serving agent forwards for every bridge, and a vif never needs one. A vif's rings are only ever
 * touched by its own agent.
 */
public final class Vif implements BridgePort
{
    /** Frames waiting for this vif from other agents' threads, at most this many bytes. */
    private static final int HANDOVER_QUEUE_BYTES = 256 * 1024;
    static final int HANDOVER_MSG_TYPE = 1;

    private final BackendResources backend;
    private final int frontendDomid;
    private final int handle;
    private final long mac;
    private final Bridge bridge;
    private final RateLimiter rateLimiter;
    private final XenbusDevice xenbus;
    private final XenbusBackend backendXenbus;
    private final VifStatistics statistics = new VifStatistics();
    private final UnsafeBuffer txPage = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer rxPage = new UnsafeBuffer(0, 0);
    /** Made by the first hand-over (see the class comment); null until then. */
    private volatile ManyToOneRingBuffer handover;

    private volatile PcapWriter capture;
    private volatile Thread owner;
    private NetBackend agent;
    private int bridgePort = -1;
    private BackRing tx;
    private BackRing rx;
    private int txHandle = -1;
    private int rxHandle = -1;
    private int port = -1;
    private long throttledUntil;
    private boolean rxDirty;
    private volatile String disableReason;
    private volatile boolean detached;
    // The serving agent's bookkeeping (NetBackend, DENSITY), written by that agent only: the port it
    // serves the vif on (kept past a disconnect, which forgets the port) and whether the vif is
    // queued to be served again.
    int servedPort = -1;
    boolean queuedAgain;

    Vif(final BackendResources backend, final int frontendDomid, final int handle, final long mac, final Bridge bridge,
        final RateLimiter rateLimiter)
    {
        this.backend = backend;
        this.frontendDomid = frontendDomid;
        this.handle = handle;
        this.mac = mac;
        this.bridge = bridge;
        this.rateLimiter = rateLimiter;
        this.xenbus = new XenbusDevice(backend.xenStore(), DEVICE_TYPE, frontendDomid, backend.domid(), handle);
        this.backendXenbus = new XenbusBackend(xenbus);
    }

    @Override
    public String name()
    {
        return "vif" + frontendDomid + "." + handle;
    }

    public int frontendDomid()
    {
        return frontendDomid;
    }

    public int handle()
    {
        return handle;
    }

    public long macAddress()
    {
        return mac;
    }

    public Bridge bridge()
    {
        return bridge;
    }

    public VifStatistics statistics()
    {
        return statistics;
    }

    public boolean isConnected()
    {
        return tx != null;
    }

    /**
     * Why the back end disabled this vif (a protocol error of the front end), or null.
     */
    public String disableReason()
    {
        return disableReason;
    }

    public XenbusState backendState()
    {
        return xenbus.state(Side.BACKEND);
    }

    /**
     * Starts (or, with null, stops) writing every frame this vif sends and receives to a pcap file.
     */
    public void capture(final PcapWriter writer)
    {
        capture = writer;
    }

    PcapWriter capture()
    {
        return capture;
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

    BackRing txRing()
    {
        return tx;
    }

    BackRing rxRing()
    {
        return rx;
    }

    int port()
    {
        return port;
    }

    int bridgePort()
    {
        return bridgePort;
    }

    BackendResources backend()
    {
        return backend;
    }

    RateLimiter rateLimiter()
    {
        return rateLimiter;
    }

    long throttledUntil()
    {
        return throttledUntil;
    }

    void throttledUntil(final long nanos)
    {
        throttledUntil = nanos;
    }

    boolean takeRxDirty()
    {
        final boolean dirty = rxDirty;
        rxDirty = false;
        return dirty;
    }

    /**
     * @return true when the vif had no rx responses waiting to be pushed until now.
     */
    boolean markRxDirty()
    {
        final boolean wasClean = !rxDirty;
        rxDirty = true;
        return wasClean;
    }

    /**
     * The queue of frames handed over by other agents, or null while none has been.
     */
    ManyToOneRingBuffer handover()
    {
        return handover;
    }

    boolean isDetached()
    {
        return detached;
    }

    /**
     * A frame switched to this vif. On the owning agent's thread it goes straight into a posted
     * receive buffer; from any other thread it is queued for the owner.
     */
    @Override
    public boolean deliver(final DirectBuffer frame, final int offset, final int length)
    {
        final NetBackend owningAgent = agent;
        if (owningAgent == null)
        {
            return false; // not published yet, so not on the bridge: cannot happen, counted by the bridge
        }
        if (Thread.currentThread() == owner)
        {
            // The owning agent forwards for the bridge: straight into the guest's receive ring
            // (receive() counts a vif that is not connected as no-buffer).
            return owningAgent.receive(this, frame, offset, length);
        }
        // The forwarding thread is another agent's: this vif's per-port queue, drained by its owner.
        ManyToOneRingBuffer queue = handover;
        if (queue == null)
        {
            queue = new ManyToOneRingBuffer(
                new UnsafeBuffer(ByteBuffer.allocateDirect(HANDOVER_QUEUE_BYTES + RingBufferDescriptor.TRAILER_LENGTH)));
            handover = queue;
            owningAgent.handoverCreated(this);
        }
        if (!queue.write(HANDOVER_MSG_TYPE, frame, offset, length))
        {
            statistics.increment(VifStatistics.RX_DROPPED_QUEUE_FULL);
            return false;
        }
        owningAgent.wake();
        return true;
    }

    /**
     * Publishes the vif's xenstore nodes and features (InitWait); runs on the agent thread.
     */
    void publish(final NetBackend agent, final Thread owner)
    {
        this.agent = agent;
        this.owner = owner;
        xenbus.create();
        xenbus.write(Side.BACKEND, FEATURE_RX_COPY, "1");
        xenbus.write(Side.BACKEND, FEATURE_RX_FLIP, "0");
        xenbus.write(Side.BACKEND, FEATURE_SG, "1");
        xenbus.write(Side.BACKEND, FEATURE_GSO_TCPV4, "0");
        xenbus.write(Side.BACKEND, FEATURE_SPLIT_EVENT_CHANNELS, "0");
        xenbus.write(Side.BACKEND, MULTI_QUEUE_MAX_QUEUES, "1");
        xenbus.write(Side.BACKEND, MAC, MacAddress.toString(mac));
        xenbus.write(Side.BACKEND, BRIDGE, bridge.name());
        xenbus.write(Side.BACKEND, HANDLE, Integer.toString(handle));
        // The toolstack tells the front end its MAC in its own directory, as xl does.
        xenbus.write(Side.FRONTEND, MAC, MacAddress.toString(mac));
        bridgePort = bridge.attach(this);
        backendXenbus.switchTo(XenbusState.INIT_WAIT);
    }

    /**
     * Reacts to the front end's state; runs on the agent thread.
     *
     * @return true when the vif became connected.
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
                return Vif.this.connect(waiter);
            }

            public void disconnect()
            {
                Vif.this.disconnect(null);
            }

            public boolean isConnected()
            {
                return tx != null;
            }
        });
    }

    private boolean connect(final EventWaiter waiter)
    {
        final int txRef;
        final int rxRef;
        final int remotePort;
        try
        {
            if (!"1".equals(backendXenbus.readFrontend(REQUEST_RX_COPY, null)))
            {
                return fail("front end did not request rx-copy (request-rx-copy=1 is required)");
            }
            txRef = backendXenbus.readFrontendInt(TX_RING_REF);
            rxRef = backendXenbus.readFrontendInt(RX_RING_REF);
            remotePort = backendXenbus.readFrontendInt(EVENT_CHANNEL);
        }
        catch (final IllegalArgumentException | XenStoreException ex)
        {
            return fail(ex.getMessage());
        }
        final int txMap = backend.grantMapper().map(frontendDomid, txRef, false);
        if (txMap < 0)
        {
            return fail("cannot map tx-ring-ref " + txRef + ": " + GrantStatus.describe(txMap));
        }
        final int rxMap = backend.grantMapper().map(frontendDomid, rxRef, false);
        if (rxMap < 0)
        {
            backend.grantMapper().unmap(txMap);
            return fail("cannot map rx-ring-ref " + rxRef + ": " + GrantStatus.describe(rxMap));
        }
        final int localPort = backend.eventChannels().bindInterdomain(frontendDomid, remotePort);
        if (localPort < 0)
        {
            backend.grantMapper().unmap(txMap);
            backend.grantMapper().unmap(rxMap);
            return fail("cannot bind event-channel " + remotePort + ": error " + localPort);
        }
        backend.grantMapper().wrap(txMap, txPage);
        backend.grantMapper().wrap(rxMap, rxPage);
        txHandle = txMap;
        rxHandle = rxMap;
        port = localPort;
        backend.eventChannels().setWaiter(localPort, waiter);
        tx = new BackRing(txPage, NetifDescriptor.TX_SLOT_LENGTH).attach();
        rx = new BackRing(rxPage, NetifDescriptor.RX_SLOT_LENGTH).attach();
        disableReason = null;
        backendXenbus.switchTo(XenbusState.CONNECTED);
        return true;
    }

    /**
     * Drops the connection; with a reason (a protocol error) the vif is disabled: the back end goes
     * Closing and publishes the reason, the front end may reconnect.
     */
    void disconnect(final String reason)
    {
        if (tx != null)
        {
            backend.grantMapper().unmap(txHandle);
            backend.grantMapper().unmap(rxHandle);
            backend.eventChannels().close(port);
            tx = null;
            rx = null;
            txHandle = -1;
            rxHandle = -1;
            port = -1;
            txPage.wrap(0, 0);
            rxPage.wrap(0, 0);
        }
        if (reason != null)
        {
            io.javisor.memory.log.HostLog.log("netback " + name(), "disabled", reason);
            backendXenbus.publishError(reason);
            // Between the two: whoever sees the reason finds it in xenstore, and whoever sees
            // Closing finds the reason here.
            disableReason = reason;
            backendXenbus.switchTo(XenbusState.CLOSING);
        }
    }

    void detach()
    {
        disconnect(null);
        detached = true;
        bridge.detach(bridgePort);
        backendXenbus.destroy();
    }

    private boolean fail(final String reason)
    {
        disconnect(reason);
        return false;
    }
}
