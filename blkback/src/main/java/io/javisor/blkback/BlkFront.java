package io.javisor.blkback;

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
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.javisor.blkback.BlkifXenstoreKeys.*;
import static io.javisor.blkback.wire.BlkifDescriptor.*;
import static io.javisor.memory.PageDescriptor.PAGE_SHIFT;
import static io.javisor.memory.PageDescriptor.PAGE_SIZE;

/**
 * The Java block front end a Java guest uses: it attaches to a virtual block device by device id
 * through the xenbus handshake, then submits blkif requests over the shared ring.
 * <p>
 * Each request slot owns {@code segmentsPerSlot} data pages of the guest, granted to the back end
 * once (persistent grants) or per request; a write copies the caller's bytes into them before the
 * request is pushed, a read copies them out when the response arrives — the one copy Linux's
 * blkfront makes with persistent grants. Requests are batched: {@link #read}/{@link #write}
 * only queue, {@link #submit()} publishes the batch with at most one notification, and
 * {@link #poll} consumes responses and calls the completion handler. Single-threaded: one thread
 * owns a BlkFront; the submit/poll path allocates nothing.
 * <p>
 * With {@link BlkFrontConfig#reconnect()} a front end survives its back end's restart (a driver
 * domain that died and came back): a watch on the back end's state flags it leaving Connected, and
 * the next {@link #poll} first completes the responses the old back end published, then runs the
 * handshake again with the next instance (a fresh event channel, the ring re-initialised) and
 * re-issues every request still unanswered from a copy kept when it was queued, with its original id.
 * Each request therefore completes exactly once. The watch only sets a flag and wakes the owner.
 */
public final class BlkFront implements AutoCloseable
{
    private static final int SECTOR_SHIFT = 9;
    private static final long SLOT_MASK = 0xFFFF_FFFFL;

    private final DomainResources guest;
    private final XenbusFrontend xenbus;
    private final GrantedPages shared;
    private final BlkFrontConfig config;
    private final EventChannels events;
    private final EventWaiter waiter = new EventWaiter();
    private final UnsafeBuffer ringPage = new UnsafeBuffer(0, 0);
    // A ring slot is the union of request and response: copies are slot-sized.
    private final UnsafeBuffer responseCopy = new UnsafeBuffer(new byte[REQUEST_LENGTH]);
    private final FrontRing ring;
    private final long ringGpfn;
    private final int ringRef;
    private int port;
    /** Reconnecting: each in-flight slot's request as queued, to re-issue after a back end restart. */
    private final UnsafeBuffer queued;
    private int lastOffset;
    /** Reconnecting: the watch on the back end and the way to its next instance; otherwise null. */
    private final BackendRestarts restarts;
    private long reconnects;
    private long reissued;

    private final int queueDepth;
    private final int segmentsPerSlot;
    private final long[] pageGpfn;
    private final int[] pageRef;
    private final int[] freeSlots;
    private int freeCount;
    private final int[] generation;
    private final long[] tags;
    private final int[] operations;
    private final int[] byteCounts;
    private final MutableDirectBuffer[] readTargets;
    private final int[] readOffsets;
    private long sectors;
    private boolean readOnly;
    private boolean closed;
    private long bogusResponses;
    private int lastSlot = -1;
    private int completingSlot = -1;
    private int completingGeneration;

