package io.javisor.netback;

import io.javisor.netback.spec.MacAddress;
import io.javisor.ringio.DomainResources;
import io.javisor.ringio.event.EventChannels;
import io.javisor.ringio.event.EventWaiter;
import io.javisor.ringio.ring.FrontRing;
import io.javisor.ringio.GrantedPages;
import io.javisor.ringio.xenstore.BackendRestarts;
import io.javisor.ringio.xenstore.XenbusDevice;
import io.javisor.ringio.xenstore.XenbusFrontend;
import io.javisor.ringio.xenstore.XenbusState;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;


import static io.javisor.memory.PageDescriptor.PAGE_SHIFT;
import static io.javisor.memory.PageDescriptor.PAGE_SIZE;
import static io.javisor.netback.NetifXenstoreKeys.*;
import static io.javisor.netback.wire.NetifDescriptor.*;

/**
 * The Java network front end a Java guest uses: it attaches to vif {@code handle} through the
 * xenbus handshake, sends frames on the tx ring and receives them from the rx ring, keeping the
 * rx ring stocked with granted pages.
 * <p>
 * Transmit pages are granted read-only to the back end once and reused; a frame is copied into
 * free pages (one per 4 KiB, chained with more_data) and published with {@link #flush()}, at
 * most one notification per batch. Receive pages are granted writable once and reposted as soon
 * as the frame they carried has been handed to the handler. Single-threaded: one thread owns a
 * NetFront; send/flush/poll allocate nothing.
 * <p>
 * With {@link NetFrontConfig#reconnect()} a front end survives its back end's restart: a watch on
 * the back end's state flags it leaving Connected (the watch only sets a flag and wakes the owner),
 * and the next {@link #poll} connects again to the next instance with a fresh event channel, both
 * rings re-initialised and every receive page posted again; frames sent and not yet answered are
 * lost, as frames on a wire are when a switch restarts ({@link #framesLost()}).
 */
public final class NetFront implements AutoCloseable
{
    private final DomainResources guest;
    private final XenbusFrontend xenbus;
    private final GrantedPages shared;
    private final NetFrontConfig config;
    private final EventChannels events;
    private final EventWaiter waiter = new EventWaiter();
    private final UnsafeBuffer txPage = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer rxPage = new UnsafeBuffer(0, 0);
    private final FrontRing tx;
    private final FrontRing rx;
    private final long txRingGpfn;
    private final long rxRingGpfn;
    private final int txRingRef;
    private final int rxRingRef;
    private int port;
    /** Reconnecting: the watch on the back end and the way to its next instance; otherwise null. */
    private final BackendRestarts restarts;
    private long reconnects;
    private long framesLost;

    private final long[] txGpfn;
    private final int[] txRef;
    private final int[] txFree;
    private int txFreeCount;
    private final long[] rxGpfn;
    private final int[] rxRef;
    // One view per receive page, made once: the receive path only indexes them.
    private final UnsafeBuffer[] rxViews;
    /** Where a frame of several slots is put together; made by the first such frame (most never see one). */
    private UnsafeBuffer reassembly;
    private int reassembled;
    private long mac;
    private boolean closed;
    private long rxErrors;
    private long txErrors;
    private long bogusResponses;

