package io.javisor.core.driver;

import io.javisor.memory.PageDescriptor;
import io.javisor.netback.ratelimit.RateLimiter;
import io.javisor.netback.spec.MacAddress;
import io.javisor.ringio.ring.BackRing;
import io.javisor.ringio.xenstore.XenbusState;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.javisor.netback.NetifXenstoreKeys.*;
import static io.javisor.netback.wire.NetifDescriptor.RX_SLOT_LENGTH;
import static io.javisor.netback.wire.NetifDescriptor.TX_SLOT_LENGTH;

/**
 * The back end of one vif inside a driver domain process: the back end's half of the xenbus
 * handshake, its tx and rx rings once connected, and the mappings of the front end's tx pages
 * (read-only) and rx pages (writable). A Java front end grants those pages once for as long as it is
 * connected, so each is mapped through the hypervisor on first use and kept until the vif
 * disconnects; the frames themselves are then switched by {@link DriverNetAgent}, which also keeps
 * the vif's rate limit here.
 * <p>
 * Threads: everything but {@link #onWatchFired} runs on the agent's thread, the single writer of the
 * rings, the mappings and the state; {@link #port()} is read by the channel's reader.
 */
final class DriverVif
{
    /** Pages kept mapped per vif: a front end's tx and rx pages (256 each at most). */
    static final int MAX_MAPPED_PAGES = 1024;

    private final ParentLink link;
    private final GrantedFrames frames;
    private final DriverVifSpec spec;
    private final BackendDirectory directory;
    private final long mac;
    private final RateLimiter rateLimiter;
    private long throttledUntil;
    private long throttled;
    private final UnsafeBuffer txPage = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer rxPage = new UnsafeBuffer(0, 0);
    private final Map<Integer, GrantedFrame> txPages = new HashMap<>();
    private final Map<Integer, GrantedFrame> rxPages = new HashMap<>();
    private final UnsafeBuffer page = new UnsafeBuffer(0, 0);
    private final AtomicBoolean watchFired = new AtomicBoolean(true);
    private GrantedFrame txRing;
    private GrantedFrame rxRing;
    private BackRing tx;
    private BackRing rx;
    private volatile int port = -1;
    /** When a detach began (nanoTime), 0 when none has. */
    private long detachStarted;
    /** Responses written to the rx ring and not yet pushed. */
    boolean rxDirty;

    DriverVif(final ParentLink link, final GrantedFrames frames, final int domid, final DriverVifSpec spec)
    {
        this.link = link;
        this.frames = frames;
        this.spec = spec;
        this.directory = new BackendDirectory(link, domid, DEVICE_TYPE, spec.frontendDomid(), spec.handle());
        this.mac = MacAddress.parse(spec.mac());
        final RateLimiter limiter = RateLimiter.fromSpec(spec.spec());
        this.rateLimiter = limiter.isUnlimited() ? null : limiter;
    }

    /**
     * The vif's transmit limit ({@code rate=}, {@code pps=}, {@code burst=}), or null for none.
     */
    RateLimiter rateLimiter()
    {
        return rateLimiter;
    }

    /**
     * Until when (nanoTime) the vif's next packet waits for its rate limit.
     */
    long throttledUntil()
    {
        return throttledUntil;
    }

    void throttleUntil(final long nanoTime)
    {
        throttledUntil = nanoTime;
        throttled++;
    }

    /**
     * Times a packet had to wait for the rate limit.
     */
    long throttled()
    {
        return throttled;
    }

    String token()
    {
        return directory.token();
    }

    String bridge()
    {
        return spec.bridge();
    }

    long mac()
    {
        return mac;
    }

    int port()
    {
        return port;
    }

    BackRing tx()
    {
        return tx;
    }

    BackRing rx()
    {
        return rx;
    }

    /**
     * The watch on the front end's state fired (channel reader's thread).
     */
    void onWatchFired()
    {
        watchFired.set(true);
    }

    boolean takeWatchFired()
    {
        return watchFired.getAndSet(false);
    }

    boolean isConnected()
    {
        return tx != null;
    }

    /**
     * Publishes the back end's features and InitWait, and watches the front end's state.
     */
    void publish() throws IOException
    {
        directory.write(FEATURE_RX_COPY, "1", FEATURE_RX_FLIP, "0", FEATURE_SG, "1", FEATURE_GSO_TCPV4, "0",
            FEATURE_SPLIT_EVENT_CHANNELS, "0", MULTI_QUEUE_MAX_QUEUES, "1", "state", XenbusState.INIT_WAIT.toText());
        directory.watchFrontend();
    }

    /**
     * Follows the front end's state: connects on Initialised, disconnects when it closes.
     */
    void onFrontendState() throws IOException
    {
        final XenbusState state = directory.frontendState();
        if (state == XenbusState.INITIALISED && !isConnected() && !isDetaching())
        {
            connect();
        }
        else if ((state == XenbusState.CLOSING || state == XenbusState.CLOSED) && isConnected())
        {
            disconnect();
            directory.write("state", XenbusState.CLOSED.toText());
        }
        else if (state == XenbusState.CLOSING)
        {
            directory.write("state", XenbusState.CLOSED.toText());
        }
    }

