package io.javisor.netback;

import io.javisor.memory.log.HostLog;
import io.javisor.ringio.agent.AgentCommandQueue;
import io.javisor.memory.GrantStatus;
import io.javisor.memory.PageDescriptor;
import io.javisor.netback.bridge.Bridge;
import io.javisor.netback.pcap.PcapWriter;
import io.javisor.netback.ratelimit.RateLimiter;
import io.javisor.netback.wire.NetifRxResponse;
import io.javisor.netback.wire.NetifTxResponse;
import io.javisor.ringio.BackendResources;
import io.javisor.ringio.event.EventIdleStrategy;
import io.javisor.ringio.event.EventWaiter;
import io.javisor.ringio.event.PortSet;
import io.javisor.ringio.ring.BackRing;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static io.javisor.netback.wire.NetifDescriptor.*;
import static io.javisor.memory.PageDescriptor.PAGE_SIZE;

/**
 * The network back end: an Agrona {@link Agent} serving a group of vifs (all vifs of a bridge, for
 * frames to be switched without leaving the thread).
 * <p>
 * Transmit: a packet's slots (up to {@value io.javisor.netback.wire.NetifDescriptor#XEN_NETIF_NR_SLOTS_MIN})
 * are copied out of the ring once and checked whole before any is consumed; the data is grant-copied
 * into a frame buffer in the back end's own memory, every slot answered in its own ring slot, and
 * the frame switched by the bridge. Receive: a frame for a vif is grant-copied into buffers the
 * front end posted, the response written in the request's slot; with no buffer posted the frame is
 * dropped and counted, never queued without bound. Packet-level errors (bad grant, inconsistent
 * sizes) drop the packet with error responses; protocol errors (more slots than allowed, a slot
 * crossing its page, broken ring indices) disable the vif with a reason. Responses are pushed and
 * notified once per duty cycle per ring.
 * <p>
 * With {@link Mode#LATENCY} the agent busy-spins over every connected vif. With {@link Mode#DENSITY}
 * it is event-driven: a duty cycle serves the vifs whose ports are pending
 * ({@link io.javisor.ringio.event.EventChannels#pollPorts}), the vifs left to serve again (a tx ring
 * that filled up while served, a rate limit that ran out), the vifs that received frames (their rx
 * responses are pushed), and the vifs with frames handed over from other agents; it never walks
 * every vif, so thousands of idle vifs cost it nothing.
 * <p>
 * <b>Threading.</b> The agent thread is the single writer of everything here (but the queue of vifs
 * given a hand-over queue, which many bridges' forwarding threads offer to) and of its vifs' rings
 * and statistics. Other threads reach it only through a bounded command queue ({@link #attach},
 * {@link #detach}; a full queue is an {@link IllegalStateException}, never a spin) and wait for the
 * agent's answer at most {@link #COMMAND_TIMEOUT_NANOS}. Each duty cycle also serves the bridges of
 * its vifs ({@link Bridge#serve}): the agent claims a bridge's forwarding role when nobody holds it
 * and keeps it until it closes, so frames between vifs of one agent are switched inline and frames
 * from other agents' vifs arrive through the bridge's hand-over queue. The back end's two frame
 * buffers (dom0 pages) are freed on {@link #close()}.
 */
public final class NetBackend implements Agent, AutoCloseable
{
    public enum Mode
    {
        LATENCY, DENSITY
    }

