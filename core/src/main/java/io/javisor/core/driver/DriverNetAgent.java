package io.javisor.core.driver;

import io.javisor.memory.PageDescriptor;
import io.javisor.netback.NetTxPacket;
import io.javisor.netback.ratelimit.RateLimiter;
import io.javisor.netback.spec.MacAddress;
import io.javisor.netback.wire.NetifRxResponse;
import io.javisor.netback.wire.NetifTxResponse;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import io.javisor.ringio.ring.BackRing;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

import io.javisor.netback.NetifXenstoreKeys;

import static io.javisor.netback.wire.NetifDescriptor.*;

/**
 * The network back end of a driver domain process: every vif it serves and the learning bridges
 * they are switched on, run by one thread, the single writer of all of it (rings, mappings, MAC
 * tables, rate limits). A packet on one vif's tx ring is taken apart and checked by netback's own
 * {@link NetTxPacket} (so a malformed one is dropped with ERROR, and a framing error disables the
 * vif, as in dom0), and passes only as fast as the vif's {@code rate=}/{@code pps=} limit lets it.
 * A one-slot frame is copied once, from the sender's granted tx page into receive pages the
 * destination posted (unicast to a learnt MAC, else to every other vif of the bridge); a frame of
 * several slots (up to 64 KiB) is gathered first. A frame larger than a page goes to several receive
 * pages chained with NETRXF_more_data; with too few posted it is dropped, as a switch drops.
 * <p>
 * A bridge shared with dom0 ({@link #shareBridge}) has an uplink: what it floods, or sends to a MAC
 * learnt from dom0, goes up the channel to dom0's bridge of that name; frames from dom0's bridge are
 * switched here as coming from the uplink.
 * <p>
 * Threads: the channel's reader adds vifs and shared bridges, queues frames from dom0 and flags
 * watch firings and events ({@link #add}, {@link #shareBridge}, {@link #fromUplink},
 * {@link #onWatchFired}, {@link #wake}); everything else runs on the agent's thread.
 */
final class DriverNetAgent implements Runnable
{
    /** Where a MAC learnt from dom0's bridge lives in a MAC table. */
    private static final Object UPLINK = new Object();
    /** Frames from dom0's bridges waiting for the agent, at most this many bytes. */
    static final int UPLINK_QUEUE_BYTES = 1 << 20;

