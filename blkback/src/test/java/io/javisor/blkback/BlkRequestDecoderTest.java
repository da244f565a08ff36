package io.javisor.blkback;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static io.javisor.blkback.wire.BlkifDescriptor.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What every block back end accepts: a request is carried out only when its segments, its sector
 * range and the disk's mode allow it; anything else is answered ERROR (or EOPNOTSUPP for an
 * operation no back end implements), decided from the request's bytes and the indirect pages alone.
 */
class BlkRequestDecoderTest
{
    private static final long DISK_SECTORS = 2048;

    private final BlkRequestDecoder decoder = new BlkRequestDecoder();
    private final UnsafeBuffer request = new UnsafeBuffer(new byte[REQUEST_LENGTH]);
    private final UnsafeBuffer indirectPage = new UnsafeBuffer(ByteBuffer.allocateDirect(4096));
    private final Pages pages = new Pages();

    /** Indirect pages: ref 7 is the test's page, any other is refused; counts maps and unmaps. */
    private final class Pages implements BlkRequestDecoder.IndirectPages
    {
        int mapped;
        int unmapped;

        @Override
        public boolean map(final int ref, final UnsafeBuffer page)
        {
            if (ref != 7)
            {
                return false;
            }
            mapped++;
            page.wrap(indirectPage.addressOffset(), indirectPage.capacity());
            return true;
        }

        @Override
        public void unmap()
        {
            unmapped++;
        }
    }

    @Test
    void aDirectReadIsTakenApartSegmentBySegment()
    {
        direct(OP_READ, 16, 2);
        segment(request, SEGMENTS_OFFSET, 0, 100, 0, 7);
        segment(request, SEGMENTS_OFFSET, 1, 101, 2, 3);
        assertEquals(STATUS_OKAY, decode(false));
        assertEquals(BlkRequestDecoder.READ, decoder.kind());
        assertEquals(16, decoder.sector());
        assertEquals(10, decoder.sectors());
        assertEquals(2, decoder.segments());
        assertEquals(101, decoder.ref(1));
        assertEquals(1024, decoder.pageOffset(1));
        assertEquals(1024, decoder.bytes(1));
    }

    @Test
    void badDirectSegmentsAndRangesAreErrors()
    {
        direct(OP_WRITE, 0, 0);
        assertEquals(STATUS_ERROR, decode(false), "no segment");
        direct(OP_WRITE, 0, MAX_SEGMENTS_PER_REQUEST + 1);
        assertEquals(STATUS_ERROR, decode(false), "twelve segments");
        direct(OP_WRITE, 0, 1);
        segment(request, SEGMENTS_OFFSET, 0, 100, 4, 3);
        assertEquals(STATUS_ERROR, decode(false), "sectors reversed");
        segment(request, SEGMENTS_OFFSET, 0, 100, 0, 8);
        assertEquals(STATUS_ERROR, decode(false), "past the page");
        segment(request, SEGMENTS_OFFSET, 0, 100, 0, 7);
        request.putLong(SECTOR_NUMBER_OFFSET, DISK_SECTORS - 7);
        assertEquals(STATUS_ERROR, decode(false), "past the disk's end");
        request.putLong(SECTOR_NUMBER_OFFSET, -1);
        assertEquals(STATUS_ERROR, decode(false), "a negative sector");
        request.putLong(SECTOR_NUMBER_OFFSET, DISK_SECTORS - 8);
        assertEquals(STATUS_OKAY, decode(false), "the last page of the disk");
        assertEquals(STATUS_ERROR, decode(true), "a write to a read-only disk");
    }

    @Test
    void anIndirectRequestsSegmentsComeFromItsPageMappedOnlyWhileCopied()
    {
        indirect(OP_WRITE, 300, 8, 7);
        for (int i = 0; i < 300; i++)
        {
            segment(indirectPage, 0, i, 1000 + i, 0, 7);
        }
        assertEquals(STATUS_ERROR, decode(false), "more than feature-max-indirect-segments");
        indirect(OP_WRITE, 256, 0, 7); // 256 pages: the whole disk
        assertEquals(STATUS_OKAY, decode(false));
        assertEquals(BlkRequestDecoder.WRITE, decoder.kind());
        assertEquals(256, decoder.segments());
        assertEquals(1255, decoder.ref(255));
        assertEquals(256 * 8, decoder.sectors());
        assertEquals(pages.mapped, pages.unmapped, "every page mapped is unmapped");

        indirect(OP_READ, 1, 8, 8);
        assertEquals(STATUS_ERROR, decode(false), "a page the grant table refuses");
        indirect(OP_FLUSH_DISKCACHE, 1, 8, 7);
        assertEquals(STATUS_ERROR, decode(false), "an indirect flush");
        indirect(OP_READ, 0, 8, 7);
        assertEquals(STATUS_ERROR, decode(false), "no segment");
        segment(indirectPage, 0, 0, 1000, 7, 6);
        indirect(OP_READ, 1, 8, 7);
        assertEquals(STATUS_ERROR, decode(false), "a descriptor's sectors reversed");
        assertEquals(pages.mapped, pages.unmapped);
    }

