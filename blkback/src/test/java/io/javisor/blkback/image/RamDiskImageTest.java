package io.javisor.blkback.image;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static io.javisor.blkback.image.DiskImage.*;
import static org.junit.jupiter.api.Assertions.*;

class RamDiskImageTest extends DiskImageContract
{
    @Override
    DiskImage newImage(final int size)
    {
        return new RamDiskImage(size);
    }

    @Override
    DiskImage newReadOnlyImage(final int size)
    {
        return new RamDiskImage(size, true);
    }

    /**
     * A RAM disk starts zero-filled, and a read-only one stays so.
     */
    @Override
    byte readOnlyFill()
    {
        return 0;
    }

    @Test
    void theSizeMustBeAPositiveMultipleOf512()
    {
        for (final long size : new long[] {0, -512, 1000, 513})
        {
            final DiskImageException ex = assertThrows(DiskImageException.class, () -> new RamDiskImage(size));
            assertEquals("ram disk: size " + size + " is not a positive multiple of 512", ex.getMessage());
        }
    }

    @Test
    void describesItselfInBinaryUnits()
    {
        try (RamDiskImage image = new RamDiskImage(64L << 20); RamDiskImage ro = new RamDiskImage(1536 * 1024, true))
        {
            assertEquals("ram 64 MiB (rw)", image.description());
            assertEquals("ram 1536 KiB (ro)", ro.description());
            assertEquals(64L << 11, image.sectors());
        }
    }

    @Test
    void aLargeDiskCostsNothingUntilWrittenAndCopiesAcrossItsInternalViews()
    {
        // 3 GiB reserves address space only (MAP_NORESERVE); pages appear when written.
        final long size = 3L << 30;
        try (RamDiskImage image = new RamDiskImage(size))
        {
            final long boundary = 1L << 30;
            final ByteBuffer src = pattern(8192, 11);
            assertEquals(OK, image.write(boundary - 4096, src), "a write across a 1 GiB view boundary");
            final ByteBuffer dst = window(5, 8192);
            assertEquals(OK, image.read(boundary - 4096, dst));
            assertPattern(dst, 5, 8192, 11);

            assertEquals(OK, image.write(size - 512, pattern(512, 2)));
            assertEquals(OK, image.discard(0, size), "discarding the whole disk");
            assertZeros(image, boundary - 4096, 8192);
            assertZeros(image, size - 512, 512);
        }
    }

    @Test
    void ioAfterCloseFailsInsteadOfTouchingFreedMemory()
    {
        final RamDiskImage image = new RamDiskImage(SIZE);
        image.close();
        image.close();
        assertEquals(E_IO, image.read(0, window(0, 512)));
        assertEquals(E_IO, image.write(0, pattern(512, 1)));
        assertEquals(E_IO, image.discard(0, 512));
    }
}
