package io.javisor.core.driver;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * One guest frame a driver domain process has mapped through a grant: the hypervisor's handle for
 * the mapping and this process's own 4 KiB mapping of the frame in the machine memory file (read-only
 * when the grant is).
 * <p>
 * Confined to the thread that mapped it (its arena is confined): a device's thread maps, uses and
 * unmaps its frames.
 */
final class GrantedFrame
{
    final int ref;
    final int handle;
    final Arena arena;
    final MemorySegment segment;
    /** The frame as a ByteBuffer, for file channel reads and writes straight into it. */
    final ByteBuffer buffer;

    GrantedFrame(final int ref, final int handle, final Arena arena, final MemorySegment segment)
    {
        this.ref = ref;
        this.handle = handle;
        this.arena = arena;
        this.segment = segment;
        this.buffer = segment.asByteBuffer();
    }

    long address()
    {
        return segment.address();
    }
}
