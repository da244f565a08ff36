package io.javisor.blkback.wire;

import io.javisor.ringio.ring.SharedRingDescriptor;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

import static io.javisor.blkback.wire.BlkifDescriptor.*;
import static org.junit.jupiter.api.Assertions.*;

class BlkifWireTest
{
    private static final int BASE = 40;
    private static final byte GARBAGE = (byte)0xA5;

    private final byte[] bytes = new byte[BASE + REQUEST_LENGTH + 16];
    private final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
    private final ByteBuffer raw = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);

    @Test
    void theLayoutMatchesBlkifHOnA64BitGuest()
    {
        assertEquals(112, REQUEST_LENGTH);
        assertEquals(REQUEST_LENGTH, SEGMENTS_OFFSET + MAX_SEGMENTS_PER_REQUEST * SEGMENT_LENGTH);
        assertEquals(16, RESPONSE_LENGTH);
        assertEquals(32, SharedRingDescriptor.entryCount(4096, REQUEST_LENGTH), "32 slots on one ring page");
        assertEquals(512, SEGMENTS_PER_INDIRECT_PAGE);
        assertEquals(8, SECTORS_PER_PAGE);
        assertEquals(60, indirectGrefOffset(MAX_INDIRECT_PAGES), "indirect grefs end inside the entry");
        assertEquals(0, indirectPagesFor(0));
        assertEquals(1, indirectPagesFor(512));
        assertEquals(2, indirectPagesFor(513));
        assertEquals(MAX_INDIRECT_PAGES, indirectPagesFor(MAX_INDIRECT_SEGMENTS));
        assertTrue(isValidSectorRange(0, 7));
        assertTrue(isValidSectorRange(3, 3));
        assertFalse(isValidSectorRange(4, 3));
        assertFalse(isValidSectorRange(0, 8));
    }

    @Test
    void aReadWriteRequestWrittenFieldByFieldLandsAtTheWireOffsets()
    {
        Arrays.fill(bytes, GARBAGE);
        final BlkifRequest request = new BlkifRequest().wrap(buffer, BASE).clear();
        for (int i = BASE; i < BASE + REQUEST_LENGTH; i++)
        {
            assertEquals(0, bytes[i], "clear zeroes byte " + (i - BASE));
        }
        assertEquals(GARBAGE, bytes[BASE - 1], "clear stays inside the entry");
        assertEquals(GARBAGE, bytes[BASE + REQUEST_LENGTH], "clear stays inside the entry");

        request.operation(OP_WRITE).nrSegments(11).handle(51712)
            .id(0x1122_3344_5566_7788L).sectorNumber(0x0102_0304_0506_0708L);
        for (int i = 0; i < MAX_SEGMENTS_PER_REQUEST; i++)
        {
            request.segment(i, 0x8000_0000 | i, i % 8, 7);
        }

        assertEquals(OP_WRITE, bytes[BASE]);
        assertEquals(11, bytes[BASE + 1]);
        assertEquals((short)51712, raw.getShort(BASE + 2));
        assertEquals(0, raw.getInt(BASE + 4), "padding before id");
        assertEquals(0x1122_3344_5566_7788L, raw.getLong(BASE + 8));
        assertEquals(0x0102_0304_0506_0708L, raw.getLong(BASE + 16));
        for (int i = 0; i < MAX_SEGMENTS_PER_REQUEST; i++)
        {
            final int at = BASE + 24 + 8 * i;
            assertEquals(0x8000_0000 | i, raw.getInt(at));
            assertEquals(i % 8, bytes[at + 4]);
            assertEquals(7, bytes[at + 5]);
            assertEquals(0, raw.getShort(at + 6), "segment padding");
        }

        assertEquals(OP_WRITE, request.operation());
        assertEquals(11, request.nrSegments());
        assertEquals(51712, request.handle(), "u16 read back unsigned");
        assertEquals(0x1122_3344_5566_7788L, request.id());
        assertEquals(0x0102_0304_0506_0708L, request.sectorNumber());
        assertEquals(0x8000_000A, request.segmentGref(10), "u32 gref as raw bits");
        assertEquals(2, request.segmentFirstSect(10));
        assertEquals(7, request.segmentLastSect(10));
    }

    @Test
    void unsignedBytesReadBackUnsigned()
    {
        final BlkifRequest request = new BlkifRequest().wrap(buffer, BASE).clear();
        request.operation(0xFF).nrSegments(200).segment(0, -1, 255, 255);
        assertEquals(255, request.operation());
        assertEquals(200, request.nrSegments());
        assertEquals(-1, request.segmentGref(0));
        assertEquals(255, request.segmentFirstSect(0));
        assertEquals(255, request.segmentLastSect(0));
    }

    @Test
    void theDiscardViewSharesHandleIdAndSectorAndAddsFlagAndCount()
    {
        final BlkifRequest request = new BlkifRequest().wrap(buffer, BASE).clear();
        request.operation(OP_DISCARD).discardFlag(DISCARD_FLAG_SECURE).handle(7)
            .id(42).sectorNumber(1000).discardNrSectors(0x1_0000_0001L);

        assertEquals(OP_DISCARD, bytes[BASE]);
        assertEquals(DISCARD_FLAG_SECURE, bytes[BASE + 1]);
        assertEquals(7, raw.getShort(BASE + 2));
        assertEquals(42, raw.getLong(BASE + 8));
        assertEquals(1000, raw.getLong(BASE + 16));
        assertEquals(0x1_0000_0001L, raw.getLong(BASE + 24));
        assertEquals(DISCARD_HANDLE_OFFSET, HANDLE_OFFSET);
        assertEquals(DISCARD_ID_OFFSET, ID_OFFSET);
        assertEquals(DISCARD_SECTOR_NUMBER_OFFSET, SECTOR_NUMBER_OFFSET);

        assertEquals(1, request.discardFlag());
        assertTrue(request.isSecureDiscard());
        assertEquals(0x1_0000_0001L, request.discardNrSectors());
    }

    @Test
    void theIndirectViewPutsHandleAt24AndGrefsAt28()
    {
        final BlkifRequest request = new BlkifRequest().wrap(buffer, BASE).clear();
        request.operation(OP_INDIRECT).indirectOp(OP_READ).indirectNrSegments(4096)
            .id(-1L).sectorNumber(8).indirectHandle(0xBEEF);
        for (int i = 0; i < MAX_INDIRECT_PAGES; i++)
        {
            request.indirectGref(i, 100 + i);
        }

        assertEquals(OP_INDIRECT, bytes[BASE]);
        assertEquals(OP_READ, bytes[BASE + 1]);
        assertEquals(4096, raw.getShort(BASE + 2));
        assertEquals(-1L, raw.getLong(BASE + 8));
        assertEquals(8, raw.getLong(BASE + 16));
        assertEquals((short)0xBEEF, raw.getShort(BASE + 24));
        assertEquals(0, raw.getShort(BASE + 26), "padding before the grefs");
        for (int i = 0; i < MAX_INDIRECT_PAGES; i++)
        {
            assertEquals(100 + i, raw.getInt(BASE + 28 + 4 * i));
        }
        for (int i = BASE + 60; i < BASE + REQUEST_LENGTH; i++)
        {
            assertEquals(0, bytes[i], "tail after the grefs stays clear");
        }

        assertEquals(OP_READ, request.indirectOp());
        assertEquals(4096, request.indirectNrSegments());
        assertEquals(0xBEEF, request.indirectHandle());
        assertEquals(107, request.indirectGref(7));
    }

    @Test
    void anIndirectPageSegmentIsWrittenWholeWithZeroPadding()
    {
        final byte[] page = new byte[4096];
        Arrays.fill(page, GARBAGE);
        final UnsafeBuffer pageBuffer = new UnsafeBuffer(page);
        final ByteBuffer pageRaw = ByteBuffer.wrap(page).order(ByteOrder.LITTLE_ENDIAN);
        final BlkifSegment segment = new BlkifSegment();

        segment.wrap(pageBuffer, 0, 511).set(0xCAFE_F00D, 1, 6);
        final int at = 511 * SEGMENT_LENGTH;
        assertEquals(0xCAFE_F00D, pageRaw.getInt(at));
        assertEquals(1, page[at + 4]);
        assertEquals(6, page[at + 5]);
        assertEquals(0, pageRaw.getShort(at + 6), "padding zeroed");
        assertEquals(GARBAGE, page[at - 1], "the previous entry is untouched");
        assertEquals(at, segment.offset());

        assertEquals(0xCAFE_F00D, segment.gref());
        assertEquals(1, segment.firstSect());
        assertEquals(6, segment.lastSect());

        segment.wrap(pageBuffer, 8).gref(5).firstSect(0).lastSect(7);
        assertEquals(5, pageRaw.getInt(8));
        assertEquals(0, page[12]);
        assertEquals(7, page[13]);
    }

    @Test
    void aResponseOverwritesAll16BytesSoNoPaddingLeaks()
    {
        Arrays.fill(bytes, (byte)0xFF);
        final BlkifResponse response = new BlkifResponse().wrap(buffer, BASE);
        response.write(0x0123_4567_89AB_CDEFL, OP_FLUSH_DISKCACHE, STATUS_EOPNOTSUPP);

        assertEquals(0x0123_4567_89AB_CDEFL, raw.getLong(BASE));
        assertEquals(OP_FLUSH_DISKCACHE, bytes[BASE + 8]);
        assertEquals(0, bytes[BASE + 9], "padding byte 9");
        assertEquals(STATUS_EOPNOTSUPP, raw.getShort(BASE + 10));
        for (int i = 12; i < 16; i++)
        {
            assertEquals(0, bytes[BASE + i], "padding byte " + i);
        }
        assertEquals((byte)0xFF, bytes[BASE + 16], "nothing past the response");
        assertEquals((byte)0xFF, bytes[BASE - 1], "nothing before the response");

        assertEquals(0x0123_4567_89AB_CDEFL, response.id());
        assertEquals(OP_FLUSH_DISKCACHE, response.operation());
        assertEquals(-2, response.status(), "status is signed");

        response.write(1, 0xFF, STATUS_OKAY);
        assertEquals(0xFF, response.operation());
        assertEquals(0, response.status());
        assertEquals(0, raw.getLong(BASE + 8) >>> 8, "status and padding all zero");
    }
}
