package io.javisor.ringio.ring;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.AtomicBuffer;

import static io.javisor.ringio.ring.SharedRingDescriptor.*;

/**
 * The back end's view of a shared ring: it consumes requests and produces responses, each
 * response in the slot of a consumed request. Private state is {@code reqCons} and
 * {@code rspProdPvt}.
 * <p>
 * The front end is a guest and controls the page: req_prod is read once per poll into a local,
 * checked for overflow (a producer more than a ring ahead of our responses is broken), and every
 * request is copied out of shared memory once, so that validation and use both see the copy
 * (the XSA-155 double-fetch rule). A broken ring records why and yields nothing more; it never
 * throws. Single-threaded: one back-end agent owns a ring.
 */
public final class BackRing
{
    public static final String REASON_PROD_OVERFLOW = "req_prod more than a ring ahead of responses";

    private final AtomicBuffer buffer;
    private final int entryLength;
    private final int size;
    private final int mask;
    private int reqCons;
    private int rspProdPvt;
    private int available;
    private String brokenReason;

    public BackRing(final AtomicBuffer buffer, final int entryLength)
    {
        this.buffer = buffer;
        this.entryLength = entryLength;
        this.size = entryCount(buffer.capacity(), entryLength);
        this.mask = size - 1;
    }

    /**
     * BACK_RING_ATTACH at index 0: the front end has initialised the shared header.
     */
    public BackRing attach()
    {
        reqCons = 0;
        rspProdPvt = 0;
        available = 0;
        brokenReason = null;
        return this;
    }

    /**
     * Attaches at index {@code index}, the counterpart of {@code FrontRing.initialiseAt}.
     */
    BackRing attachAt(final int index)
    {
        attach();
        reqCons = index;
        rspProdPvt = index;
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
     * Reads req_prod once and returns how many requests may be consumed now: at most the slots
     * whose responses have been produced (so a request is never read from a slot that still holds
     * an unconsumed response). The count is remembered for {@link #copyRequest}.
     *
     * @return the count, or -1 when the ring is broken.
     */
    public int unconsumedRequests()
    {
        if (brokenReason != null)
        {
            return -1;
        }
        final int prod = buffer.getIntAcquire(REQ_PROD_OFFSET);
        if (Integer.compareUnsigned(prod - rspProdPvt, size) > 0)
        {
            brokenReason = REASON_PROD_OVERFLOW;
            available = 0;
            return -1;
        }
        // After the overflow check prod − rspProdPvt is in [0, size] and reqCons − rspProdPvt in
        // [0, size], so both differences below are small and compare correctly as signed ints.
        final int unconsumed = prod - reqCons;
        final int room = size - (reqCons - rspProdPvt);
        // A guest that moves req_prod backwards gives a negative count: nothing to consume.
        available = Math.max(0, Math.min(unconsumed, room));
        return available;
    }

    /**
     * Copies the next request out of shared memory into {@code dst} and consumes it.
     *
     * @return false when no request was counted by the last {@link #unconsumedRequests()}.
     */
    public boolean copyRequest(final MutableDirectBuffer dst, final int dstOffset)
    {
        if (available <= 0)
        {
            return false;
        }
        available--;
        buffer.getBytes(entryOffset(reqCons++, mask, entryLength), dst, dstOffset, entryLength);
        return true;
    }

    /**
     * Copies the request {@code ahead} places after the next one out of shared memory without
     * consuming it (a packet spread over several slots is checked whole before any is consumed).
     *
     * @return false when that request was not counted by the last {@link #unconsumedRequests()}.
     */
    public boolean copyRequestAhead(final int ahead, final MutableDirectBuffer dst, final int dstOffset)
    {
        if (ahead < 0 || ahead >= available)
        {
            return false;
        }
        buffer.getBytes(entryOffset(reqCons + ahead, mask, entryLength), dst, dstOffset, entryLength);
        return true;
    }

    /**
     * Consumes {@code count} requests already copied with {@link #copyRequestAhead}.
     */
    public void skipRequests(final int count)
    {
        if (count < 0 || count > available)
        {
            throw new IllegalArgumentException("cannot skip " + count + " of " + available + " counted requests");
        }
        available -= count;
        reqCons += count;
    }

    /**
     * Requests counted by the last {@link #unconsumedRequests()} and not yet consumed.
     */
    public int counted()
    {
        return available;
    }

    /**
     * Claims the slot for the next response and returns its offset; the caller writes every byte
     * of the entry (padding included) and then calls {@link #pushResponses()}.
     *
     * @return the offset, or -1 if no request is waiting for a response.
     */
    public int claimResponse()
    {
        if (rspProdPvt == reqCons)
        {
            return -1;
        }
        return entryOffset(rspProdPvt++, mask, entryLength);
    }

    /**
     * Publishes produced responses (RING_PUSH_RESPONSES_AND_CHECK_NOTIFY).
     *
     * @return true when the front end asked to be notified.
     */
    public boolean pushResponses()
    {
        return publishAndCheckNotify(buffer, RSP_PROD_OFFSET, RSP_EVENT_OFFSET, rspProdPvt);
    }

    /**
     * RING_FINAL_CHECK_FOR_REQUESTS: arms req_event for the next request, then looks again.
     *
     * @return true if requests are pending (or the ring broke), so the caller must not sleep.
     */
    public boolean finalCheckForRequests()
    {
        if (unconsumedRequests() != 0)
        {
            return true;
        }
        armEvent(buffer, REQ_EVENT_OFFSET, reqCons + 1);
        return unconsumedRequests() != 0;
    }

    /**
     * Stops the ring for a protocol error found above the ring layer (a bad request).
     */
    public void markBroken(final String reason)
    {
        if (brokenReason == null)
        {
            brokenReason = reason;
        }
        available = 0;
    }

    public boolean isBroken()
    {
        return brokenReason != null;
    }

    public String brokenReason()
    {
        return brokenReason;
    }

    public int reqCons()
    {
        return reqCons;
    }

    public int rspProdPvt()
    {
        return rspProdPvt;
    }

    /**
     * Requests consumed but not yet answered.
     */
    public int requestsPending()
    {
        return reqCons - rspProdPvt;
    }
}
