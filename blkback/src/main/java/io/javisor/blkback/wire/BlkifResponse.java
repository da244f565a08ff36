package io.javisor.blkback.wire;

import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

import static io.javisor.blkback.wire.BlkifDescriptor.*;

/**
 * Flyweight over one blkif response of {@link BlkifDescriptor#RESPONSE_LENGTH} bytes.
 * <p>
 * Responses are written only whole, by {@link #write}: the slot held a request a moment ago, and
 * any padding byte left unwritten would hand the guest whatever was there (XSA-216 leaked back
 * end stack memory through exactly these padding bytes).
 */
public final class BlkifResponse
{
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private MutableDirectBuffer buffer;
    private int offset;

    public BlkifResponse wrap(final MutableDirectBuffer buffer, final int offset)
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
     * Writes all 16 bytes: id, then operation, status and zeroed padding as one little-endian
     * u64 (byte 8 operation, byte 9 zero, bytes 10..11 status, bytes 12..15 zero).
     */
    public BlkifResponse write(final long id, final int operation, final int status)
    {
        buffer.putLong(offset + RESPONSE_ID_OFFSET, id, LE);
        final long tail = (operation & 0xFFL) | (status & 0xFFFFL) << ((RESPONSE_STATUS_OFFSET - RESPONSE_OPERATION_OFFSET) * 8);
        buffer.putLong(offset + RESPONSE_OPERATION_OFFSET, tail, LE);
        return this;
    }

    public long id()
    {
        return buffer.getLong(offset + RESPONSE_ID_OFFSET, LE);
    }

    public int operation()
    {
        return buffer.getByte(offset + RESPONSE_OPERATION_OFFSET) & 0xFF;
    }

    /**
     * Signed: {@link BlkifDescriptor#STATUS_OKAY}, {@link BlkifDescriptor#STATUS_ERROR} or
     * {@link BlkifDescriptor#STATUS_EOPNOTSUPP}.
     */
    public int status()
    {
        return buffer.getShort(offset + RESPONSE_STATUS_OFFSET, LE);
    }
}
