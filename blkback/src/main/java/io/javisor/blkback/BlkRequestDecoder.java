package io.javisor.blkback;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import static io.javisor.blkback.wire.BlkifDescriptor.*;

/**
 * Takes one blkif request apart and checks it before any byte moves, for every block back end
 * (dom0's agents and a driver domain's device threads decode with this same code): the operation,
 * the first sector and the sector count, and each segment's grant reference and sector range within
 * its page, copied out of the request (direct segments) or out of its indirect pages, which are
 * mapped read-only one at a time through an {@link IndirectPages} and unmapped at once.
 * <p>
 * A request that is malformed (no segments or too many, a segment's sectors reversed or past its
 * page, an indirect page the grant table refuses, an indirect operation other than read and write),
 * out of the disk's range (a transfer or discard that reaches past the last sector, a negative
 * sector, an empty or negative discard), or a write or discard to a read-only disk is answered
 * {@link io.javisor.blkback.wire.BlkifDescriptor#STATUS_ERROR}; an operation the back ends do not
 * implement is answered {@link io.javisor.blkback.wire.BlkifDescriptor#STATUS_EOPNOTSUPP}. Every
 * value is read once, from the caller's private copy of the request or the indirect page, so a guest
 * rewriting its ring or its indirect page meanwhile changes nothing once checked.
 * <p>
 * Single-threaded and reused: one decoder per serving thread; decoding allocates nothing. The
 * fields describe the last request decoded with {@link io.javisor.blkback.wire.BlkifDescriptor#STATUS_OKAY}.
 */
public final class BlkRequestDecoder
{
    /** A read into the segments' frames. */
    public static final int READ = BlkIoOp.READ;
    /** A write from the segments' frames. */
    public static final int WRITE = BlkIoOp.WRITE;
    /** FLUSH_DISKCACHE or WRITE_BARRIER: everything acknowledged so far made stable. */
    public static final int FLUSH = BlkIoOp.FLUSH;
    /** DISCARD of {@link #sectors()} sectors at {@link #sector()}. */
    public static final int DISCARD = BlkIoOp.DISCARD;

    /** The largest indirect request accepted (feature-max-indirect-segments). */
    public static final int MAX_SEGMENTS = Vbd.MAX_INDIRECT_SEGMENTS;

    /**
     * Where an indirect request's descriptor pages come from: the serving back end's own grant
     * mapper (dom0) or its channel to the hypervisor (a driver domain).
     */
    public interface IndirectPages
    {
        /**
         * Maps grant {@code ref} of the front end read-only and points {@code page} at it.
         *
         * @return false when the grant is refused (the request is then answered ERROR).
         */
        boolean map(int ref, UnsafeBuffer page);

        /**
         * Unmaps the page the last successful {@link #map} mapped.
         */
        void unmap();
    }

    private final UnsafeBuffer indirectPage = new UnsafeBuffer(0, 0);
    private final int[] refs = new int[MAX_SEGMENTS];
    private final int[] firstSectors = new int[MAX_SEGMENTS];
    private final int[] lastSectors = new int[MAX_SEGMENTS];
    private int kind;
    private int segments;
    private long sector;
    private long sectors;

    /**
     * Decodes and checks {@code request}, the back end's private copy of one ring slot.
     *
     * @param diskSectors the disk's size in sectors.
     * @param readOnly    whether the disk refuses writes and discards.
     * @param pages       maps an indirect request's descriptor pages.
     * @return {@code STATUS_OKAY} when the request is to be carried out as this decoder now
     * describes, else the status to answer it with.
     */
    public int decode(final DirectBuffer request, final long diskSectors, final boolean readOnly, final IndirectPages pages)
    {
        final int operation = request.getByte(OPERATION_OFFSET) & 0xFF;
        segments = 0;
        sector = 0;
        sectors = 0;
        switch (operation)
        {
            case OP_READ, OP_WRITE ->
            {
                kind = operation == OP_WRITE ? WRITE : READ;
                if (!directSegments(request))
                {
                    return STATUS_ERROR;
                }
                return checkTransfer(request, diskSectors, readOnly);
            }
            case OP_INDIRECT ->
            {
                final int indirectOperation = request.getByte(INDIRECT_OP_OFFSET) & 0xFF;
                if (indirectOperation != OP_READ && indirectOperation != OP_WRITE)
                {
                    return STATUS_ERROR;
                }
                kind = indirectOperation == OP_WRITE ? WRITE : READ;
                if (!indirectSegments(request, pages))
                {
                    return STATUS_ERROR;
                }
                return checkTransfer(request, diskSectors, readOnly);
            }
            case OP_FLUSH_DISKCACHE, OP_WRITE_BARRIER ->
            {
                kind = FLUSH;
                return STATUS_OKAY;
            }
            case OP_DISCARD ->
            {
                kind = DISCARD;
                sector = request.getLong(DISCARD_SECTOR_NUMBER_OFFSET);
                sectors = request.getLong(DISCARD_NR_SECTORS_OFFSET);
                if (readOnly || sector < 0 || sectors <= 0 || sectors > diskSectors || sector > diskSectors - sectors)
                {
                    return STATUS_ERROR;
                }
                return STATUS_OKAY;
            }
            default ->
            {
                return STATUS_EOPNOTSUPP;
            }
        }
    }

