package io.javisor.memory;

/**
 * Layout of a grant table v1 entry ({@code grant_entry_v1_t}) as the granting guest writes it:
 * 8 bytes, 512 per 4 KiB frame, little-endian.
 * <pre>
 *   0      2      4              8
 *   +------+------+--------------+
 *   |flags |domid |    frame     |
 *   +------+------+--------------+
 * </pre>
 * flags and domid share one aligned 32-bit word so that the hypervisor can check the domid and
 * set GTF_reading/GTF_writing with one compare-and-swap, and the granter can revoke with one.
 */
public final class GrantEntryDescriptor
{
    public static final int FLAGS_OFFSET = 0;
    public static final int DOMID_OFFSET = 2;
    public static final int FRAME_OFFSET = 4;
    public static final int ENTRY_LENGTH = 8;
    public static final int ENTRIES_PER_FRAME = PageDescriptor.PAGE_SIZE / ENTRY_LENGTH;

    /** Type field (bits 0-1): not a grant. */
    public static final int GTF_INVALID = 0;
    /** Type field: the domain named in the entry may map or copy the frame. */
    public static final int GTF_PERMIT_ACCESS = 1;
    public static final int GTF_TYPE_MASK = 3;
    /** Set by the granter: the grantee may only read. */
    public static final int GTF_READONLY = 1 << 2;
    /** Set by the hypervisor while the frame is mapped or being copied (read or write). */
    public static final int GTF_READING = 1 << 3;
    /** Set by the hypervisor while the frame is mapped writable or being copied into. */
    public static final int GTF_WRITING = 1 << 4;

    /** Self reference for domain ids, as Xen's DOMID_SELF. */
    public static final int DOMID_SELF = 0x7FF0;
    /** Domain ids at or above this value are reserved. */
    public static final int DOMID_FIRST_RESERVED = 0x7FF0;

    private GrantEntryDescriptor()
    {
    }

    public static int entryOffset(final int ref)
    {
        return ref * ENTRY_LENGTH;
    }

    /**
     * The flags half of the combined flags/domid word (little-endian: flags in the low 16 bits).
     */
    public static int flagsOf(final int combined)
    {
        return combined & 0xFFFF;
    }

    public static int domidOf(final int combined)
    {
        return combined >>> 16;
    }

    public static int combine(final int flags, final int domid)
    {
        return (domid << 16) | (flags & 0xFFFF);
    }
}