    private static final int MAX_FRAME = NetTxPacket.MAX_FRAME;
    private static final int FRAME_PAGES = (MAX_FRAME + PAGE_SIZE - 1) / PAGE_SIZE + 1;
    /** Control commands waiting for the agent, at most. */
    public static final int COMMAND_QUEUE_CAPACITY = 4096;
    /**
     * DENSITY: idle duty cycles before the agent parks. Measured with {@code javisor bench density}
     * (4,000 guests, this 2-core machine, interleaved runs): with 100 the idle agents' spinning took
     * the cores from the thread creating guests (create p50 490-530 us, 64,000 reads/s) against
     * 375-390 us and 103,000-108,000 reads/s with 10; 0 was no faster to create and slower to read.
     */
    static final int DENSITY_IDLE_SPINS = 10;
    /** How long attach and detach wait for the agent. */
    public static final long COMMAND_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final BackendResources backend;
    private final Mode mode;
    private final String name;
    private final EventWaiter waiter = new EventWaiter();
    /** Handed to the bridges this agent forwards for: a frame queued from another thread wakes it. */
    private final Runnable wakeUp = waiter::wake;
    private final AgentCommandQueue commands;
    /** Agent thread only. */
    private final Set<Vif> vifs = new LinkedHashSet<>();
    /** {@link #vifs} for other threads: the agent adds and removes, anyone reads. */
    private final Set<Vif> vifsView = ConcurrentHashMap.newKeySet();
    private final GrantCopier copier;
    private final UnsafeBuffer txFrame = new UnsafeBuffer(0, 0);
    private final long txFrameGpa;
    private final UnsafeBuffer staging = new UnsafeBuffer(0, 0);
    private final long stagingGpa;
    /** The packet being transmitted, taken apart and checked (shared with a driver domain's back end). */
    private final NetTxPacket packet = new NetTxPacket();
    private final UnsafeBuffer rxRequest = new UnsafeBuffer(new byte[RX_SLOT_LENGTH]);
    private final NetifTxResponse txResponse = new NetifTxResponse();
    private final NetifRxResponse rxResponse = new NetifRxResponse();
    /** LATENCY: the connected vifs, every one served each duty cycle. */
    private Vif[] connected = new Vif[0];
    /** DENSITY: the local ports of the connected vifs, and the vif on each. */
    private final PortSet ports;
    private Vif[] byPort = new Vif[64];
    /** DENSITY: vifs to serve next duty cycle without an event (tx ring refilled while served, throttled). */
    private Vif[] again = new Vif[16];
    private int againCount;
    private Vif[] serving = new Vif[16];
    /** Vifs that received frames this duty cycle, whose rx responses are to be pushed. */
    private Vif[] rxDirty = new Vif[16];
    private int rxDirtyCount;
    /** DENSITY: vifs that have a hand-over queue (frames from other agents), drained each duty cycle. */
    private Vif[] withHandover = new Vif[0];
    /** Vifs given a hand-over queue by another agent's forwarding thread, not yet in {@link #withHandover}. */
    private final ConcurrentLinkedQueue<Vif> handoverCreated = new ConcurrentLinkedQueue<>();
    private long cycleNanos;
    private final java.util.function.IntConsumer serveByPort = this::serveByPort;
    /** The distinct bridges of {@link #vifs}, served each duty cycle; agent thread only. */
    private Bridge[] bridges = new Bridge[0];
    private final long txFrames;
    private final long stagingFrames;
    /** Set once by close(), after the agent thread has stopped; guards the pages against a double free. */
    private boolean framesFreed;
    private volatile Thread thread;
    private volatile AgentRunner runner;
    /**
     * Set by {@link #close()} before it stops the runner: an idle DENSITY agent then finds work pending
     * and does not park before it sees the runner stop.
     */
    private volatile boolean closing;
    private Vif handoverTarget;
    private final org.agrona.concurrent.MessageHandler handoverHandler =
        (type, buffer, index, length) -> receive(handoverTarget, buffer, index, length);

    public NetBackend(final BackendResources backend, final Mode mode, final String name)
    {
        this.backend = backend;
        this.mode = mode;
        this.name = name;
        this.commands = new AgentCommandQueue("netback " + name, COMMAND_QUEUE_CAPACITY, COMMAND_TIMEOUT_NANOS, waiter::wake);
        this.copier = new GrantCopier(backend.grantMapper());
        this.ports = new PortSet(backend.eventChannels().maxPorts());
        txFrames = backend.pages().allocateContiguous(FRAME_PAGES);
        stagingFrames = txFrames < 0 ? -1 : backend.pages().allocateContiguous(FRAME_PAGES);
        if (txFrames < 0 || stagingFrames < 0)
        {
            freePages(txFrames);
            throw new IllegalStateException("back-end domain " + backend.domid() + " has no room for netback frame buffers");
        }
        backend.memory().wrapFrames(txFrames, FRAME_PAGES, txFrame);
        backend.memory().wrapFrames(stagingFrames, FRAME_PAGES, staging);
        txFrameGpa = txFrames << PageDescriptor.PAGE_SHIFT;
        stagingGpa = stagingFrames << PageDescriptor.PAGE_SHIFT;
    }

    public NetBackend start()
    {
        final IdleStrategy idle = mode == Mode.LATENCY ? new BusySpinIdleStrategy() :
            new EventIdleStrategy(waiter, this::hasPendingWork, DENSITY_IDLE_SPINS, TimeUnit.MILLISECONDS.toNanos(10));
        runner = new AgentRunner(idle, error -> HostLog.log("netback " + name, "agent error", error), null, this);
        AgentRunner.startOnThread(runner);
        return this;
    }