    private BlkFront(final DomainResources guest, final int backendDomid, final int deviceId, final BlkFrontConfig config)
    {
        if (config.queueDepth() < 1 || config.segmentsPerSlot() < 1 || config.segmentsPerSlot() > MAX_SEGMENTS_PER_REQUEST)
        {
            throw new IllegalArgumentException("queue depth must be ≥ 1 and segments per slot 1.." + MAX_SEGMENTS_PER_REQUEST);
        }
        this.guest = guest;
        this.config = config;
        this.events = guest.eventChannels();
        this.xenbus = new XenbusFrontend(
            new XenbusDevice(guest.xenStore(), DEVICE_TYPE, guest.domid(), backendDomid, deviceId), "block back end");
        this.restarts = config.reconnect() ? new BackendRestarts(xenbus, config.handshakeTimeout(), waiter::wake) : null;
        this.shared = new GrantedPages(guest, backendDomid, "block front end");

        ringGpfn = shared.allocatePage();
        guest.memory().wrapFrame(ringGpfn, ringPage);
        ring = new FrontRing(ringPage, REQUEST_LENGTH).initialise();
        queueDepth = Math.min(config.queueDepth(), ring.size());
        segmentsPerSlot = config.segmentsPerSlot();
        ringRef = shared.claimReference();
        shared.grant(ringRef, ringGpfn, false);
        port = events.allocUnbound(backendDomid);
        if (port < 0)
        {
            throw new IllegalStateException("no event channel for the block front end: error " + port);
        }
        events.setWaiter(port, waiter);

        final int pages = queueDepth * segmentsPerSlot;
        pageGpfn = new long[pages];
        pageRef = new int[pages];
        for (int i = 0; i < pages; i++)
        {
            pageGpfn[i] = shared.allocatePage();
            pageRef[i] = shared.claimReference();
            if (config.persistent())
            {
                shared.grant(pageRef[i], pageGpfn[i], false);
            }
        }
        freeSlots = new int[queueDepth];
        for (int i = 0; i < queueDepth; i++)
        {
            freeSlots[i] = queueDepth - 1 - i;
        }
        freeCount = queueDepth;
        generation = new int[queueDepth];
        tags = new long[queueDepth];
        operations = new int[queueDepth];
        byteCounts = new int[queueDepth];
        readTargets = new MutableDirectBuffer[queueDepth];
        readOffsets = new int[queueDepth];
        queued = config.reconnect() ? new UnsafeBuffer(new byte[queueDepth * REQUEST_LENGTH]) : null;
    }

    /**
     * Attaches to device {@code deviceId} of this guest, served by a back end in {@code backendDomid},
     * and runs the handshake to Connected.
     *
     * @throws IllegalStateException when the back end does not answer in time or refuses.
     */
    public static BlkFront attach(
        final DomainResources guest, final int backendDomid, final int deviceId, final BlkFrontConfig config)
    {
        final BlkFront front = new BlkFront(guest, backendDomid, deviceId, config);
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
            // A back end that is Closed may be restarting (a driver domain): wait for it.
            restarts.awaitBack(s -> s == XenbusState.INIT_WAIT || s == XenbusState.CONNECTED);
        }
        else
        {
            xenbus.awaitBackend(s -> s == XenbusState.INIT_WAIT || s == XenbusState.CONNECTED, "InitWait",
                config.handshakeTimeout());
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
        final Duration timeout = config.handshakeTimeout();
        final boolean backendPersistent = "1".equals(xenbus.readBackend(FEATURE_PERSISTENT));
        xenbus.write(RING_REF, Integer.toString(ringRef));
        xenbus.write(EVENT_CHANNEL, Integer.toString(port));
        xenbus.write(PROTOCOL, PROTOCOL_64);
        xenbus.write(FEATURE_PERSISTENT, config.persistent() && backendPersistent ? "1" : "0");
        xenbus.switchTo(XenbusState.INITIALISED);
        xenbus.awaitBackend(s -> s == XenbusState.CONNECTED, "Connected", timeout);
        sectors = Long.parseLong(xenbus.readBackend(SECTORS).trim());
        readOnly = (Integer.parseInt(xenbus.readBackend(INFO).trim()) & INFO_READONLY) != 0;
        xenbus.switchTo(XenbusState.CONNECTED);
    }

    /**
     * The back end left Connected: completes what it answered, connects to its next instance and
     * re-issues every request still in flight.
     *
     * @return the requests completed from the old ring.
     */
    private int reconnect(final BlkCompletionHandler handler)
    {
        final int completed = ring.isBroken() ? 0 : consumeResponses(handler);
        events.close(port);
        port = events.allocUnbound(backendDomid());
        if (port < 0)
        {
            throw new IllegalStateException("no event channel for the block front end: error " + port);
        }
        events.setWaiter(port, waiter);
        restarts.reconnect(ring::initialise, this::handshake);
        int again = 0;
        for (int slot = 0; slot < queueDepth; slot++)
        {
            if (!isFree(slot))
            {
                ringPage.putBytes(ring.claimRequest(), queued, slot * REQUEST_LENGTH, REQUEST_LENGTH);
                again++;
            }
        }
        reconnects++;
        reissued += again;
        submit();
        return completed;
    }


    private boolean lost()
    {
        return restarts != null && restarts.lost();
    }

    private int backendDomid()
    {
        return xenbus.device().domid(XenbusDevice.Side.BACKEND);
    }

    /**
     * Times this front end connected again to a restarted back end.
     */
    public long reconnects()
    {
        return reconnects;
    }

