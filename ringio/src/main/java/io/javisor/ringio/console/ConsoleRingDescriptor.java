package io.javisor.ringio.console;

import java.nio.ByteOrder;

import org.agrona.concurrent.AtomicBuffer;

/**
 * The layout of Xen's console page ({@code struct xencons_interface}): two byte rings and their
 * indices. {@code out} carries what the guest prints to its back end, {@code in} what the back end
 * types to the guest.
 * <pre>
 *   0                    in[1024]     back end -> guest
 *   1024                 out[2048]    guest -> back end
 *   3072  u32 in_cons    written by the guest
 *   3076  u32 in_prod    written by the back end
 *   3080  u32 out_cons   written by the back end
 *   3084  u32 out_prod   written by the guest
 *   3088  unused to the end of the 4 KiB page
 * </pre>
 * Indices are free-running u32 counts of bytes; a byte's slot is its index masked by the ring's
 * capacity minus one, which works because both capacities are powers of two.
 */
public final class ConsoleRingDescriptor
{
    public static final int IN_OFFSET = 0;
    public static final int IN_CAPACITY = 1024;
    public static final int OUT_OFFSET = IN_OFFSET + IN_CAPACITY;
    public static final int OUT_CAPACITY = 2048;
    public static final int IN_CONS_OFFSET = OUT_OFFSET + OUT_CAPACITY;
    public static final int IN_PROD_OFFSET = IN_CONS_OFFSET + Integer.BYTES;
    public static final int OUT_CONS_OFFSET = IN_PROD_OFFSET + Integer.BYTES;
    public static final int OUT_PROD_OFFSET = OUT_CONS_OFFSET + Integer.BYTES;

    /** Bytes of the page the interface uses. */
    public static final int LENGTH = OUT_PROD_OFFSET + Integer.BYTES;

    /** The console interface takes one page. */
    public static final int PAGE_SIZE = 4096;

    private ConsoleRingDescriptor()
    {
    }

    /**
     * Check that a buffer can hold the console interface.
     *
     * @throws IllegalArgumentException when it is too small or not aligned for atomic index access.
     * @throws IllegalStateException    on a big-endian platform, where the buffer's atomic accesses
     *                                  (native order) would misread Xen's little-endian indices.
     */
    public static void checkPage(final AtomicBuffer page)
    {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN)
        {
            throw new IllegalStateException("the console ring's indices are little-endian; this platform is not");
        }
        if (page.capacity() < LENGTH)
        {
            throw new IllegalArgumentException("console page needs " + LENGTH + " bytes, has " + page.capacity());
        }
        page.verifyAlignment();
    }
}
