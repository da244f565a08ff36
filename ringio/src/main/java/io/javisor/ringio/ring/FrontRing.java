package io.javisor.ringio.ring;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.AtomicBuffer;

import static io.javisor.ringio.ring.SharedRingDescriptor.*;

/**
 * The front end's view of a shared ring: it produces requests and consumes responses.
 * Private state is {@code reqProdPvt} (requests written, not yet published) and {@code rspCons}.
 * <p>
 * The back end may be a driver domain, so responses are treated as the back end treats requests:
 * rsp_prod is read once per poll and checked against what was requested, and a broken ring stops.
 * Single-threaded: one front-end thread owns a ring.
 */
public final class FrontRing
{
    private final AtomicBuffer buffer;
    private final int entryLength;
    private final int size;
    private final int mask;
    private int reqProdPvt;
    private int rspCons;
    private int rspProdSeen;
    private String brokenReason;

    public FrontRing(final AtomicBuffer buffer, final int entryLength)
    {
        this.buffer = buffer;
        this.entryLength = entryLength;
        this.size = entryCount(buffer.capacity(), entryLength);
        this.mask = size - 1;
    }

    /**
     * SHARED_RING_INIT and FRONT_RING_INIT: producers at 0, events at 1, padding zeroed.
     */
    public FrontRing initialise()
    {
        buffer.setMemory(0, HEADER_LENGTH, (byte)0);
        buffer.putInt(REQ_EVENT_OFFSET, 1);
        buffer.putInt(RSP_EVENT_OFFSET, 1);
        buffer.putIntRelease(REQ_PROD_OFFSET, 0);
        buffer.putIntRelease(RSP_PROD_OFFSET, 0);
        reqProdPvt = 0;
        rspCons = 0;
        rspProdSeen = 0;
        brokenReason = null;
        return this;
    }

    /**
     * Starts the free-running indices at {@code index} (both sides must agree), so that tests can
     * cross the u32 wrap without four billion requests.
     */
    FrontRing initialiseAt(final int index)
    {
        initialise();
        buffer.putInt(REQ_EVENT_OFFSET, index + 1);
        buffer.putInt(RSP_EVENT_OFFSET, index + 1);
        buffer.putIntRelease(REQ_PROD_OFFSET, index);
        buffer.putIntRelease(RSP_PROD_OFFSET, index);
        reqProdPvt = index;
        rspCons = index;
        rspProdSeen = index;
        return this;
    }

    public int size()
    {
        return size;
    }

    public int entryLength()
    {
        return entryLength;
    }

    public AtomicBuffer buffer()
    {
        return buffer;
    }

    /**
     * Slots free for new requests: a slot is free once its response has been consumed.
     */
    public int freeRequests()
    {
        return size - (reqProdPvt - rspCons);
    }

    public boolean isFull()
    {
        return freeRequests() == 0;
    }

    /**
     * Claims the next request slot and returns its offset in {@link #buffer()}; the caller writes
     * the whole entry there, then calls {@link #pushRequests()}.
     *
     * @return the offset, or -1 when the ring is full.
     */
    public int claimRequest()
    {
        if (freeRequests() == 0)
        {
            return -1;
        }
        return entryOffset(reqProdPvt++, mask, entryLength);
    }

    /**
     * Publishes claimed requests (RING_PUSH_REQUESTS_AND_CHECK_NOTIFY).
     *
     * @return true when the back end asked to be notified of these requests.
     */
    public boolean pushRequests()
    {
        return publishAndCheckNotify(buffer, REQ_PROD_OFFSET, REQ_EVENT_OFFSET, reqProdPvt);
    }

    /**
     * Responses ready to consume, from one read of rsp_prod.
     *
     * @return the count, or -1 if the back end claims more responses than requests were made
     * (the ring is then broken: see {@link #brokenReason()}).
     */
    public int responsesAvailable()
    {
        if (brokenReason != null)
        {
            return -1;
        }
        final int prod = buffer.getIntAcquire(RSP_PROD_OFFSET);
        if (Integer.compareUnsigned(prod - rspCons, reqProdPvt - rspCons) > 0)
        {
            brokenReason = "rsp_prod beyond the requests made";
            return -1;
        }
        rspProdSeen = prod;
        return prod - rspCons;
    }

    /**
     * Offset of the next response, which the caller reads before {@link #consumeResponse()}.
     * Only valid for responses counted by the last {@link #responsesAvailable()}.
     */
    public int responseOffset()
    {
        return entryOffset(rspCons, mask, entryLength);
    }

    /**
     * Copies the next response out of shared memory once (the caller then reads only the copy)
     * and consumes it.
     */
    public void copyResponse(final MutableDirectBuffer dst, final int dstOffset)
    {
        if (rspCons == rspProdSeen)
        {
            throw new IllegalStateException("no response counted by responsesAvailable()");
        }
        buffer.getBytes(entryOffset(rspCons++, mask, entryLength), dst, dstOffset, entryLength);
    }

    public void consumeResponse()
    {
        if (rspCons == rspProdSeen)
        {
            throw new IllegalStateException("no response counted by responsesAvailable()");
        }
        rspCons++;
    }

    /**
     * RING_FINAL_CHECK_FOR_RESPONSES: arms rsp_event for the next response, then looks again.
     *
     * @return true if responses are (still) pending, so the caller must not sleep.
     */
    public boolean finalCheckForResponses()
    {
        if (responsesAvailable() != 0)
        {
            return true;
        }
        armEvent(buffer, RSP_EVENT_OFFSET, rspCons + 1);
        return responsesAvailable() != 0;
    }

    /**
     * Asks for a notification only after {@code batch} more responses (batching).
     */
    public void armResponseEvent(final int batch)
    {
        armEvent(buffer, RSP_EVENT_OFFSET, rspCons + Math.max(1, batch));
    }

    public int requestsInFlight()
    {
        return reqProdPvt - rspCons;
    }

    public int reqProdPvt()
    {
        return reqProdPvt;
    }

    public int rspCons()
    {
        return rspCons;
    }

    public boolean isBroken()
    {
        return brokenReason != null;
    }

    public String brokenReason()
    {
        return brokenReason;
    }
}