    private NetFront(final DomainResources guest, final int backendDomid, final int handle, final NetFrontConfig config)
    {
        if (config.txBuffers() < 1 || config.txBuffers() > 256 || config.rxBuffers() < 1 || config.rxBuffers() > 256)
        {
            throw new IllegalArgumentException("tx and rx buffers must be 1..256");
        }
        this.guest = guest;
        this.config = config;
        this.events = guest.eventChannels();
        this.xenbus = new XenbusFrontend(
            new XenbusDevice(guest.xenStore(), DEVICE_TYPE, guest.domid(), backendDomid, handle), "network back end");
        this.restarts = config.reconnect() ? new BackendRestarts(xenbus, config.handshakeTimeout(), waiter::wake) : null;
        this.shared = new GrantedPages(guest, backendDomid, "network front end");
        txRingGpfn = shared.allocatePage();
        rxRingGpfn = shared.allocatePage();
        guest.memory().wrapFrame(txRingGpfn, txPage);
        guest.memory().wrapFrame(rxRingGpfn, rxPage);
        tx = new FrontRing(txPage, TX_SLOT_LENGTH).initialise();
        rx = new FrontRing(rxPage, RX_SLOT_LENGTH).initialise();
        txRingRef = shared.claimReference();
        rxRingRef = shared.claimReference();
        shared.grant(txRingRef, txRingGpfn, false);
        shared.grant(rxRingRef, rxRingGpfn, false);
        port = events.allocUnbound(backendDomid);
        if (port < 0)
        {
            throw new IllegalStateException("no event channel for the network front end: error " + port);
        }
        events.setWaiter(port, waiter);

        txGpfn = new long[config.txBuffers()];
        txRef = new int[config.txBuffers()];
        txFree = new int[config.txBuffers()];
        for (int i = 0; i < txGpfn.length; i++)
        {
            txGpfn[i] = shared.allocatePage();
            txRef[i] = shared.claimReference();
            shared.grant(txRef[i], txGpfn[i], true);
            txFree[txFreeCount++] = txGpfn.length - 1 - i;
        }
        rxGpfn = new long[config.rxBuffers()];
        rxRef = new int[config.rxBuffers()];
        rxViews = new UnsafeBuffer[config.rxBuffers()];
        for (int i = 0; i < rxGpfn.length; i++)
        {
            rxGpfn[i] = shared.allocatePage();
            rxViews[i] = new UnsafeBuffer(0, 0);
            guest.memory().wrapFrame(rxGpfn[i], rxViews[i]);
            rxRef[i] = shared.claimReference();
            shared.grant(rxRef[i], rxGpfn[i], false);
            postRx(i);
        }
        rx.pushRequests();
    }

    /**
     * Attaches to vif {@code handle} of this guest, served by a back end in {@code backendDomid},
     * and runs the handshake to Connected.
     */
    public static NetFront attach(final DomainResources guest, final int backendDomid, final int handle, final NetFrontConfig config)
    {
        final NetFront front = new NetFront(guest, backendDomid, handle, config);
        try
        {
            front.connect();
            return front;
        }
        catch (final RuntimeException ex)
        {
            front.release();
            throw ex;
        }
    }

    private void connect()
    {
        if (restarts != null)
        {
            restarts.awaitBack(s -> s == XenbusState.INIT_WAIT || s == XenbusState.CONNECTED);
        }
        else
        {
            xenbus.awaitBackend(s -> s == XenbusState.INIT_WAIT || s == XenbusState.CONNECTED, "InitWait", config.handshakeTimeout());
        }
        handshake();
        if (restarts != null)
        {
            restarts.watch();
        }
    }

    /**
     * From the back end's InitWait to both ends Connected.
     */
    private void handshake()
    {
        final String macText = xenbus.readOwn(MAC);
        mac = macText == null ? -1 : MacAddress.parse(macText);
        xenbus.write(TX_RING_REF, Integer.toString(txRingRef));
        xenbus.write(RX_RING_REF, Integer.toString(rxRingRef));
        xenbus.write(EVENT_CHANNEL, Integer.toString(port));
        xenbus.write(REQUEST_RX_COPY, "1");
        xenbus.write(FEATURE_RX_NOTIFY, "1");
        xenbus.write(FEATURE_SG, "1");
        xenbus.switchTo(XenbusState.INITIALISED);
        xenbus.awaitBackend(s -> s == XenbusState.CONNECTED, "Connected", config.handshakeTimeout());
        xenbus.switchTo(XenbusState.CONNECTED);
        events.send(port); // the back end may have missed the rx buffers posted before it bound
    }


