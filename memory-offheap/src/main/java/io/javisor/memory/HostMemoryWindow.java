package io.javisor.memory;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * A reusable {@link ByteBuffer} window onto machine memory, for IO APIs that take ByteBuffers
 * (positional {@code FileChannel} reads and writes straight into a mapped guest frame).
 * <p>
 * The pool is covered by a few direct ByteBuffers of up to 1 GiB made once; {@link #window}
 * only moves position and limit, so the IO path allocates nothing. Chunk boundaries are
 * frame-aligned, so a range inside one frame is always inside one chunk. Not thread-safe: each
 * IO thread owns its own window.
 */
public final class HostMemoryWindow
{
    private static final long CHUNK = 1L << 30;

    private final long base;
    private final long length;
    private final ByteBuffer[] chunks;

    HostMemoryWindow(final long base, final long length)
    {
        this.base = base;
        this.length = length;
        final int count = (int)((length + CHUNK - 1) / CHUNK);
        chunks = new ByteBuffer[count];
        for (int i = 0; i < count; i++)
        {
            final long size = Math.min(CHUNK, length - i * CHUNK);
            chunks[i] = MemorySegment.ofAddress(base + i * CHUNK).reinterpret(size).asByteBuffer();
        }
    }

    /**
     * @return a buffer whose remaining bytes are exactly [hostAddress, hostAddress + bytes), or
     * null when that range is not inside one chunk of machine memory.
     */
    public ByteBuffer window(final long hostAddress, final int bytes)
    {
        final long offset = hostAddress - base;
        if (offset < 0 || bytes < 0 || offset > length - bytes)
        {
            return null;
        }
        final int chunk = (int)(offset / CHUNK);
        final int start = (int)(offset - chunk * CHUNK);
        final ByteBuffer buffer = chunks[chunk];
        if (start + (long)bytes > buffer.capacity())
        {
            return null;
        }
        buffer.limit(start + bytes).position(start);
        return buffer;
    }
}