    /**
     * {@link #READ}, {@link #WRITE}, {@link #FLUSH} or {@link #DISCARD}.
     */
    public int kind()
    {
        return kind;
    }

    /**
     * The first sector transferred or discarded.
     */
    public long sector()
    {
        return sector;
    }

    /**
     * The sectors transferred (all segments together) or discarded.
     */
    public long sectors()
    {
        return sectors;
    }

    /**
     * The segments of a read or write: 1 to 11 direct, up to {@link #MAX_SEGMENTS} indirect.
     */
    public int segments()
    {
        return segments;
    }

    public int ref(final int segment)
    {
        return refs[segment];
    }

    /**
     * The byte offset of the segment's data within its page.
     */
    public int pageOffset(final int segment)
    {
        return firstSectors[segment] << SECTOR_SHIFT;
    }

    /**
     * The segment's length in bytes (a whole number of sectors within one page).
     */
    public int bytes(final int segment)
    {
        return (lastSectors[segment] - firstSectors[segment] + 1) << SECTOR_SHIFT;
    }

    private boolean directSegments(final DirectBuffer request)
    {
        final int count = request.getByte(NR_SEGMENTS_OFFSET) & 0xFF;
        if (count == 0 || count > MAX_SEGMENTS_PER_REQUEST)
        {
            return false;
        }
        for (int i = 0; i < count; i++)
        {
            copySegment(request, SEGMENTS_OFFSET + i * SEGMENT_LENGTH, i);
        }
        segments = count;
        return true;
    }

    private boolean indirectSegments(final DirectBuffer request, final IndirectPages pages)
    {
        final int count = request.getShort(INDIRECT_NR_SEGMENTS_OFFSET) & 0xFFFF;
        if (count == 0 || count > MAX_SEGMENTS)
        {
            return false;
        }
        final int pageCount = (count + SEGMENTS_PER_INDIRECT_PAGE - 1) / SEGMENTS_PER_INDIRECT_PAGE;
        int copied = 0;
        for (int page = 0; page < pageCount; page++)
        {
            if (!pages.map(request.getInt(INDIRECT_GREFS_OFFSET + page * INDIRECT_GREF_LENGTH), indirectPage))
            {
                return false;
            }
            try
            {
                final int inPage = Math.min(count - copied, SEGMENTS_PER_INDIRECT_PAGE);
                for (int i = 0; i < inPage; i++, copied++)
                {
                    copySegment(indirectPage, i * SEGMENT_LENGTH, copied);
                }
            }
            finally
            {
                indirectPage.wrap(0, 0);
                pages.unmap();
            }
        }
        segments = count;
        return true;
    }

    private void copySegment(final DirectBuffer from, final int offset, final int segment)
    {
        refs[segment] = from.getInt(offset + SEGMENT_GREF_OFFSET);
        firstSectors[segment] = from.getByte(offset + SEGMENT_FIRST_SECT_OFFSET) & 0xFF;
        lastSectors[segment] = from.getByte(offset + SEGMENT_LAST_SECT_OFFSET) & 0xFF;
    }

    private int checkTransfer(final DirectBuffer request, final long diskSectors, final boolean readOnly)
    {
        if (kind == WRITE && readOnly)
        {
            return STATUS_ERROR;
        }
        long total = 0;
        for (int i = 0; i < segments; i++)
        {
            if (firstSectors[i] > lastSectors[i] || lastSectors[i] >= SECTORS_PER_PAGE)
            {
                return STATUS_ERROR;
            }
            total += lastSectors[i] - firstSectors[i] + 1;
        }
        final long first = request.getLong(SECTOR_NUMBER_OFFSET);
        if (first < 0 || first > diskSectors - total)
        {
            return STATUS_ERROR;
        }
        sector = first;
        sectors = total;
        return STATUS_OKAY;
    }
}
