package io.javisor.ringio.ring;

import org.agrona.concurrent.AtomicBuffer;

import java.lang.invoke.VarHandle;

/**
 * Layout of a Xen shared ring ({@code ring.h}) on its page(s):
 * <pre>
 *   0        4         8        12         16 ........ 64
 *   +--------+---------+--------+----------+----------+------------------------------+
 *   |req_prod|req_event|rsp_prod|rsp_event | padding  | entries: union{request,response}
 *   +--------+---------+--------+----------+----------+------------------------------+
 * </pre>
 * All fields are little-endian u32 free-running indices; slot = index &amp; (size - 1).
 */
public final class SharedRingDescriptor
{
    public static final int REQ_PROD_OFFSET = 0;
    public static final int REQ_EVENT_OFFSET = 4;
    public static final int RSP_PROD_OFFSET = 8;
    public static final int RSP_EVENT_OFFSET = 12;
    public static final int HEADER_LENGTH = 64;

    private SharedRingDescriptor()
    {
    }

    /**
     * Entries that fit a ring of {@code ringBytes} with entries of {@code entryLength} bytes:
     * (bytes − header) / entry length, rounded down to a power of two, as {@code __RING_SIZE}.
     */
    public static int entryCount(final int ringBytes, final int entryLength)
    {
        if (entryLength <= 0 || ringBytes < HEADER_LENGTH + entryLength)
        {
            throw new IllegalArgumentException("a ring of " + ringBytes + " bytes holds no entry of " + entryLength);
        }
        return Integer.highestOneBit((ringBytes - HEADER_LENGTH) / entryLength);
    }

    public static int entryOffset(final int index, final int mask, final int entryLength)
    {
        return HEADER_LENGTH + (index & mask) * entryLength;
    }

    /**
     * Publishes a producer index and applies the notify rule (the common half of
     * RING_PUSH_REQUESTS_AND_CHECK_NOTIFY and RING_PUSH_RESPONSES_AND_CHECK_NOTIFY).
     *
     * @return true when the peer asked to be notified of the entries up to {@code newProd}.
     */
    public static boolean publishAndCheckNotify(
        final AtomicBuffer ring, final int prodOffset, final int eventOffset, final int newProd)
    {
        final int oldProd = ring.getInt(prodOffset);
        // Release: the entries are visible before the index that publishes them.
        ring.putIntRelease(prodOffset, newProd);
        // Full barrier: the index store is ordered before the read of the peer's event index, or
        // the peer could arm its event and re-check between them and both sides would sleep.
        VarHandle.fullFence();
        return needsNotify(oldProd, newProd, ring.getIntVolatile(eventOffset));
    }

    /**
     * Arms the event index at {@code event} and orders that store before the caller's re-check of
     * the peer's producer index (the middle of RING_FINAL_CHECK_FOR_*).
     */
    public static void armEvent(final AtomicBuffer ring, final int eventOffset, final int event)
    {
        ring.putIntVolatile(eventOffset, event);
        VarHandle.fullFence();
    }

    /**
     * Xen's notify rule: the peer asked to be woken at index {@code event}; notify if it lies in
     * (oldProd, newProd], computed on free-running u32 indices.
     */
    public static boolean needsNotify(final int oldProd, final int newProd, final int event)
    {
        return Integer.compareUnsigned(newProd - event, newProd - oldProd) < 0;
    }
}