    /**
     * Requests re-issued to a restarted back end (each had not been answered).
     */
    public long requestsReissued()
    {
        return reissued;
    }

    public long sectors()
    {
        return sectors;
    }

    public long sizeInBytes()
    {
        return sectors << SECTOR_SHIFT;
    }

    public boolean isReadOnly()
    {
        return readOnly;
    }

    public int queueDepth()
    {
        return queueDepth;
    }

    /**
     * The largest request in sectors.
     */
    public int maxSectorsPerRequest()
    {
        return segmentsPerSlot * SECTORS_PER_PAGE;
    }

    public int inFlight()
    {
        return queueDepth - freeCount;
    }

    /**
     * Responses that named no request in flight (a buggy or hostile back end); they are ignored.
     */
    public long bogusResponses()
    {
        return bogusResponses;
    }

    /**
     * Queues a read of {@code sectorCount} sectors at {@code sector} into {@code dst}.
     *
     * @return false when the queue is full (poll, then retry).
     */
    public boolean read(final long sector, final int sectorCount, final MutableDirectBuffer dst, final int dstOffset, final long tag)
    {
        final int slot = takeSlot(sectorCount);
        if (slot < 0)
        {
            return false;
        }
        readTargets[slot] = dst;
        readOffsets[slot] = dstOffset;
        queueReadWrite(slot, OP_READ, sector, sectorCount, tag);
        remember(slot);
        return true;
    }

    /**
     * Queues a write of {@code sectorCount} sectors from {@code src} at {@code sector}.
     *
     * @return false when the queue is full.
     */
    public boolean write(final long sector, final int sectorCount, final DirectBuffer src, final int srcOffset, final long tag)
    {
        final int slot = takeSlot(sectorCount);
        if (slot < 0)
        {
            return false;
        }
        // Copy the data into the slot's granted pages before the request can be seen.
        int remaining = sectorCount << SECTOR_SHIFT;
        for (int seg = 0; remaining > 0; seg++)
        {
            final int bytes = Math.min(PAGE_SIZE, remaining);
            guest.memory().putBytes(pageGpfn[slot * segmentsPerSlot + seg] << PAGE_SHIFT, src,
                srcOffset + seg * PAGE_SIZE, bytes);
            remaining -= bytes;
        }
        readTargets[slot] = null;
        queueReadWrite(slot, OP_WRITE, sector, sectorCount, tag);
        remember(slot);
        return true;
    }

    /**
     * Queues a cache flush (FLUSH_DISKCACHE): completes once every write acknowledged before it is
     * on stable storage.
     */
    public boolean flush(final long tag)
    {
        final int slot = takeSlot(0);
        if (slot < 0)
        {
            return false;
        }
        final int offset = claimCleared(slot, OP_FLUSH_DISKCACHE, tag, 0);
        ringPage.putLong(offset + SECTOR_NUMBER_OFFSET, 0);
        remember(slot);
        return true;
    }

    /**
     * Queues a discard of {@code sectorCount} sectors at {@code sector}.
     */
    public boolean discard(final long sector, final long sectorCount, final long tag)
    {
        final int slot = takeSlot(0);
        if (slot < 0)
        {
            return false;
        }
        final int offset = claimCleared(slot, OP_DISCARD, tag, 0);
        ringPage.putLong(offset + DISCARD_SECTOR_NUMBER_OFFSET, sector);
        ringPage.putLong(offset + DISCARD_NR_SECTORS_OFFSET, sectorCount);
        remember(slot);
        return true;
    }

    /**
     * Publishes every queued request, notifying the back end once if it asked to be told.
     */
    public void submit()
    {
        if (ring.pushRequests())
        {
            events.send(port);
        }
    }

    /**
     * Consumes the responses that have arrived and completes their requests.
     *
     * @return the number of requests completed.
     */
    public int poll(final BlkCompletionHandler handler)
    {
        if (restarts != null && restarts.lost())
        {
            return reconnect(handler);
        }
        return consumeResponses(handler);
    }