    @Test
    void aDiscardIsCheckedAgainstTheDiskAndItsMode()
    {
        discard(8, 16);
        assertEquals(STATUS_OKAY, decode(false));
        assertEquals(BlkRequestDecoder.DISCARD, decoder.kind());
        assertEquals(8, decoder.sector());
        assertEquals(16, decoder.sectors());
        assertEquals(STATUS_ERROR, decode(true), "a read-only disk");
        discard(0, 0);
        assertEquals(STATUS_ERROR, decode(false), "empty");
        discard(0, -8);
        assertEquals(STATUS_ERROR, decode(false), "negative");
        discard(-8, 8);
        assertEquals(STATUS_ERROR, decode(false), "a negative sector");
        discard(DISK_SECTORS - 8, 9);
        assertEquals(STATUS_ERROR, decode(false), "one sector past the end");
        discard(8, Long.MAX_VALUE);
        assertEquals(STATUS_ERROR, decode(false), "an end that overflows");
        discard(0, DISK_SECTORS);
        assertEquals(STATUS_OKAY, decode(false), "the whole disk");
    }

    @Test
    void flushesAndBarriersPassAndOtherOperationsAreUnsupported()
    {
        request.setMemory(0, REQUEST_LENGTH, (byte)0);
        request.putByte(OPERATION_OFFSET, (byte)OP_FLUSH_DISKCACHE);
        assertEquals(STATUS_OKAY, decode(true));
        assertEquals(BlkRequestDecoder.FLUSH, decoder.kind());
        request.putByte(OPERATION_OFFSET, (byte)OP_WRITE_BARRIER);
        assertEquals(STATUS_OKAY, decode(false));
        for (final int operation : new int[] {OP_RESERVED_1, 7, 255})
        {
            request.putByte(OPERATION_OFFSET, (byte)operation);
            assertEquals(STATUS_EOPNOTSUPP, decode(false), "operation " + operation);
        }
    }

    private int decode(final boolean readOnly)
    {
        return decoder.decode(request, DISK_SECTORS, readOnly, pages);
    }

    private void direct(final int operation, final long sector, final int segments)
    {
        request.setMemory(0, REQUEST_LENGTH, (byte)0);
        request.putByte(OPERATION_OFFSET, (byte)operation);
        request.putByte(NR_SEGMENTS_OFFSET, (byte)segments);
        request.putLong(SECTOR_NUMBER_OFFSET, sector);
        for (int i = 0; i < Math.min(segments, MAX_SEGMENTS_PER_REQUEST); i++)
        {
            segment(request, SEGMENTS_OFFSET, i, 100 + i, 0, 7);
        }
    }

    private void indirect(final int operation, final int segments, final long sector, final int pageRef)
    {
        request.setMemory(0, REQUEST_LENGTH, (byte)0);
        request.putByte(OPERATION_OFFSET, (byte)OP_INDIRECT);
        request.putByte(INDIRECT_OP_OFFSET, (byte)operation);
        request.putShort(INDIRECT_NR_SEGMENTS_OFFSET, (short)segments);
        request.putLong(INDIRECT_SECTOR_NUMBER_OFFSET, sector);
        request.putInt(INDIRECT_GREFS_OFFSET, pageRef);
    }

    private void discard(final long sector, final long sectors)
    {
        request.setMemory(0, REQUEST_LENGTH, (byte)0);
        request.putByte(OPERATION_OFFSET, (byte)OP_DISCARD);
        request.putLong(DISCARD_SECTOR_NUMBER_OFFSET, sector);
        request.putLong(DISCARD_NR_SECTORS_OFFSET, sectors);
    }

    private static void segment(final UnsafeBuffer into, final int offset, final int index, final int ref, final int first,
        final int last)
    {
        final int at = offset + index * SEGMENT_LENGTH;
        into.putInt(at + SEGMENT_GREF_OFFSET, ref);
        into.putByte(at + SEGMENT_FIRST_SECT_OFFSET, (byte)first);
        into.putByte(at + SEGMENT_LAST_SECT_OFFSET, (byte)last);
    }
}
