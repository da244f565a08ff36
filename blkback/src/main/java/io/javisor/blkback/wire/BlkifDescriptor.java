package io.javisor.blkback.wire;

import io.javisor.memory.PageDescriptor;

/**
 * Layout of Xen's blkif ring entries ({@code xen/include/public/io/blkif.h}) for 64-bit guests,
 * little-endian. A ring slot is the union of a request (112 bytes) and a response (16 bytes), so
 * a 4 KiB ring page holds 32 slots.
 * <p>
 * Request, as read/write ({@code blkif_request}):
 * <pre>
 *   0    1     2       4       8          16              24                                  112
 *   +----+-----+-------+-------+----------+---------------+----------------------------------+
 *   | op |nseg |handle|  pad  |    id    | sector_number | 11 x segment {gref, first, last, pad}
 *   +----+-----+-------+-------+----------+---------------+----------------------------------+
 * </pre>
 * Discard ({@code blkif_request_discard}) reuses bytes 0..23 with byte 1 as the flag, and puts a
 * u64 sector count at 24. Indirect ({@code blkif_request_indirect}): u8 indirect_op at 1, u16
 * nr_segments at 2, id at 8, sector_number at 16, u16 handle at 24 (then 2 bytes of padding),
 * 8 u32 grant references of indirect pages at 28. The u64 fields sit at 8-byte boundaries in all
 * three views, which is what the C compiler's natural alignment gives; the 11 segments (8 bytes
 * each) then fill the entry to 112.
 * <p>
 * Response ({@code blkif_response}): u64 id at 0, u8 operation at 8, i16 status at 10; bytes 9
 * and 12..15 are padding the back end must write as zero (XSA-216).
 */
public final class BlkifDescriptor
{
    public static final int REQUEST_LENGTH = 112;
    public static final int RESPONSE_LENGTH = 16;
    public static final int MAX_SEGMENTS_PER_REQUEST = 11;
    /** blkif sector numbers and first/last_sect are always in 512-byte units, whatever sector-size says. */
    public static final int SECTOR_SIZE = 512;
    public static final int SECTOR_SHIFT = 9;
    public static final int SECTORS_PER_PAGE = PageDescriptor.PAGE_SIZE / SECTOR_SIZE;

    public static final int OP_READ = 0;
    public static final int OP_WRITE = 1;
    public static final int OP_WRITE_BARRIER = 2;
    public static final int OP_FLUSH_DISKCACHE = 3;
    /** Reserved by Xen for SLES device-specific packets; never valid from a front end. */
    public static final int OP_RESERVED_1 = 4;
    public static final int OP_DISCARD = 5;
    public static final int OP_INDIRECT = 6;

    public static final int STATUS_OKAY = 0;
    public static final int STATUS_ERROR = -1;
    public static final int STATUS_EOPNOTSUPP = -2;

    public static final int OPERATION_OFFSET = 0;
    public static final int NR_SEGMENTS_OFFSET = 1;
    public static final int HANDLE_OFFSET = 2;
    public static final int ID_OFFSET = 8;
    public static final int SECTOR_NUMBER_OFFSET = 16;
    public static final int SEGMENTS_OFFSET = 24;

    /** {@code blkif_request_segment}: the same 8-byte entry inline in a request and in indirect pages. */
    public static final int SEGMENT_LENGTH = 8;
    public static final int SEGMENT_GREF_OFFSET = 0;
    public static final int SEGMENT_FIRST_SECT_OFFSET = 4;
    public static final int SEGMENT_LAST_SECT_OFFSET = 5;

    public static final int DISCARD_FLAG_OFFSET = 1;
    public static final int DISCARD_FLAG_SECURE = 1;
    public static final int DISCARD_HANDLE_OFFSET = 2;
    public static final int DISCARD_ID_OFFSET = 8;
    public static final int DISCARD_SECTOR_NUMBER_OFFSET = 16;
    public static final int DISCARD_NR_SECTORS_OFFSET = 24;

    public static final int INDIRECT_OP_OFFSET = 1;
    public static final int INDIRECT_NR_SEGMENTS_OFFSET = 2;
    public static final int INDIRECT_ID_OFFSET = 8;
    public static final int INDIRECT_SECTOR_NUMBER_OFFSET = 16;
    public static final int INDIRECT_HANDLE_OFFSET = 24;
    public static final int INDIRECT_GREFS_OFFSET = 28;
    public static final int INDIRECT_GREF_LENGTH = 4;
    public static final int MAX_INDIRECT_PAGES = 8;
    public static final int SEGMENTS_PER_INDIRECT_PAGE = PageDescriptor.PAGE_SIZE / SEGMENT_LENGTH;
    /** Protocol ceiling; a back end advertises its own, lower, feature-max-indirect-segments. */
    public static final int MAX_INDIRECT_SEGMENTS = MAX_INDIRECT_PAGES * SEGMENTS_PER_INDIRECT_PAGE;

    public static final int RESPONSE_ID_OFFSET = 0;
    public static final int RESPONSE_OPERATION_OFFSET = 8;
    public static final int RESPONSE_STATUS_OFFSET = 10;

    /** Bits of the back end's {@code info} key (VDISK_*). */
    public static final int INFO_CDROM = 1;
    public static final int INFO_REMOVABLE = 2;
    public static final int INFO_READONLY = 4;

    private BlkifDescriptor()
    {
    }

    /**
     * Offset of inline segment {@code index} from the start of a request.
     */
    public static int segmentOffset(final int index)
    {
        return SEGMENTS_OFFSET + index * SEGMENT_LENGTH;
    }

    /**
     * Offset of indirect page grant reference {@code index} from the start of a request.
     */
    public static int indirectGrefOffset(final int index)
    {
        return INDIRECT_GREFS_OFFSET + index * INDIRECT_GREF_LENGTH;
    }

    /**
     * Indirect pages needed for {@code segments} segments: ceil(segments / 512).
     */
    public static int indirectPagesFor(final int segments)
    {
        return (segments + SEGMENTS_PER_INDIRECT_PAGE - 1) / SEGMENTS_PER_INDIRECT_PAGE;
    }

    /**
     * A segment names sectors first..last (both inclusive) of one 4 KiB frame.
     */
    public static boolean isValidSectorRange(final int firstSect, final int lastSect)
    {
        return firstSect >= 0 && firstSect <= lastSect && lastSect < SECTORS_PER_PAGE;
    }
}
