package io.javisor.blkback.wire;

import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

import static io.javisor.blkback.wire.BlkifDescriptor.*;

/**
 * Flyweight over one blkif request of {@link BlkifDescriptor#REQUEST_LENGTH} bytes, with the
 * read/write, discard and indirect views of the same bytes. Which view applies is decided by
 * {@link #operation()}; the accessors do not check it.
 * <p>
 * Unsigned wire fields come back widened: u8 and u16 as non-negative ints, u32 grant references
 * as the raw int bits, u64 id and sector numbers as the raw long bits (a sector number with the
 * top bit set reads negative and is out of range for any disk).
 * <p>
 * A back end wraps its private copy of the request, never the shared ring slot, so that a guest
 * cannot change a field between validation and use. Segment and gref indexes are not checked:
 * validate nr_segments against {@link BlkifDescriptor#MAX_SEGMENTS_PER_REQUEST} first.
 */
public final class BlkifRequest
{
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private MutableDirectBuffer buffer;
    private int offset;

    public BlkifRequest wrap(final MutableDirectBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    public MutableDirectBuffer buffer()
    {
        return buffer;
    }

    public int offset()
    {
        return offset;
    }

    /**
     * Zeroes the whole entry, so that fields a front end does not set (padding, unused segments,
     * the tail after an indirect request) carry nothing from an earlier request.
     */
    public BlkifRequest clear()
    {
        buffer.setMemory(offset, REQUEST_LENGTH, (byte)0);
        return this;
    }

    public int operation()
    {
        return buffer.getByte(offset + OPERATION_OFFSET) & 0xFF;
    }

    public BlkifRequest operation(final int operation)
    {
        buffer.putByte(offset + OPERATION_OFFSET, (byte)operation);
        return this;
    }

    public int nrSegments()
    {
        return buffer.getByte(offset + NR_SEGMENTS_OFFSET) & 0xFF;
    }

    public BlkifRequest nrSegments(final int nrSegments)
    {
        buffer.putByte(offset + NR_SEGMENTS_OFFSET, (byte)nrSegments);
        return this;
    }

    public int handle()
    {
        return buffer.getShort(offset + HANDLE_OFFSET, LE) & 0xFFFF;
    }

    public BlkifRequest handle(final int handle)
    {
        buffer.putShort(offset + HANDLE_OFFSET, (short)handle, LE);
        return this;
    }

    /**
     * The front end's cookie, echoed in the response; the same offset in all three views.
     */
    public long id()
    {
        return buffer.getLong(offset + ID_OFFSET, LE);
    }

    public BlkifRequest id(final long id)
    {
        buffer.putLong(offset + ID_OFFSET, id, LE);
        return this;
    }

    /**
     * First 512-byte sector; the same offset in all three views.
     */
    public long sectorNumber()
    {
        return buffer.getLong(offset + SECTOR_NUMBER_OFFSET, LE);
    }

    public BlkifRequest sectorNumber(final long sectorNumber)
    {
        buffer.putLong(offset + SECTOR_NUMBER_OFFSET, sectorNumber, LE);
        return this;
    }

    public int segmentGref(final int index)
    {
        return buffer.getInt(offset + segmentOffset(index) + SEGMENT_GREF_OFFSET, LE);
    }

    public int segmentFirstSect(final int index)
    {
        return buffer.getByte(offset + segmentOffset(index) + SEGMENT_FIRST_SECT_OFFSET) & 0xFF;
    }

    public int segmentLastSect(final int index)
    {
        return buffer.getByte(offset + segmentOffset(index) + SEGMENT_LAST_SECT_OFFSET) & 0xFF;
    }

    /**
     * Writes inline segment {@code index} whole, its 2 padding bytes as zero.
     */
    public BlkifRequest segment(final int index, final int gref, final int firstSect, final int lastSect)
    {
        final int at = offset + segmentOffset(index);
        buffer.putInt(at + SEGMENT_GREF_OFFSET, gref, LE);
        buffer.putByte(at + SEGMENT_FIRST_SECT_OFFSET, (byte)firstSect);
        buffer.putByte(at + SEGMENT_LAST_SECT_OFFSET, (byte)lastSect);
        buffer.putShort(at + SEGMENT_LAST_SECT_OFFSET + 1, (short)0, LE);
        return this;
    }

    public int discardFlag()
    {
        return buffer.getByte(offset + DISCARD_FLAG_OFFSET) & 0xFF;
    }

    public BlkifRequest discardFlag(final int flag)
    {
        buffer.putByte(offset + DISCARD_FLAG_OFFSET, (byte)flag);
        return this;
    }

    public boolean isSecureDiscard()
    {
        return (discardFlag() & DISCARD_FLAG_SECURE) != 0;
    }

    public long discardNrSectors()
    {
        return buffer.getLong(offset + DISCARD_NR_SECTORS_OFFSET, LE);
    }

    public BlkifRequest discardNrSectors(final long nrSectors)
    {
        buffer.putLong(offset + DISCARD_NR_SECTORS_OFFSET, nrSectors, LE);
        return this;
    }

    /**
     * The read or write that an {@link BlkifDescriptor#OP_INDIRECT} request carries.
     */
    public int indirectOp()
    {
        return buffer.getByte(offset + INDIRECT_OP_OFFSET) & 0xFF;
    }

    public BlkifRequest indirectOp(final int operation)
    {
        buffer.putByte(offset + INDIRECT_OP_OFFSET, (byte)operation);
        return this;
    }

    public int indirectNrSegments()
    {
        return buffer.getShort(offset + INDIRECT_NR_SEGMENTS_OFFSET, LE) & 0xFFFF;
    }

    public BlkifRequest indirectNrSegments(final int nrSegments)
    {
        buffer.putShort(offset + INDIRECT_NR_SEGMENTS_OFFSET, (short)nrSegments, LE);
        return this;
    }

    /**
     * The device handle of an indirect request, which lives at 24, not at 2.
     */
    public int indirectHandle()
    {
        return buffer.getShort(offset + INDIRECT_HANDLE_OFFSET, LE) & 0xFFFF;
    }

    public BlkifRequest indirectHandle(final int handle)
    {
        buffer.putShort(offset + INDIRECT_HANDLE_OFFSET, (short)handle, LE);
        return this;
    }

    public int indirectGref(final int index)
    {
        return buffer.getInt(offset + indirectGrefOffset(index), LE);
    }

    public BlkifRequest indirectGref(final int index, final int gref)
    {
        buffer.putInt(offset + indirectGrefOffset(index), gref, LE);
        return this;
    }
}