    /**
     * The back end left Connected: frames in flight are lost; connects to its next instance with the
     * rings re-initialised and every receive page posted again.
     */
    private void reconnect()
    {
        framesLost += txGpfn.length - txFreeCount;
        txFreeCount = 0;
        for (int i = 0; i < txGpfn.length; i++)
        {
            txFree[txFreeCount++] = txGpfn.length - 1 - i;
        }
        reassembled = 0;
        events.close(port);
        port = events.allocUnbound(xenbus.device().domid(XenbusDevice.Side.BACKEND));
        if (port < 0)
        {
            throw new IllegalStateException("no event channel for the network front end: error " + port);
        }
        events.setWaiter(port, waiter);
        restarts.reconnect(this::resetRings, this::handshake);
        reconnects++;
    }

    private boolean lost()
    {
        return restarts != null && restarts.lost();
    }

    /** Fresh rings with every receive page posted again, as a new back-end instance maps them. */
    private void resetRings()
    {
        tx.initialise();
        rx.initialise();
        for (int i = 0; i < rxGpfn.length; i++)
        {
            postRx(i);
        }
        rx.pushRequests();
    }

    /**
     * Times this front end connected again to a restarted back end.
     */
    public long reconnects()
    {
        return reconnects;
    }

    /**
     * Frames sent and never answered because their back end went away.
     */
    public long framesLost()
    {
        return framesLost;
    }

    /**
     * This vif's MAC address (as the toolstack assigned it), as a long.
     */
    public long mac()
    {
        return mac;
    }

    /**
     * Queues one frame; {@link #flush()} publishes it.
     *
     * @return false when there are not enough free transmit pages or ring slots (poll, then retry).
     */
    public boolean send(final DirectBuffer frame, final int offset, final int length)
    {
        if (closed)
        {
            throw new IllegalStateException("network front end is closed");
        }
        if (length < 14 || length > MAX_PACKET_SIZE)
        {
            throw new IllegalArgumentException("a frame is 14.." + MAX_PACKET_SIZE + " bytes: " + length);
        }
        final int pages = (length + PAGE_SIZE - 1) / PAGE_SIZE;
        if (pages > txFreeCount || pages > tx.freeRequests() || pages > XEN_NETIF_NR_SLOTS_MIN)
        {
            return false;
        }
        int done = 0;
        for (int slot = 0; slot < pages; slot++)
        {
            final int buffer = txFree[--txFreeCount];
            final int chunk = Math.min(PAGE_SIZE, length - done);
            guest.memory().putBytes(txGpfn[buffer] << PAGE_SHIFT, frame, offset + done, chunk);
            final int at = tx.claimRequest();
            txPage.putInt(at + TX_REQ_GREF_OFFSET, txRef[buffer]);
            txPage.putShort(at + TX_REQ_OFFSET_OFFSET, (short)0);
            txPage.putShort(at + TX_REQ_FLAGS_OFFSET, (short)(slot + 1 < pages ? NETTXF_MORE_DATA : 0));
            txPage.putShort(at + TX_REQ_ID_OFFSET, (short)buffer);
            // First slot: the whole packet's size; later slots: their own.
            txPage.putShort(at + TX_REQ_SIZE_OFFSET, (short)(slot == 0 ? length : chunk));
            done += chunk;
        }
        return true;
    }

    /**
     * Publishes queued frames, notifying the back end once if it asked to be told.
     */
    public void flush()
    {
        if (tx.pushRequests())
        {
            events.send(port);
        }
    }