    private void connect() throws IOException
    {
        final String[] keys = directory.readFrontend(TX_RING_REF, RX_RING_REF, EVENT_CHANNEL, REQUEST_RX_COPY);
        final int txRef;
        final int rxRef;
        final int remotePort;
        try
        {
            txRef = Integer.parseInt(String.valueOf(keys[0]).trim());
            rxRef = Integer.parseInt(String.valueOf(keys[1]).trim());
            remotePort = Integer.parseInt(String.valueOf(keys[2]).trim());
        }
        catch (final NumberFormatException ex)
        {
            fail("bad tx-ring-ref, rx-ring-ref or event-channel");
            return;
        }
        if (!"1".equals(keys[3]))
        {
            fail("the front end does not request rx copy");
            return;
        }
        txRing = frames.map(spec.frontendDomid(), txRef, false);
        rxRing = txRing == null ? null : frames.map(spec.frontendDomid(), rxRef, false);
        if (rxRing == null)
        {
            fail("cannot map the tx or rx ring");
            return;
        }
        final ParentLink.Reply bound = link.bind(spec.frontendDomid(), remotePort);
        if (bound.status() < 0)
        {
            fail("cannot bind event-channel " + remotePort + ": error " + bound.status());
            return;
        }
        port = bound.status();
        txPage.wrap(txRing.address(), PageDescriptor.PAGE_SIZE);
        rxPage.wrap(rxRing.address(), PageDescriptor.PAGE_SIZE);
        tx = new BackRing(txPage, TX_SLOT_LENGTH).attach();
        rx = new BackRing(rxPage, RX_SLOT_LENGTH).attach();
        directory.write("state", XenbusState.CONNECTED.toText());
    }

    boolean isDetaching()
    {
        return detachStarted != 0;
    }

    /**
     * Starts a detach: a connected vif goes Closing (and offline) and waits for its front end to close.
     */
    void beginDetach() throws IOException
    {
        detachStarted = System.nanoTime();
        if (isConnected())
        {
            directory.write("online", "0", "state", XenbusState.CLOSING.toText());
        }
    }

    /**
     * Whether a detaching vif is to be released now: its front end closed, or the grace passed.
     */
    boolean detachDue()
    {
        return !isConnected() || System.nanoTime() - detachStarted >= DriverProtocol.FRONTEND_CLOSE_GRACE_NANOS;
    }

    /**
     * Ends a detach: every mapping and the event channel released, Closed, the front end no longer watched.
     */
    void finishDetach() throws IOException
    {
        disconnect();
        directory.write("state", XenbusState.CLOSED.toText());
        directory.unwatchFrontend();
    }

    /**
     * The front end's tx page {@code ref}, mapped read-only on first use; null when refused.
     */
    UnsafeBuffer txPage(final int ref) throws IOException
    {
        return pageOf(txPages, ref, true);
    }

    /**
     * The front end's rx page {@code ref}, mapped writable on first use; null when refused.
     */
    UnsafeBuffer rxPage(final int ref) throws IOException
    {
        return pageOf(rxPages, ref, false);
    }

    private UnsafeBuffer pageOf(final Map<Integer, GrantedFrame> pages, final int ref, final boolean readOnly)
        throws IOException
    {
        GrantedFrame frame = pages.get(ref);
        if (frame == null)
        {
            if (txPages.size() + rxPages.size() >= MAX_MAPPED_PAGES)
            {
                return null;
            }
            frame = frames.map(spec.frontendDomid(), ref, readOnly);
            if (frame == null)
            {
                return null;
            }
            pages.put(ref, frame);
        }
        page.wrap(frame.address(), PageDescriptor.PAGE_SIZE);
        return page;
    }

    /**
     * A protocol error of the front end: disconnects and goes Closing with the reason.
     */
    void fail(final String reason) throws IOException
    {
        disconnect();
        directory.write(ERROR, reason, "state", XenbusState.CLOSING.toText());
    }

    private void disconnect() throws IOException
    {
        tx = null;
        rx = null;
        rxDirty = false;
        txPage.wrap(0, 0);
        rxPage.wrap(0, 0);
        for (final GrantedFrame frame : txPages.values())
        {
            frames.unmap(frame);
        }
        for (final GrantedFrame frame : rxPages.values())
        {
            frames.unmap(frame);
        }
        txPages.clear();
        rxPages.clear();
        for (final GrantedFrame ring : new GrantedFrame[] {txRing, rxRing})
        {
            if (ring != null)
            {
                frames.unmap(ring);
            }
        }
        txRing = null;
        rxRing = null;
        if (port > 0)
        {
            link.closePort(port);
            port = -1;
        }
    }
}
