package io.javisor.core.driver;

import io.javisor.netback.spec.MacAddress;
import io.javisor.ringio.ring.BackRing;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.LockSupport;

import io.javisor.netback.NetifXenstoreKeys;

import static io.javisor.netback.wire.NetifDescriptor.*;

/**
 * The network back end of a driver domain process: every vif it serves and the learning bridges
 * they are switched on, run by one thread, the single writer of all of it (rings, mappings, MAC
 * tables). A frame sent on one vif's tx ring is copied once, from the sender's granted tx page into
 * a receive page the destination posted (unicast to a learnt MAC, else to every other vif of the
 * bridge); with no receive page posted it is dropped, as a switch drops. Frames of one page (up to
 * 4 KiB) are switched; a frame of several slots, or with extra info, is answered ERROR and dropped.
 * <p>
 * Threads: the channel's reader adds vifs and flags watch firings and events ({@link #add},
 * {@link #onWatchFired}, {@link #wake}); everything else runs on the agent's thread.
 */
final class DriverNetAgent implements Runnable
{
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
    private final Map<String, Map<Long, DriverVif>> macTables = new HashMap<>();
    private final UnsafeBuffer request = new UnsafeBuffer(new byte[TX_SLOT_LENGTH]);
    private final List<DriverVif> targets = new ArrayList<>();
    private volatile Thread thread;
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
        final Thread t = thread;
        if (t != null)
        {
            LockSupport.unpark(t);
        }
    }

    @Override
    public void run()
    {
        thread = Thread.currentThread();
        try
        {
            activated.await();
            while (true)
            {
                int work = addVifs() + takeDetaches();
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
        catch (final IOException ex)
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
        final Map<Long, DriverVif> table = macTables.get(vif.bridge());
        if (table != null)
        {
            table.values().removeIf(v -> v == vif);
        }
        link.detached(vif.token());
    }

    /**
     * Arms each connected vif's tx event, then looks again: true when a request came meanwhile.
     */
    private boolean anyRequests()
    {
        boolean any = false;
        for (final DriverVif vif : vifs)
        {
            if (vif.isConnected())
            {
                any |= vif.tx().finalCheckForRequests();
            }
        }
        return any;
    }

    /**
     * Switches the frames on {@code source}'s tx ring.
     *
     * @return the number of tx slots consumed.
     */
    private int serveTx(final DriverVif source) throws IOException
    {
        final BackRing tx = source.tx();
        final int available = tx.unconsumedRequests();
        if (available < 0)
        {
            source.fail("tx ring broken: " + tx.brokenReason());
            return 1;
        }
        for (int i = 0; i < available; i++)
        {
            tx.copyRequest(request, 0);
            final int ref = request.getInt(TX_REQ_GREF_OFFSET);
            final int offset = request.getShort(TX_REQ_OFFSET_OFFSET) & 0xFFFF;
            final int flags = request.getShort(TX_REQ_FLAGS_OFFSET) & 0xFFFF;
            final int id = request.getShort(TX_REQ_ID_OFFSET) & 0xFFFF;
            final int size = request.getShort(TX_REQ_SIZE_OFFSET) & 0xFFFF;
            if ((flags & (NETTXF_MORE_DATA | NETTXF_EXTRA_INFO)) != 0 || size < 14 || offset + size > 4096)
            {
                respondTx(tx, id, NETIF_RSP_ERROR);
                dropped++;
                // The rest of a chain: each slot answered, the frame dropped.
                boolean more = (flags & NETTXF_MORE_DATA) != 0;
                while (more && i + 1 < available)
                {
                    i++;
                    tx.copyRequest(request, 0);
                    more = (request.getShort(TX_REQ_FLAGS_OFFSET) & NETTXF_MORE_DATA) != 0;
                    respondTx(tx, request.getShort(TX_REQ_ID_OFFSET) & 0xFFFF, NETIF_RSP_NULL);
                }
                continue;
            }
            final UnsafeBuffer frame = source.txPage(ref);
            if (frame == null)
            {
                respondTx(tx, id, NETIF_RSP_ERROR);
                continue;
            }
            switchFrame(source, frame, offset, size);
            respondTx(tx, id, NETIF_RSP_OKAY);
        }
        if (available > 0 && tx.pushResponses())
        {
            link.send(source.port());
        }
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
        return available;
    }

    private void switchFrame(final DriverVif source, final UnsafeBuffer frame, final int offset, final int size)
        throws IOException
    {
        final long destination = MacAddress.read(frame, offset);
        final Map<Long, DriverVif> table = macTables.computeIfAbsent(source.bridge(), _ -> new HashMap<>());
        final long sender = MacAddress.read(frame, offset + 6);
        if (MacAddress.isValidUnicast(sender))
        {
            table.put(sender, source);
        }
        final DriverVif known = MacAddress.isMulticast(destination) ? null : table.get(destination);
        if (known != null)
        {
            if (known != source)
            {
                deliver(known, frame, offset, size);
            }
            return;
        }
        for (final DriverVif vif : vifs)
        {
            if (vif != source && vif.bridge().equals(source.bridge()))
            {
                deliver(vif, frame, offset, size);
            }
        }
    }

    /**
     * Copies the frame into a receive page {@code target} posted, or drops it when none is.
     */
    private void deliver(final DriverVif target, final UnsafeBuffer frame, final int offset, final int size)
        throws IOException
    {
        final BackRing rx = target.rx();
        if (rx == null || (rx.counted() == 0 && rx.unconsumedRequests() <= 0))
        {
            dropped++;
            return;
        }
        rx.copyRequest(request, 0);
        final int id = request.getShort(RX_REQ_ID_OFFSET) & 0xFFFF;
        final int ref = request.getInt(RX_REQ_GREF_OFFSET);
        // The source frame's view is reused by the next mapping: copy through a stable address.
        final long sourceAddress = frame.addressOffset() + offset;
        final UnsafeBuffer page = target.rxPage(ref);
        final int status;
        if (page == null)
        {
            status = NETIF_RSP_ERROR;
        }
        else
        {
            org.agrona.UnsafeApi.copyMemory(sourceAddress, page.addressOffset(), size);
            status = size;
        }
        final int at = rx.claimResponse();
        final AtomicBuffer ring = rx.buffer();
        ring.putShort(at + RX_RSP_ID_OFFSET, (short)id);
        ring.putShort(at + RX_RSP_OFFSET_OFFSET, (short)0);
        ring.putShort(at + RX_RSP_FLAGS_OFFSET, (short)0);
        ring.putShort(at + RX_RSP_STATUS_OFFSET, (short)status);
        if (!target.rxDirty)
        {
            target.rxDirty = true;
            targets.add(target);
        }
    }

    private static void respondTx(final BackRing tx, final int id, final int status)
    {
        final int at = tx.claimResponse();
        final AtomicBuffer ring = tx.buffer();
        ring.setMemory(at, TX_SLOT_LENGTH, (byte)0);
        ring.putShort(at + TX_RSP_ID_OFFSET, (short)id);
        ring.putShort(at + TX_RSP_STATUS_OFFSET, (short)status);
    }
}