    /**
     * Reclaims sent pages and hands received frames to {@code handler}, reposting their buffers.
     *
     * @return frames received.
     */
    public int poll(final FrameHandler handler)
    {
        if (lost())
        {
            reconnect();
            return 0;
        }
        events.clearPending(port);
        reclaimTx();
        int frames = 0;
        final int available = rx.responsesAvailable();
        if (available < 0)
        {
            throw new IllegalStateException("rx ring broken by the back end: " + rx.brokenReason());
        }
        for (int i = 0; i < available; i++)
        {
            final int at = rx.responseOffset();
            final int id = rxPage.getShort(at + RX_RSP_ID_OFFSET) & 0xFFFF;
            final int offset = rxPage.getShort(at + RX_RSP_OFFSET_OFFSET) & 0xFFFF;
            final int flags = rxPage.getShort(at + RX_RSP_FLAGS_OFFSET) & 0xFFFF;
            final int status = rxPage.getShort(at + RX_RSP_STATUS_OFFSET);
            rx.consumeResponse();
            if (id >= rxGpfn.length)
            {
                bogusResponses++;
                continue;
            }
            if (status <= 0 || offset + status > PAGE_SIZE)
            {
                rxErrors++;
                reassembled = 0;
            }
            else
            {
                final UnsafeBuffer rxView = rxViews[id];
                if ((flags & NETRXF_MORE_DATA) != 0 || reassembled > 0)
                {
                    if (reassembly == null)
                    {
                        reassembly = new UnsafeBuffer(new byte[MAX_PACKET_SIZE]);
                    }
                    if (reassembled + status <= reassembly.capacity())
                    {
                        reassembly.putBytes(reassembled, rxView, offset, status);
                        reassembled += status;
                    }
                    if ((flags & NETRXF_MORE_DATA) == 0)
                    {
                        handler.onFrame(reassembly, 0, reassembled);
                        reassembled = 0;
                        frames++;
                    }
                }
                else
                {
                    handler.onFrame(rxView, offset, status);
                    frames++;
                }
            }
            postRx(id);
        }
        if (available > 0 && rx.pushRequests())
        {
            events.send(port);
        }
        return frames;
    }

    /**
     * Waits (parked on the event channel) until the back end has answered something, or the timeout.
     */
    public boolean awaitActivity(final long timeoutNs)
    {
        if (rx.finalCheckForResponses() | tx.finalCheckForResponses())
        {
            return true;
        }
        return waiter.await(timeoutNs, () -> events.isPending(port) || lost()) || lost();
    }

    public int txBuffersFree()
    {
        return txFreeCount;
    }

    public long rxErrors()
    {
        return rxErrors;
    }

    public long txErrors()
    {
        return txErrors;
    }

    public long bogusResponses()
    {
        return bogusResponses;
    }

    private void reclaimTx()
    {
        final int available = tx.responsesAvailable();
        if (available < 0)
        {
            throw new IllegalStateException("tx ring broken by the back end: " + tx.brokenReason());
        }
        for (int i = 0; i < available; i++)
        {
            final int at = tx.responseOffset();
            final int id = txPage.getShort(at + TX_RSP_ID_OFFSET) & 0xFFFF;
            final int status = txPage.getShort(at + TX_RSP_STATUS_OFFSET);
            tx.consumeResponse();
            if (status == NETIF_RSP_NULL)
            {
                continue;
            }
            if (id >= txGpfn.length || txFreeCount == txFree.length)
            {
                bogusResponses++;
                continue;
            }
            if (status != NETIF_RSP_OKAY)
            {
                txErrors++;
            }
            txFree[txFreeCount++] = id;
        }
    }

    private void postRx(final int buffer)
    {
        final int at = rx.claimRequest();
        rxPage.putShort(at + RX_REQ_ID_OFFSET, (short)buffer);
        rxPage.putShort(at + 2, (short)0);
        rxPage.putInt(at + RX_REQ_GREF_OFFSET, rxRef[buffer]);
    }

    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        if (restarts != null)
        {
            restarts.stopWatching();
        }
        if (restarts == null || !restarts.closedByBackend())
        {
            xenbus.close(config.handshakeTimeout());
        }
        release();
    }

    private void release()
    {
        events.close(port);
        shared.release(txRingRef, txRingGpfn);
        shared.release(rxRingRef, rxRingGpfn);
        for (int i = 0; i < txGpfn.length; i++)
        {
            shared.release(txRef[i], txGpfn[i]);
        }
        for (int i = 0; i < rxGpfn.length; i++)
        {
            shared.release(rxRef[i], rxGpfn[i]);
        }
    }

}
