package io.javisor.blkback.wire;

import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

import static io.javisor.blkback.wire.BlkifDescriptor.*;

/**
 * Flyweight over one {@code blkif_request_segment} of {@link BlkifDescriptor#SEGMENT_LENGTH}
 * bytes, as found in an indirect page (512 of them per page) or inline in a request. An indirect
 * page is guest memory the front end can still change: copy the entries needed out of it before
 * validating them, as for ring slots.
 */
public final class BlkifSegment
{
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private MutableDirectBuffer buffer;
    private int offset;

    public BlkifSegment wrap(final MutableDirectBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    /**
     * Wraps entry {@code index} of an indirect page that starts at {@code pageOffset}.
     */
    public BlkifSegment wrap(final MutableDirectBuffer buffer, final int pageOffset, final int index)
    {
        return wrap(buffer, pageOffset + index * SEGMENT_LENGTH);
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
     * The grant reference as raw u32 bits.
     */
    public int gref()
    {
        return buffer.getInt(offset + SEGMENT_GREF_OFFSET, LE);
    }

    public BlkifSegment gref(final int gref)
    {
        buffer.putInt(offset + SEGMENT_GREF_OFFSET, gref, LE);
        return this;
    }

    public int firstSect()
    {
        return buffer.getByte(offset + SEGMENT_FIRST_SECT_OFFSET) & 0xFF;
    }

    public BlkifSegment firstSect(final int firstSect)
    {
        buffer.putByte(offset + SEGMENT_FIRST_SECT_OFFSET, (byte)firstSect);
        return this;
    }

    public int lastSect()
    {
        return buffer.getByte(offset + SEGMENT_LAST_SECT_OFFSET) & 0xFF;
    }

    public BlkifSegment lastSect(final int lastSect)
    {
        buffer.putByte(offset + SEGMENT_LAST_SECT_OFFSET, (byte)lastSect);
        return this;
    }

    /**
     * Writes the entry whole: gref, sector range and the 2 padding bytes as zero, in one store.
     */
    public BlkifSegment set(final int gref, final int firstSect, final int lastSect)
    {
        final long entry = (gref & 0xFFFF_FFFFL) | (long)(firstSect & 0xFF) << 32 | (long)(lastSect & 0xFF) << 40;
        buffer.putLong(offset, entry, LE);
        return this;
    }
}
