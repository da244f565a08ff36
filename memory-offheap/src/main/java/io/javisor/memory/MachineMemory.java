package io.javisor.memory;

import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static io.javisor.memory.PageDescriptor.PAGE_SHIFT;
import static io.javisor.memory.PageDescriptor.PAGE_SIZE;

/**
 * The host's pool of machine frames: one off-heap mapping that every domain's guest memory,
 * grant tables and shared pages are carved from, as Xen carves domains out of the machine's RAM.
 * <p>
 * Anonymous pools are a private {@code mmap(MAP_ANONYMOUS | MAP_NORESERVE)}: the host commits a
 * frame only when it is first touched, so a pool can be sized for thousands of light domains.
 * File-backed pools map a file (for instance under /dev/shm) shared, so that another process can
 * map the same frames later (driver domains in their own process).
 */
public final class MachineMemory implements AutoCloseable
{
    private final int frameCount;
    private final long baseAddress;
    private final long length;
    private final Path file;
    private final Arena fileArena;
    private boolean closed;

    private MachineMemory(final int frameCount, final long baseAddress, final Path file, final Arena fileArena)
    {
        this.frameCount = frameCount;
        this.baseAddress = baseAddress;
        this.length = (long)frameCount << PAGE_SHIFT;
        this.file = file;
        this.fileArena = fileArena;
    }

    /**
     * A private anonymous pool, committed lazily by the host.
     */
    public static MachineMemory anonymous(final int frameCount)
    {
        checkFrameCount(frameCount);
        final long length = (long)frameCount << PAGE_SHIFT;
        return new MachineMemory(frameCount, AnonymousMemory.map(length), null, null);
    }

    /**
     * A pool backed by {@code file}, mapped shared so that another process can map the same frames.
     * The file is created (or truncated) to the pool's size.
     */
    public static MachineMemory fileBacked(final Path file, final int frameCount)
    {
        checkFrameCount(frameCount);
        final long length = (long)frameCount << PAGE_SHIFT;
        final Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(file,
            StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING))
        {
            channel.truncate(0);
            // Sparse: setting the size allocates nothing until a frame is written.
            channel.write(java.nio.ByteBuffer.allocate(1), length - 1);
            final MemorySegment segment = channel.map(FileChannel.MapMode.READ_WRITE, 0, length, arena);
            return new MachineMemory(frameCount, segment.address(), file, arena);
        }
        catch (final IOException ex)
        {
            arena.close();
            throw new UncheckedIOException("cannot map machine memory file " + file + ": " + ex.getMessage(), ex);
        }
    }

    private static void checkFrameCount(final int frameCount)
    {
        if (frameCount <= 0)
        {
            throw new IllegalArgumentException("machine memory needs at least one frame: " + frameCount);
        }
    }

    public int frameCount()
    {
        return frameCount;
    }

    public long lengthInBytes()
    {
        return length;
    }

    /**
     * The file behind this pool, or null for an anonymous pool.
     */
    public Path file()
    {
        return file;
    }

    /**
     * The offset in {@link #file()} of the byte at {@code hostAddress}, for a process that maps the
     * same file (a driver domain mapping a granted frame).
     *
     * @return the offset, or -1 when the address is not inside this pool.
     */
    public long offsetOf(final long hostAddress)
    {
        final long offset = hostAddress - baseAddress;
        return offset >= 0 && offset < length ? offset : -1;
    }

    /**
     * A new ByteBuffer window onto this pool, for one IO thread.
     */
    public HostMemoryWindow newWindow()
    {
        return new HostMemoryWindow(baseAddress, length);
    }

    /**
     * Host virtual address of machine frame {@code mfn}; the caller has checked {@code mfn}.
     */
    long addressOf(final long mfn)
    {
        return baseAddress + (mfn << PAGE_SHIFT);
    }

    /**
     * Points {@code buffer} at {@code frames} frames starting at {@code mfn}.
     *
     * @return false, leaving the buffer untouched, when the range is not inside the pool.
     */
    public boolean wrap(final long mfn, final int frames, final UnsafeBuffer buffer)
    {
        if (mfn < 0 || frames <= 0 || mfn > frameCount - (long)frames)
        {
            return false;
        }
        buffer.wrap(addressOf(mfn), frames * PAGE_SIZE);
        return true;
    }

    /**
     * Zeroes frames before they are handed to another owner. For an anonymous pool the frames are
     * also given back to the host (MADV_DONTNEED reads back as zero); a shared file mapping must be
     * cleared by writing, because its contents live in the file.
     */
    void scrub(final long mfn, final int frames)
    {
        final long address = addressOf(mfn);
        final long bytes = (long)frames << PAGE_SHIFT;
        if (file == null && AnonymousMemory.dontNeed(address, bytes))
        {
            return;
        }
        MemorySegment.ofAddress(address).reinterpret(bytes).fill((byte)0);
    }

    public synchronized boolean isClosed()
    {
        return closed;
    }

    @Override
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        if (fileArena != null)
        {
            fileArena.close();
            try
            {
                Files.deleteIfExists(file);
            }
            catch (final IOException ignore)
            {
                // The mapping is gone; a leftover file is only disk space.
            }
        }
        else
        {
            if (!AnonymousMemory.unmap(baseAddress, length))
            {
                throw new IllegalStateException("munmap of machine memory failed");
            }
        }
    }
}