    @Override
    public void onStart()
    {
        thread = Thread.currentThread();
    }

    /**
     * Creates vif {@code handle} of domain {@code frontendDomid} with MAC {@code mac} on
     * {@code bridge}: its xenstore nodes are published on the agent thread, and it waits for the
     * front end. Returns once published.
     */
    public Vif attach(final int frontendDomid, final int handle, final long mac, final Bridge bridge, final RateLimiter limiter)
    {
        if (runner == null)
        {
            throw new IllegalStateException("start the network back end before attaching vifs");
        }
        final Vif vif = new Vif(backend, frontendDomid, handle, mac, bridge, limiter);
        commands.call(() ->
        {
            vif.publish(this, Thread.currentThread());
            vifs.add(vif);
            vifsView.add(vif);
            addBridge(bridge);
            vif.watchFrontend(_ -> onFrontendStateChanged(vif));
        }, "attach of " + vif.name());
        return vif;
    }

    /**
     * Detaches a vif: disconnects it, takes its port off the bridge and removes its xenstore nodes.
     * Returns once done on the agent thread (at most {@link #COMMAND_TIMEOUT_NANOS}).
     *
     * @throws IllegalStateException when the command queue is full or the agent does not answer in time.
     */
    public void detach(final Vif vif)
    {
        commands.call(() ->
        {
            removeConnected(vif);
            if (vifs.remove(vif))
            {
                vifsView.remove(vif);
                if (vif.handover() != null)
                {
                    withHandover = Arrays.stream(withHandover).filter(v -> v != vif).toArray(Vif[]::new);
                }
                vif.detach();
                removeBridgeIfUnused(vif.bridge());
            }
        }, "detach of " + vif.name());
    }

    /**
     * A xenstore watch fired (on the xenstore's thread): the agent re-reads the state. A full queue
     * cannot lose much, as the state is re-read whole, but it is reported.
     */
    private void onFrontendStateChanged(final Vif vif)
    {
        if (!commands.offer(() -> onFrontendState(vif)))
        {
            HostLog.log("netback " + name, "command queue full, front-end state change of " + vif.name() + " not handled");
        }
    }

    private void addBridge(final Bridge bridge)
    {
        for (final Bridge b : bridges)
        {
            if (b == bridge)
            {
                return;
            }
        }
        final Bridge[] next = Arrays.copyOf(bridges, bridges.length + 1);
        next[next.length - 1] = bridge;
        bridges = next;
    }

    private void removeBridgeIfUnused(final Bridge bridge)
    {
        for (final Vif vif : vifs)
        {
            if (vif.bridge() == bridge)
            {
                return;
            }
        }
        bridge.releaseForwarding();
        bridges = Arrays.stream(bridges).filter(b -> b != bridge).toArray(Bridge[]::new);
    }

    void wake()
    {
        waiter.wake();
    }

    /**
     * A bridge's forwarding thread gave {@code vif} (one of this agent's) a hand-over queue; the
     * agent drains it from the next duty cycle on. Any thread.
     */
    void handoverCreated(final Vif vif)
    {
        if (mode == Mode.DENSITY)
        {
            handoverCreated.offer(vif); // LATENCY drains every vif's queue each duty cycle anyway
        }
        waiter.wake();
    }

    private void onFrontendState(final Vif vif)
    {
        final boolean wasConnected = vif.isConnected();
        if (vif.onFrontendState(waiter) && !wasConnected)
        {
            addConnected(vif);
        }
        else if (!vif.isConnected())
        {
            removeConnected(vif);
        }
    }

    private void addConnected(final Vif vif)
    {
        if (mode == Mode.DENSITY)
        {
            final int port = vif.port();
            if (port >= byPort.length)
            {
                byPort = Arrays.copyOf(byPort, Math.max(port + 1, byPort.length * 2));
            }
            byPort[port] = vif;
            vif.servedPort = port;
            ports.add(port);
            return;
        }
        final Vif[] next = Arrays.copyOf(connected, connected.length + 1);
        next[next.length - 1] = vif;
        connected = next;
    }