    private int consumeResponses(final BlkCompletionHandler handler)
    {
        events.clearPending(port);
        final int available = ring.responsesAvailable();
        if (available < 0)
        {
            throw new IllegalStateException("block ring broken by the back end: " + ring.brokenReason());
        }
        int completed = 0;
        for (int i = 0; i < available; i++)
        {
            ring.copyResponse(responseCopy, 0);
            final long id = responseCopy.getLong(RESPONSE_ID_OFFSET);
            final int slot = (int)(id & SLOT_MASK);
            if (slot < 0 || slot >= queueDepth || generation[slot] != (int)(id >>> 32) || isFree(slot))
            {
                bogusResponses++;
                continue;
            }
            final int status = responseCopy.getShort(RESPONSE_STATUS_OFFSET);
            completingSlot = slot;
            completingGeneration = generation[slot];
            complete(slot, status);
            handler.onComplete(tags[slot], status);
            completed++;
        }
        return completed;
    }

    /**
     * Waits until at least one response is available or {@code timeoutNs} passes, parking on the
     * event channel (after arming the ring's response event).
     */
    public boolean awaitResponses(final long timeoutNs)
    {
        if (ring.finalCheckForResponses())
        {
            return true;
        }
        return waiter.await(timeoutNs, () -> events.isPending(port) || lost()) || lost() ||
            ring.responsesAvailable() != 0;
    }

    // ---------------------------------------------------------------------------------------------
    // Blocking and future conveniences (these allocate; the queue/submit/poll path does not).
    // ---------------------------------------------------------------------------------------------

    public int readBlocking(final long sector, final int sectorCount, final MutableDirectBuffer dst, final int dstOffset)
    {
        return blocking(() -> read(sector, sectorCount, dst, dstOffset, 0));
    }

    public int writeBlocking(final long sector, final int sectorCount, final DirectBuffer src, final int srcOffset)
    {
        return blocking(() -> write(sector, sectorCount, src, srcOffset, 0));
    }

    public int flushBlocking()
    {
        return blocking(() -> flush(0));
    }

    public int discardBlocking(final long sector, final long sectorCount)
    {
        return blocking(() -> discard(sector, sectorCount, 0));
    }

    /**
     * Queues, submits and returns a future completed by a later {@link #poll}.
     */
    public CompletableFuture<Integer> readAsync(final long sector, final int sectorCount, final MutableDirectBuffer dst, final int dstOffset)
    {
        final CompletableFuture<Integer> future = new CompletableFuture<>();
        final long tag = futureTag(future);
        if (!read(sector, sectorCount, dst, dstOffset, tag))
        {
            releaseFutureTag(tag);
            future.completeExceptionally(new IllegalStateException("queue full"));
            return future;
        }
        submit();
        return future;
    }

    /**
     * Completes the futures of {@link #readAsync} (and any other handler-less requests).
     */
    public int poll()
    {
        return poll(this::completeFuture);
    }

    private final java.util.Map<Long, CompletableFuture<Integer>> futures = new java.util.HashMap<>();
    private long nextFutureTag = Long.MIN_VALUE;

    private long futureTag(final CompletableFuture<Integer> future)
    {
        final long tag = nextFutureTag++;
        futures.put(tag, future);
        return tag;
    }

    private void releaseFutureTag(final long tag)
    {
        futures.remove(tag);
    }

    private void completeFuture(final long tag, final int status)
    {
        final CompletableFuture<Integer> future = futures.remove(tag);
        if (future != null)
        {
            future.complete(status);
        }
    }

