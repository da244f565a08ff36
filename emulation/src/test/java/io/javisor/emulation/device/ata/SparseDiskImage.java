package io.javisor.emulation.device.ata;

import io.javisor.blkback.image.DiskImage;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

/** A huge disk whose written sectors live in a map (unwritten ones read as zeros), with injectable failures. */
final class SparseDiskImage implements DiskImage
{
    private final long size;
    private final Map<Long, byte[]> sectors = new HashMap<>();
    int failReads;
    int failWrites;
    int failFlush;
    int flushes;

    SparseDiskImage(final long sectors)
    {
        this.size = sectors * SECTOR_SIZE;
    }

    @Override
    public long sizeInBytes()
    {
        return size;
    }

    @Override
    public boolean isReadOnly()
    {
        return false;
    }

    @Override
    public String description()
    {
        return "sparse test image";
    }

    @Override
    public int read(final long offset, final ByteBuffer dst)
    {
        if (!DiskImage.inRange(offset, dst.remaining(), size))
        {
            return E_RANGE;
        }
        if (failReads != 0)
        {
            return failReads;
        }
        long at = offset;
        while (dst.hasRemaining())
        {
            final byte[] s = sectors.get(at / SECTOR_SIZE);
            for (int i = 0; i < SECTOR_SIZE; i++)
            {
                dst.put(s == null ? 0 : s[i]);
            }
            at += SECTOR_SIZE;
        }
        return OK;
    }

    @Override
    public int write(final long offset, final ByteBuffer src)
    {
        if (!DiskImage.inRange(offset, src.remaining(), size))
        {
            return E_RANGE;
        }
        if (failWrites != 0)
        {
            return failWrites;
        }
        long at = offset;
        while (src.hasRemaining())
        {
            final byte[] s = new byte[SECTOR_SIZE];
            src.get(s);
            sectors.put(at / SECTOR_SIZE, s);
            at += SECTOR_SIZE;
        }
        return OK;
    }

    @Override
    public int flush()
    {
        flushes++;
        return failFlush;
    }

    @Override
    public int discard(final long offset, final long length)
    {
        return E_NOTSUP;
    }

    @Override
    public void close()
    {
    }
}