    private void removeConnected(final Vif vif)
    {
        if (mode == Mode.DENSITY)
        {
            final int port = vif.servedPort;
            if (port >= 0 && byPort[port] == vif)
            {
                byPort[port] = null;
                ports.remove(port);
            }
            vif.servedPort = -1;
            return; // a vif queued to serve again, or with rx to push, is skipped there once disconnected
        }
        connected = Arrays.stream(connected).filter(v -> v != vif).toArray(Vif[]::new);
    }

    /**
     * The vifs this agent serves that are connected. Agent thread, or any thread once it has stopped.
     */
    int connectedCount()
    {
        return mode == Mode.LATENCY ? connected.length : ports.size();
    }

    @Override
    public int doWork()
    {
        return mode == Mode.DENSITY ? doDensityWork() : doLatencyWork();
    }

    /**
     * DENSITY: commands, the bridges, the vifs whose ports are pending, those left to serve again or
     * with frames handed over, then the rx pushes of the vifs that received; never a walk over every vif.
     */
    private int doDensityWork()
    {
        int work = commands.drain();
        final long now = System.nanoTime();
        cycleNanos = now;
        for (final Bridge bridge : bridges)
        {
            work += bridge.serve(now, wakeUp);
        }
        if (!handoverCreated.isEmpty())
        {
            Vif vif;
            while ((vif = handoverCreated.poll()) != null)
            {
                if (!vifs.contains(vif))
                {
                    continue; // detached meanwhile
                }
                withHandover = Arrays.copyOf(withHandover, withHandover.length + 1);
                withHandover[withHandover.length - 1] = vif;
            }
        }
        for (final Vif vif : withHandover)
        {
            if (vif.isConnected())
            {
                work += drainHandover(vif);
            }
        }
        work += backend.eventChannels().pollPorts(ports, serveByPort);
        if (againCount > 0)
        {
            final Vif[] toServe = again;
            final int count = againCount;
            again = serving;
            serving = toServe;
            againCount = 0;
            for (int i = 0; i < count; i++)
            {
                final Vif vif = toServe[i];
                toServe[i] = null;
                vif.queuedAgain = false;
                work += serveDensity(vif, now);
            }
        }
        work += pushReceived();
        return work;
    }

    private void serveByPort(final int port)
    {
        final Vif vif = port < byPort.length ? byPort[port] : null;
        if (vif != null)
        {
            serveDensity(vif, cycleNanos);
        }
    }

    private int serveDensity(final Vif vif, final long now)
    {
        if (!vif.isConnected())
        {
            return 0;
        }
        int work = transmit(vif, now);
        if (!vif.isConnected())
        {
            removeConnected(vif);
            return work + 1;
        }
        // Re-arm the tx ring's event. A throttled vif, or one whose ring holds more already, is
        // served again without waiting for an event that will not come; waiting out a rate limit is
        // not work, so the agent may park meanwhile.
        if (vif.throttledUntil() > now)
        {
            serveAgain(vif);
        }
        else if (vif.txRing().finalCheckForRequests())
        {
            serveAgain(vif);
            work++;
        }
        return work;
    }

    private void serveAgain(final Vif vif)
    {
        if (!vif.queuedAgain)
        {
            vif.queuedAgain = true;
            if (againCount == again.length)
            {
                again = Arrays.copyOf(again, againCount * 2);
                serving = Arrays.copyOf(serving, againCount * 2);
            }
            again[againCount++] = vif;
        }
    }

    /** Pushes the rx responses of the vifs that received frames since the last push, notifying each once. */
    private int pushReceived()
    {
        final int count = rxDirtyCount;
        for (int i = 0; i < count; i++)
        {
            final Vif vif = rxDirty[i];
            rxDirty[i] = null;
            if (vif.isConnected() && vif.takeRxDirty() && vif.rxRing().pushResponses())
            {
                backend.eventChannels().send(vif.port());
            }
        }
        rxDirtyCount = 0;
        return count;
    }

    private int doLatencyWork()
    {
        int work = commands.drain();
        final long now = System.nanoTime();
        for (final Bridge bridge : bridges)
        {
            work += bridge.serve(now, wakeUp);
        }
        final Vif[] vifs = connected;
        for (final Vif vif : vifs)
        {
            if (vif.isConnected())
            {
                backend.eventChannels().clearPending(vif.port());
                work += drainHandover(vif);
                work += transmit(vif, now);
            }
        }
        for (final Vif vif : vifs)
        {
            if (!vif.isConnected())
            {
                removeConnected(vif);
            }
        }
        pushReceived();
        return work;
    }

