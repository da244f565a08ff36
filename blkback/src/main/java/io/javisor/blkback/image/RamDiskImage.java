package io.javisor.blkback.image;

import io.javisor.memory.AnonymousMemory;
import org.agrona.UnsafeApi;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * A disk held in off-heap memory, zero-filled, gone when closed: javisor's {@code format=ram}.
 * <p>
 * The memory is a private anonymous {@code mmap(MAP_NORESERVE)}: the host commits a page only
 * when it is first written, so a large RAM disk costs what the guest has written, not its size
 * (an {@code Arena.allocate} would zero, and so commit, every page up front; a mapped temp file
 * would be bounded by a small /dev/shm or written back to disk). Discard hands whole pages back
 * with {@code madvise(MADV_DONTNEED)}, after which they read as zeros again.
 * <p>
 * The mapping is owned by a shared {@link Arena} and seen through ByteBuffer views of up to
 * 1 GiB made once at creation; read and write are one bulk copy between a view and the caller's
 * window, allocate nothing, and are checked against the arena, so IO racing {@link #close()}
 * fails with {@link #E_IO} instead of touching unmapped memory.
 */
public final class RamDiskImage implements DiskImage
{
    private static final int CHUNK_SHIFT = 30;
    private static final int CHUNK_SIZE = 1 << CHUNK_SHIFT;
    private static final long CHUNK_MASK = CHUNK_SIZE - 1;

    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(4096).asReadOnlyBuffer();

    private final long size;
    private final boolean readOnly;
    private final long address;
    private final long pageSize;
    private final Arena arena;
    private final ByteBuffer[] chunks;
    private boolean closed;

    /**
     * A read-write RAM disk of {@code sizeInBytes}, a positive multiple of 512.
     */
    public RamDiskImage(final long sizeInBytes)
    {
        this(sizeInBytes, false);
    }

    public RamDiskImage(final long sizeInBytes, final boolean readOnly)
    {
        if (sizeInBytes <= 0 || sizeInBytes % SECTOR_SIZE != 0)
        {
            throw new DiskImageException("ram disk: size " + sizeInBytes + " is not a positive multiple of 512");
        }
        this.size = sizeInBytes;
        this.readOnly = readOnly;
        this.pageSize = UnsafeApi.pageSize();
        this.address = map(sizeInBytes);
        this.arena = Arena.ofShared();
        final long mapped = address;
        final MemorySegment memory = MemorySegment.ofAddress(mapped).reinterpret(sizeInBytes, arena, ignored -> unmap(mapped, sizeInBytes));
        final int count = (int)((sizeInBytes + CHUNK_MASK) >>> CHUNK_SHIFT);
        chunks = new ByteBuffer[count];
        for (int i = 0; i < count; i++)
        {
            final long start = (long)i << CHUNK_SHIFT;
            chunks[i] = memory.asSlice(start, Math.min(CHUNK_SIZE, sizeInBytes - start)).asByteBuffer();
        }
    }

    private static long map(final long length)
    {
        try
        {
            return AnonymousMemory.map(length);
        }
        catch (final IllegalStateException ex)
        {
            throw new DiskImageException("ram disk: cannot map " + length + " bytes of memory: " + ex.getMessage(), ex);
        }
    }

    private static void unmap(final long address, final long length)
    {
        // A cleanup action has no one to report to; munmap of our own whole mapping does not fail.
        AnonymousMemory.unmap(address, length);
    }

    @Override
    public long sizeInBytes()
    {
        return size;
    }

    @Override
    public boolean isReadOnly()
    {
        return readOnly;
    }

    /**
     * Read, write and flush are memory copies (or nothing); only a discard of a large range
     * costs time, which the back end measures by length.
     */
    @Override
    public boolean mayBlock()
    {
        return false;
    }

    @Override
    public String description()
    {
        return "ram " + Sizes.format(size) + (readOnly ? " (ro)" : " (rw)");
    }

    @Override
    public int read(final long offset, final ByteBuffer dst)
    {
        final int length = dst.remaining();
        if (!DiskImage.inRange(offset, length, size))
        {
            return E_RANGE;
        }
        final int start = dst.position();
        try
        {
            long at = offset;
            int done = 0;
            while (done < length)
            {
                final int inChunk = (int)(at & CHUNK_MASK);
                final int n = Math.min(length - done, CHUNK_SIZE - inChunk);
                dst.put(start + done, chunks[(int)(at >>> CHUNK_SHIFT)], inChunk, n);
                done += n;
                at += n;
            }
        }
        catch (final IllegalStateException closedUnderUs)
        {
            return E_IO;
        }
        dst.position(start + length);
        return OK;
    }

    @Override
    public int write(final long offset, final ByteBuffer src)
    {
        if (readOnly)
        {
            return E_ROFS;
        }
        final int length = src.remaining();
        if (!DiskImage.inRange(offset, length, size))
        {
            return E_RANGE;
        }
        final int start = src.position();
        try
        {
            long at = offset;
            int done = 0;
            while (done < length)
            {
                final int inChunk = (int)(at & CHUNK_MASK);
                final int n = Math.min(length - done, CHUNK_SIZE - inChunk);
                chunks[(int)(at >>> CHUNK_SHIFT)].put(inChunk, src, start + done, n);
                done += n;
                at += n;
            }
        }
        catch (final IllegalStateException closedUnderUs)
        {
            return E_IO;
        }
        src.position(start + length);
        return OK;
    }

    /**
     * Nothing is volatile beyond this process: acknowledged writes are as stable as they get.
     */
    @Override
    public int flush()
    {
        return OK;
    }

    /**
     * Zeroes the range: whole host pages are released to the host, the partial pages at either
     * end are overwritten with zeros. Serialised with {@link #close()} because madvise works on a
     * raw address that the arena cannot guard.
     */
    @Override
    public synchronized int discard(final long offset, final long length)
    {
        if (readOnly)
        {
            return E_ROFS;
        }
        if (!DiskImage.inRange(offset, length, size))
        {
            return E_RANGE;
        }
        if (closed)
        {
            return E_IO;
        }
        final long end = offset + length;
        final long firstWholePage = Math.min(end, (offset + pageSize - 1) & -pageSize);
        final long lastWholePageEnd = Math.max(firstWholePage, end & -pageSize);
        zero(offset, firstWholePage);
        if (lastWholePageEnd > firstWholePage && !release(firstWholePage, lastWholePageEnd))
        {
            zero(firstWholePage, lastWholePageEnd);
        }
        zero(lastWholePageEnd, end);
        return OK;
    }

    private boolean release(final long from, final long to)
    {
        return AnonymousMemory.dontNeed(address + from, to - from);
    }

    private void zero(final long from, final long to)
    {
        long at = from;
        while (at < to)
        {
            final int inChunk = (int)(at & CHUNK_MASK);
            final int n = (int)Math.min(Math.min(to - at, ZEROS.capacity()), CHUNK_SIZE - inChunk);
            chunks[(int)(at >>> CHUNK_SHIFT)].put(inChunk, ZEROS, 0, n);
            at += n;
        }
    }

    @Override
    public synchronized void close()
    {
        if (!closed)
        {
            closed = true;
            arena.close();
        }
    }

    @Override
    public String toString()
    {
        return description();
    }
}