    private final ParentLink link;
    private final GrantedFrames frames;
    private final int domid;
    private final DeviceIdler idler;
    private final CountDownLatch activated;
    private final ConcurrentLinkedQueue<DriverVifSpec> added = new ConcurrentLinkedQueue<>();
    /** Tokens of the vifs to detach, queued by the channel's reader. */
    private final ConcurrentLinkedQueue<String> detaches = new ConcurrentLinkedQueue<>();
    private final Map<String, DriverVif> byToken = new ConcurrentHashMap<>();
    private final List<DriverVif> vifs = new ArrayList<>();
    /** Per bridge, where each learnt MAC lives: a {@link DriverVif}, or {@link #UPLINK} (dom0's bridge). */
    private final Map<String, Map<Long, Object>> macTables = new HashMap<>();
    /** The bridges joined to dom0's (reader thread adds, the agent reads). */
    private final List<String> sharedBridges = new CopyOnWriteArrayList<>();
    /** Frames from dom0's bridges, copied in by the reader (type: 1 + the bridge's index in {@link #sharedBridges}). */
    private final OneToOneRingBuffer fromDom0 =
        new OneToOneRingBuffer(new UnsafeBuffer(ByteBuffer.allocateDirect(UPLINK_QUEUE_BYTES + RingBufferDescriptor.TRAILER_LENGTH)));
    private final MessageHandler switchFromDom0 = this::switchFromDom0;
    private final UnsafeBuffer request = new UnsafeBuffer(new byte[RX_SLOT_LENGTH]);
    private final NetTxPacket packet = new NetTxPacket();
    /** A frame of several tx slots, gathered (off-heap: its address is copied from). */
    private final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(NetTxPacket.MAX_FRAME));
    /** The frame being switched: in the sender's tx page, or in {@link #frame}. */
    private final UnsafeBuffer frameView = new UnsafeBuffer(0, 0);
    private final NetifTxResponse txResponse = new NetifTxResponse();
    private final NetifRxResponse rxResponse = new NetifRxResponse();
    private final List<DriverVif> targets = new ArrayList<>();
    private long dropped;

    DriverNetAgent(final ParentLink link, final GrantedFrames frames, final int domid, final DriverIdle idle,
        final CountDownLatch activated)
    {
        this.link = link;
        this.frames = frames;
        this.domid = domid;
        this.idler = new DeviceIdler(idle, this::anyRequests);
        this.activated = activated;
    }

    void add(final DriverVifSpec spec)
    {
        added.add(spec);
        wake();
    }

    /**
     * Detaches vif {@code handle} of {@code frontendDomid} (channel reader's thread): one not yet
     * published is dropped here; the agent closes a published one through xenbus and says DETACHED.
     */
    void detach(final int frontendDomid, final int handle)
    {
        added.removeIf(spec -> spec.frontendDomid() == frontendDomid && spec.handle() == handle);
        detaches.add(BackendDirectory.token(NetifXenstoreKeys.DEVICE_TYPE, frontendDomid, handle));
        wake();
    }

    /**
     * Joins bridge {@code bridge} to dom0's (channel reader's thread).
     */
    void shareBridge(final String bridge)
    {
        if (!sharedBridges.contains(bridge))
        {
            sharedBridges.add(bridge);
        }
    }

    /**
     * A frame from dom0's bridge {@code bridge} (channel reader's thread): queued for the agent, or
     * dropped when the queue is full or the bridge is not shared.
     */
    void fromUplink(final String bridge, final DirectBuffer frame, final int length)
    {
        final int index = sharedBridges.indexOf(bridge);
        // A frame the queue cannot take is dropped, as a switch drops.
        if (index >= 0 && fromDom0.write(index + 1, frame, 0, length))
        {
            wake();
        }
    }

    void onWatchFired(final String token)
    {
        final DriverVif vif = byToken.get(token);
        if (vif != null)
        {
            vif.onWatchFired();
            wake();
        }
    }

    void onEventPending(final int port)
    {
        wake();
    }

    void wake()
    {
        idler.wake();
    }

    @Override
    public void run()
    {
        idler.bind();
        try
        {
            activated.await();
            while (true)
            {
                int work = addVifs() + takeDetaches() + fromDom0();
                for (int i = 0; i < vifs.size(); i++)
                {
                    final DriverVif vif = vifs.get(i);
                    if (vif.takeWatchFired())
                    {
                        vif.onFrontendState();
                        work++;
                    }
                    if (vif.isDetaching() && vif.detachDue())
                    {
                        finishDetach(vif);
                        i--;
                        work++;
                        continue;
                    }
                    if (vif.isConnected())
                    {
                        work += serveTx(vif);
                    }
                }
                idler.idle(work);
            }
        }
        catch (final IOException | UncheckedIOException ex)
        {
            System.err.println("net agent: " + ex.getMessage());
            System.exit(2);
        }
        catch (final InterruptedException ex)
        {
            System.exit(2);
        }
    }

    private int addVifs() throws IOException
    {
        int work = 0;
        DriverVifSpec spec;
        while ((spec = added.poll()) != null)
        {
            final DriverVif vif = new DriverVif(link, frames, domid, spec);
            byToken.put(vif.token(), vif);
            vifs.add(vif);
            vif.publish();
            work++;
        }
        return work;
    }

    private int takeDetaches() throws IOException
    {
        int work = 0;
        String token;
        while ((token = detaches.poll()) != null)
        {
            final DriverVif vif = byToken.get(token);
            if (vif == null)
            {
                link.detached(token); // never published (or gone already): nothing to release
            }
            else if (!vif.isDetaching())
            {
                vif.beginDetach();
            }
            work++;
        }
        return work;
    }

    /**
     * Releases a detaching vif (its front end closed, or the grace passed) and forgets it.
     */
    private void finishDetach(final DriverVif vif) throws IOException
    {
        vif.finishDetach();
        vifs.remove(vif);
        byToken.remove(vif.token());
        final Map<Long, Object> table = macTables.get(vif.bridge());
        if (table != null)
        {
            table.values().removeIf(v -> v == vif);
        }
        link.detached(vif.token());
    }

    /**
     * Arms each connected vif's tx event, then looks again: true when a request came meanwhile
     * (a throttled vif's requests wait for its limit, looked at again after the park).
     */
    private boolean anyRequests()
    {
        final long now = System.nanoTime();
        boolean any = false;
        for (final DriverVif vif : vifs)
        {
            if (vif.isConnected() && vif.throttledUntil() <= now)
            {
                any |= vif.tx().finalCheckForRequests();
            }
        }
        return any;
    }

    /**
     * Switches the packets on {@code source}'s tx ring, each taken apart and checked by netback's
     * {@link NetTxPacket}, as long as the vif's rate limit lets them pass.
     *
     * @return the number of tx slots consumed.
     */
    private int serveTx(final DriverVif source) throws IOException
    {
        final long now = System.nanoTime();
        if (source.throttledUntil() > now)
        {
            return 0;
        }
        final BackRing tx = source.tx();
        int available = tx.unconsumedRequests();
        if (available < 0)
        {
            source.fail("tx ring broken: " + tx.brokenReason());
            return 1;
        }
        int consumed = 0;
        while (available > 0)
        {
            final int slotCount = packet.take(tx, available);
            if (slotCount == 0)
            {
                break; // the rest of the packet is not published yet
            }
            if (slotCount < 0)
            {
                source.fail(packet.protocolError());
                return consumed + 1;
            }
            final int size = packet.size();
            final RateLimiter limiter = source.rateLimiter();
            if (limiter != null && !limiter.tryConsume(size, now))
            {
                source.throttleUntil(now + Math.max(1, limiter.nanosUntilAvailable(size, now)));
                break;
            }
            int status = packet.check();
            if (status == NETIF_RSP_OKAY)
            {
                status = switchPacket(source, size);
            }
            if (status != NETIF_RSP_OKAY)
            {
                dropped++;
            }
            tx.skipRequests(slotCount);
            for (int i = 0; i < slotCount; i++)
            {
                txResponse.wrap(tx.buffer(), tx.claimResponse()).write(packet.id(i), packet.isExtra(i) ? NETIF_RSP_NULL : status);
            }
            available -= slotCount;
            consumed += slotCount;
        }
        if (consumed > 0 && tx.pushResponses())
        {
            link.send(source.port());
        }
        pushReceived();
        return consumed;
    }

    /**
     * Publishes the rx responses written since the last call, notifying each vif once.
     */
    private void pushReceived() throws IOException
    {
        for (final DriverVif target : targets)
        {
            if (target.rxDirty)
            {
                target.rxDirty = false;
                if (target.isConnected() && target.rx().pushResponses())
                {
                    link.send(target.port());
                }
            }
        }
        targets.clear();
    }

    /**
     * Switches the frames dom0's bridges sent, then publishes what they delivered.
     */
    private int fromDom0() throws IOException
    {
        final int frames = fromDom0.read(switchFromDom0);
        if (frames > 0)
        {
            pushReceived();
        }
        return frames;
    }

    /**
     * Switches the checked packet: a one-slot frame straight from the sender's tx page, a frame of
     * several slots gathered into the agent's frame buffer first.
     *
     * @return NETIF_RSP_OKAY, or NETIF_RSP_ERROR when a page's grant is refused.
     */
    private int switchPacket(final DriverVif source, final int size) throws IOException
    {
        long address = 0;
        int gathered = 0;
        int dataSlots = 0;
        for (int i = 0; i < packet.slots(); i++)
        {
            if (packet.isExtra(i))
            {
                continue;
            }
            final UnsafeBuffer page = source.txPage(packet.ref(i));
            if (page == null)
            {
                return NETIF_RSP_ERROR;
            }
            final long from = page.addressOffset() + packet.offset(i);
            final int length = packet.length(i);
            if (dataSlots++ == 0)
            {
                address = from;
            }
            else
            {
                if (dataSlots == 2)
                {
                    UnsafeApi.copyMemory(address, frame.addressOffset(), gathered);
                    address = frame.addressOffset();
                }
                UnsafeApi.copyMemory(from, frame.addressOffset() + gathered, length);
            }
            gathered += length;
        }
        // A mapped page stays mapped until its vif disconnects: the address holds while the frame is switched.
        frameView.wrap(address, size);
        switchFrame(source, source.bridge(), size);
        return NETIF_RSP_OKAY;
    }

    /**
     * A frame dom0's bridge sent to this process's bridge (agent thread, from {@link #fromDom0}).
     */
    private void switchFromDom0(final int type, final MutableDirectBuffer buffer, final int index, final int length)
    {
        frameView.wrap(buffer.addressOffset() + index, length);
        try
        {
            switchFrame(null, sharedBridges.get(type - 1), length);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Switches the frame in {@link #frameView} on {@code bridge}: to the vif (or dom0's bridge) its
     * destination was learnt on, else to every vif of the bridge and to dom0's if shared, never back
     * where it came from.
     *
     * @param source the vif it came from, or null when it came from dom0's bridge.
     */
    private void switchFrame(final DriverVif source, final String bridge, final int size) throws IOException
    {
        final long destination = MacAddress.read(frameView, 0);
        final Map<Long, Object> table = macTables.computeIfAbsent(bridge, _ -> new HashMap<>());
        final long sender = MacAddress.read(frameView, 6);
        if (MacAddress.isValidUnicast(sender))
        {
            table.put(sender, source == null ? UPLINK : source);
        }
        final Object known = MacAddress.isMulticast(destination) ? null : table.get(destination);
        if (known == UPLINK)
        {
            if (source != null)
            {
                link.uplinkFrame(bridge, frameView, size);
            }
            return;
        }
        if (known != null)
        {
            if (known != source)
            {
                deliver((DriverVif)known, size);
            }
            return;
        }
        for (final DriverVif vif : vifs)
        {
            if (vif != source && vif.bridge().equals(bridge))
            {
                deliver(vif, size);
            }
        }
        if (source != null && sharedBridges.contains(bridge))
        {
            link.uplinkFrame(bridge, frameView, size);
        }
    }

    /**
     * Copies the frame into receive pages {@code target} posted, one per 4 KiB (chained with
     * NETRXF_more_data, as dom0's netback), or drops it when too few are posted.
     */
    private void deliver(final DriverVif target, final int size) throws IOException
    {
        final BackRing rx = target.rx();
        if (rx == null)
        {
            dropped++;
            return;
        }
        final int needed = (size + PageDescriptor.PAGE_SIZE - 1) / PageDescriptor.PAGE_SIZE;
        if (rx.counted() < needed)
        {
            final int posted = rx.unconsumedRequests();
            if (posted < 0)
            {
                target.fail("rx ring broken: " + rx.brokenReason());
                return;
            }
            if (posted < needed)
            {
                dropped++;
                return;
            }
        }
        final long source = frameView.addressOffset();
        int done = 0;
        for (int slot = 0; slot < needed; slot++)
        {
            rx.copyRequest(request, 0);
            final int id = request.getShort(RX_REQ_ID_OFFSET) & 0xFFFF;
            final int chunk = Math.min(PageDescriptor.PAGE_SIZE, size - done);
            final UnsafeBuffer page = target.rxPage(request.getInt(RX_REQ_GREF_OFFSET));
            if (page != null)
            {
                UnsafeApi.copyMemory(source + done, page.addressOffset(), chunk);
            }
            rxResponse.wrap(rx.buffer(), rx.claimResponse()).write(id, 0,
                slot + 1 < needed ? NETRXF_MORE_DATA | NETRXF_DATA_VALIDATED : NETRXF_DATA_VALIDATED,
                page == null ? NETIF_RSP_ERROR : chunk);
            done += chunk;
        }
        if (!target.rxDirty)
        {
            target.rxDirty = true;
            targets.add(target);
        }
    }
}