    private int drainHandover(final Vif vif)
    {
        final ManyToOneRingBuffer handover = vif.handover();
        if (handover == null)
        {
            return 0;
        }
        handoverTarget = vif;
        return handover.read(handoverHandler, 64);
    }

    // ---------------------------------------------------------------------------------------------
    // Transmit: guest → bridge.
    // ---------------------------------------------------------------------------------------------

    private int transmit(final Vif vif, final long now)
    {
        if (vif.throttledUntil() > now)
        {
            return 0;
        }
        final BackRing ring = vif.txRing();
        int available = ring.unconsumedRequests();
        if (available < 0)
        {
            vif.disconnect("tx ring broken: " + ring.brokenReason());
            return 1;
        }
        int packets = 0;
        while (available > 0 && vif.isConnected())
        {
            final int slotCount = packet.take(ring, available);
            if (slotCount == 0)
            {
                break; // the rest of the packet is not published yet
            }
            if (slotCount < 0)
            {
                vif.disconnect(packet.protocolError());
                return packets + 1; // protocol error: vif disabled
            }
            final int size = packet.size();
            final RateLimiter limiter = vif.rateLimiter();
            if (limiter != null && !limiter.tryConsume(size, now))
            {
                vif.statistics().increment(VifStatistics.TX_THROTTLED);
                vif.throttledUntil(now + Math.max(1, limiter.nanosUntilAvailable(size, now)));
                break;
            }
            final int status = copyPacket(vif);
            ring.skipRequests(slotCount);
            for (int i = 0; i < slotCount; i++)
            {
                txResponse.wrap(ring.buffer(), ring.claimResponse()).write(packet.id(i), packet.isExtra(i) ? NETIF_RSP_NULL : status);
            }
            available -= slotCount;
            packets++;
            if (status == NETIF_RSP_OKAY)
            {
                vif.statistics().increment(VifStatistics.TX_PACKETS);
                vif.statistics().add(VifStatistics.TX_BYTES, size);
                final PcapWriter capture = vif.capture();
                if (capture != null)
                {
                    capture.write(txFrame, 0, size);
                }
                vif.bridge().forward(vif.bridgePort(), txFrame, 0, size, now);
            }
            else
            {
                vif.statistics().increment(VifStatistics.TX_ERRORS);
            }
        }
        if (packets > 0 && vif.isConnected() && ring.pushResponses())
        {
            backend.eventChannels().send(vif.port());
        }
        return packets;
    }

    /**
     * Grant-copies the checked packet's data slots into the frame buffer.
     *
     * @return NETIF_RSP_OKAY or NETIF_RSP_ERROR (the packet is dropped).
     */
    private int copyPacket(final Vif vif)
    {
        if (packet.check() != NETIF_RSP_OKAY)
        {
            return NETIF_RSP_ERROR;
        }
        int copied = 0;
        for (int i = 0; i < packet.slots(); i++)
        {
            if (packet.isExtra(i))
            {
                continue;
            }
            final int length = packet.length(i);
            if (length > 0 && copier.fromGrant(vif.frontendDomid(), packet.ref(i), packet.offset(i), txFrameGpa + copied, length) !=
                GrantStatus.OKAY)
            {
                return NETIF_RSP_ERROR;
            }
            copied += length;
        }
        return NETIF_RSP_OKAY;
    }

    // ---------------------------------------------------------------------------------------------
    // Receive: bridge → guest. Called on this agent's thread only.
    // ---------------------------------------------------------------------------------------------