    private int blocking(final java.util.function.BooleanSupplier queue)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!queue.getAsBoolean())
        {
            drainOnce(deadline);
        }
        final int slot = lastSlot;
        final int wantedGeneration = generation[slot];
        submit();
        final int[] status = { Integer.MIN_VALUE };
        while (status[0] == Integer.MIN_VALUE)
        {
            // Other requests in flight complete through the future path; this one is matched by slot.
            poll((tag, s) ->
            {
                if (completingSlot == slot && completingGeneration == wantedGeneration)
                {
                    status[0] = s;
                }
                else
                {
                    completeFuture(tag, s);
                }
            });
            if (status[0] == Integer.MIN_VALUE)
            {
                drainOnce(deadline);
            }
        }
        return status[0];
    }

    private void drainOnce(final long deadline)
    {
        final long remaining = deadline - System.nanoTime();
        if (remaining <= 0)
        {
            throw new IllegalStateException("block back end did not answer within 30 s");
        }
        awaitResponses(Math.min(remaining, TimeUnit.MILLISECONDS.toNanos(100)));
    }

    // ---------------------------------------------------------------------------------------------

    private int takeSlot(final int sectorCount)
    {
        if (closed)
        {
            throw new IllegalStateException("block front end is closed");
        }
        if (sectorCount < 0 || sectorCount > maxSectorsPerRequest())
        {
            throw new IllegalArgumentException("a request carries 0.." + maxSectorsPerRequest() + " sectors: " + sectorCount);
        }
        if (freeCount == 0)
        {
            return -1;
        }
        lastSlot = freeSlots[--freeCount];
        return lastSlot;
    }

    private boolean isFree(final int slot)
    {
        for (int i = 0; i < freeCount; i++)
        {
            if (freeSlots[i] == slot)
            {
                return true;
            }
        }
        return false;
    }

    private void queueReadWrite(final int slot, final int operation, final long sector, final int sectorCount, final long tag)
    {
        final int segments = (sectorCount + SECTORS_PER_PAGE - 1) / SECTORS_PER_PAGE;
        final int offset = claimCleared(slot, operation, tag, sectorCount << SECTOR_SHIFT);
        ringPage.putByte(offset + NR_SEGMENTS_OFFSET, (byte)segments);
        ringPage.putLong(offset + SECTOR_NUMBER_OFFSET, sector);
        int remaining = sectorCount;
        for (int seg = 0; seg < segments; seg++)
        {
            final int page = slot * segmentsPerSlot + seg;
            if (!config.persistent())
            {
                // Per-request grant: the back end only reads the page of a write.
                shared.grant(pageRef[page], pageGpfn[page], operation == OP_WRITE);
            }
            final int inPage = Math.min(SECTORS_PER_PAGE, remaining);
            final int segOffset = offset + SEGMENTS_OFFSET + seg * SEGMENT_LENGTH;
            ringPage.putInt(segOffset + SEGMENT_GREF_OFFSET, pageRef[page]);
            ringPage.putByte(segOffset + SEGMENT_FIRST_SECT_OFFSET, (byte)0);
            ringPage.putByte(segOffset + SEGMENT_LAST_SECT_OFFSET, (byte)(inPage - 1));
            remaining -= inPage;
        }
    }

    private int claimCleared(final int slot, final int operation, final long tag, final int bytes)
    {
        final int offset = ring.claimRequest();
        lastOffset = offset;
        ringPage.setMemory(offset, REQUEST_LENGTH, (byte)0);
        generation[slot]++;
        tags[slot] = tag;
        operations[slot] = operation;
        byteCounts[slot] = bytes;
        ringPage.putByte(offset + OPERATION_OFFSET, (byte)operation);
        ringPage.putShort(offset + HANDLE_OFFSET, (short)xenbusHandle());
        ringPage.putLong(offset + ID_OFFSET, ((long)generation[slot] << 32) | slot);
        return offset;
    }

    /**
     * Reconnecting: keeps the request just queued in {@code slot}, to re-issue it after a restart.
     */
    private void remember(final int slot)
    {
        if (queued != null)
        {
            queued.putBytes(slot * REQUEST_LENGTH, ringPage, lastOffset, REQUEST_LENGTH);
        }
    }

    private int xenbusHandle()
    {
        return 0;
    }

    private void complete(final int slot, final int status)
    {
        final int operation = operations[slot];
        if (operation == OP_READ || operation == OP_WRITE)
        {
            final int segments = (byteCounts[slot] + PAGE_SIZE - 1) / PAGE_SIZE;
            if (!config.persistent())
            {
                for (int seg = 0; seg < segments; seg++)
                {
                    guest.grantTable().endForeignAccess(pageRef[slot * segmentsPerSlot + seg]);
                }
            }
            if (operation == OP_READ && status == STATUS_OKAY)
            {
                int remaining = byteCounts[slot];
                for (int seg = 0; remaining > 0; seg++)
                {
                    final int bytes = Math.min(PAGE_SIZE, remaining);
                    guest.memory().getBytes(pageGpfn[slot * segmentsPerSlot + seg] << PAGE_SHIFT,
                        readTargets[slot], readOffsets[slot] + seg * PAGE_SIZE, bytes);
                    remaining -= bytes;
                }
            }
        }
        readTargets[slot] = null;
        freeSlots[freeCount++] = slot;
    }

    /**
     * Closes the device: Closing, waits (bounded) for the back end to close, then revokes the
     * grants and frees the pages and the event channel.
     */
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
        shared.release(ringRef, ringGpfn);
        for (int i = 0; i < pageGpfn.length; i++)
        {
            if (pageGpfn[i] != 0 || pageRef[i] != 0)
            {
                shared.release(pageRef[i], pageGpfn[i]);
            }
        }
    }

}
