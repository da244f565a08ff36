package io.javisor.perf.io;

import io.javisor.blkback.image.DiskImage;

import java.nio.ByteBuffer;

/**
 * A disk image lent to a domain for one run: every call goes to the owner's image except
 * {@link #close()}, which does nothing, so that destroying the domain leaves the image (and the
 * pattern the bench filled it with once) to the next run. Thread safety is the owner image's.
 */
final class BorrowedDiskImage implements DiskImage
{
    private final DiskImage owner;

    BorrowedDiskImage(final DiskImage owner)
    {
        this.owner = owner;
    }

    @Override
    public String description()
    {
        return owner.description();
    }

    @Override
    public long sizeInBytes()
    {
        return owner.sizeInBytes();
    }

    @Override
    public boolean isReadOnly()
    {
        return owner.isReadOnly();
    }

    @Override
    public boolean mayBlock()
    {
        return owner.mayBlock();
    }

    @Override
    public int read(final long offset, final ByteBuffer dst)
    {
        return owner.read(offset, dst);
    }

    @Override
    public int write(final long offset, final ByteBuffer src)
    {
        return owner.write(offset, src);
    }

    @Override
    public int flush()
    {
        return owner.flush();
    }

    @Override
    public int discard(final long offset, final long length)
    {
        return owner.discard(offset, length);
    }

    @Override
    public void close()
    {
        // The owner closes the image when the bench is done with it.
    }
}