    boolean receive(final Vif vif, final DirectBuffer frame, final int offset, final int length)
    {
        if (!vif.isConnected())
        {
            vif.statistics().increment(VifStatistics.RX_DROPPED_NO_BUFFER);
            return false;
        }
        if (length > MAX_FRAME || length <= 0)
        {
            vif.statistics().increment(VifStatistics.RX_DROPPED_TOO_BIG);
            return false;
        }
        final BackRing ring = vif.rxRing();
        final int needed = (length + PAGE_SIZE - 1) / PAGE_SIZE;
        if (ring.counted() < needed)
        {
            final int available = ring.unconsumedRequests();
            if (available < 0)
            {
                vif.disconnect("rx ring broken: " + ring.brokenReason());
                return false;
            }
            if (available < needed)
            {
                vif.statistics().increment(VifStatistics.RX_DROPPED_NO_BUFFER);
                return false;
            }
        }
        long sourceGpa = backend.memory().guestPhysicalAddressOf(frame.addressOffset() + offset);
        if (sourceGpa < 0 || frame.byteArray() != null)
        {
            staging.putBytes(0, frame, offset, length);
            sourceGpa = stagingGpa;
        }
        int done = 0;
        for (int slot = 0; slot < needed; slot++)
        {
            ring.copyRequest(rxRequest, 0);
            final int id = rxRequest.getShort(RX_REQ_ID_OFFSET) & 0xFFFF;
            final int ref = rxRequest.getInt(RX_REQ_GREF_OFFSET);
            final int chunk = Math.min(PAGE_SIZE, length - done);
            final int status = copier.toGrant(sourceGpa + done, vif.frontendDomid(), ref, 0, chunk);
            rxResponse.wrap(ring.buffer(), ring.claimResponse()).write(id, 0,
                slot + 1 < needed ? NETRXF_MORE_DATA | NETRXF_DATA_VALIDATED : NETRXF_DATA_VALIDATED,
                status == GrantStatus.OKAY ? chunk : NETIF_RSP_ERROR);
            done += chunk;
        }
        if (vif.markRxDirty())
        {
            if (rxDirtyCount == rxDirty.length)
            {
                rxDirty = Arrays.copyOf(rxDirty, rxDirtyCount * 2);
            }
            rxDirty[rxDirtyCount++] = vif;
        }
        vif.statistics().increment(VifStatistics.RX_PACKETS);
        vif.statistics().add(VifStatistics.RX_BYTES, length);
        final PcapWriter capture = vif.capture();
        if (capture != null)
        {
            capture.write(frame, offset, length);
        }
        return true;
    }

    private boolean hasPendingWork()
    {
        if (closing || !commands.isEmpty() || rxDirtyCount > 0 || !handoverCreated.isEmpty())
        {
            return true;
        }
        for (final Bridge bridge : bridges)
        {
            if (bridge.hasPendingWork())
            {
                return true;
            }
        }
        if (mode == Mode.DENSITY)
        {
            if (backend.eventChannels().anyPending(ports))
            {
                return true;
            }
            final long now = System.nanoTime();
            for (int i = 0; i < againCount; i++)
            {
                // A throttled vif waits out its limit (at most the idle strategy's park) rather
                // than keep the agent awake.
                if (again[i].throttledUntil() <= now)
                {
                    return true;
                }
            }
            for (final Vif vif : withHandover)
            {
                if (vif.isConnected() && vif.handover().size() > 0)
                {
                    return true;
                }
            }
            return false;
        }
        for (final Vif vif : connected)
        {
            if (vif.isConnected() && backend.eventChannels().isPending(vif.port()))
            {
                return true;
            }
            final ManyToOneRingBuffer handover = vif.handover();
            if (handover != null && handover.size() > 0)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * The vifs this back end serves; any thread (a copy of the concurrent set the agent keeps).
     */
    public List<Vif> vifs()
    {
        return List.copyOf(vifsView);
    }

    @Override
    public void onClose()
    {
        commands.drain();
        for (final Vif vif : vifs)
        {
            vif.detach();
        }
        vifs.clear();
        vifsView.clear();
        connected = new Vif[0];
        withHandover = new Vif[0];
        for (final Bridge bridge : bridges)
        {
            bridge.releaseForwarding();
        }
        bridges = new Bridge[0];
    }

    @Override
    public String roleName()
    {
        return "netback-" + name;
    }

    /**
     * Stops the agent (detaching every vif on its thread), then frees the frame buffers. Not thread
     * safe: the owner of the back end calls it once (further calls do nothing).
     */
    @Override
    public void close()
    {
        if (runner != null)
        {
            closing = true;
            waiter.wake();
            runner.close(); // returns after onClose ran on the agent thread
            runner = null;
        }
        else if (!framesFreed)
        {
            onClose(); // never started: nothing runs, the caller is the only thread
        }
        if (!framesFreed)
        {
            framesFreed = true;
            freePages(txFrames);
            freePages(stagingFrames);
            txFrame.wrap(0, 0);
            staging.wrap(0, 0);
        }
    }

    private void freePages(final long firstFrame)
    {
        if (firstFrame >= 0)
        {
            for (int i = 0; i < FRAME_PAGES; i++)
            {
                backend.pages().free(firstFrame + i);
            }
        }
    }
}
