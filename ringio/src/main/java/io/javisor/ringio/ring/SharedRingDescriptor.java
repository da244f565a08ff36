package io.javisor.ringio.ring;

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
     * Xen's notify rule: the peer asked to be woken at index {@code event}; notify if it lies in
     * (oldProd, newProd], computed on free-running u32 indices.
     */
    public static boolean needsNotify(final int oldProd, final int newProd, final int event)
    {
        return Integer.compareUnsigned(newProd - event, newProd - oldProd) < 0;
    }
}
