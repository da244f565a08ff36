package io.javisor.emulation.fdt;

import java.util.Arrays;

/**
 * An append-only, growable byte array for assembling blob blocks. Plain Java on purpose: device tree
 * writing is a cold path and should not need Agrona's JVM flags in whatever process embeds javisor.
 */
final class ByteSink
{
    private byte[] bytes;
    private int length;

    ByteSink(final int initialCapacity)
    {
        bytes = new byte[initialCapacity];
    }

    int length()
    {
        return length;
    }

    void putIntBigEndian(final int value)
    {
        ensure(Integer.BYTES);
        for (int i = 0; i < Integer.BYTES; i++)
        {
            bytes[length++] = (byte)(value >>> (8 * (Integer.BYTES - 1 - i)));
        }
    }

    void put(final byte[] src)
    {
        ensure(src.length);
        System.arraycopy(src, 0, bytes, length, src.length);
        length += src.length;
    }

    void putByte(final byte value)
    {
        ensure(1);
        bytes[length++] = value;
    }

    /** Append zeros up to the next multiple of the power of two {@code alignment}. */
    void padTo(final int alignment)
    {
        final int padded = FdtDescriptor.align(length, alignment);
        ensure(padded - length);
        // The array past length is still zero: nothing ever writes beyond length, and growth zero-fills.
        length = padded;
    }

    void copyTo(final byte[] dst, final int offset)
    {
        System.arraycopy(bytes, 0, dst, offset, length);
    }

    private void ensure(final int extra)
    {
        final long required = (long)length + extra;
        if (required > Integer.MAX_VALUE - 8)
        {
            throw new IllegalStateException("device tree block would exceed " + (Integer.MAX_VALUE - 8) + " bytes");
        }
        if (required > bytes.length)
        {
            bytes = Arrays.copyOf(bytes, (int)Math.min(Integer.MAX_VALUE - 8, Math.max(required, 2L * bytes.length)));
        }
    }
}
