package io.javisor.core.driver;

import io.javisor.memory.PageDescriptor;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;

/**
 * How a driver domain process maps guest frames: it asks the hypervisor to map a grant; the answer
 * is a handle and the frame's offset in the machine memory file, or a GNTST refusal; then it maps
 * that one 4 KiB frame of the file and nothing else. Unmapping drops the process's mapping first,
 * then the hypervisor's.
 * <p>
 * Thread safety: mapping and unmapping are safe from any thread (the channel serialises them); a
 * frame is used by the thread that mapped it ({@link GrantedFrame}).
 */
final class GrantedFrames
{
    private final ParentLink link;
    private final FileChannel memory;

    GrantedFrames(final ParentLink link, final FileChannel memory)
    {
        this.link = link;
        this.memory = memory;
    }

    /**
     * @return the frame, or null when the hypervisor refused the grant.
     */
    GrantedFrame map(final int granter, final int ref, final boolean readOnly) throws IOException
    {
        final ParentLink.Reply reply = link.grantMap(granter, ref, readOnly);
        if (reply.status() < 0)
        {
            return null;
        }
        final Arena arena = Arena.ofConfined();
        try
        {
            final MemorySegment segment = memory.map(readOnly ? FileChannel.MapMode.READ_ONLY : FileChannel.MapMode.READ_WRITE,
                reply.value(), PageDescriptor.PAGE_SIZE, arena);
            return new GrantedFrame(ref, reply.status(), arena, segment);
        }
        catch (final IOException | RuntimeException ex)
        {
            arena.close();
            link.grantUnmap(reply.status());
            throw ex;
        }
    }

    void unmap(final GrantedFrame frame) throws IOException
    {
        frame.arena.close();
        link.grantUnmap(frame.handle);
    }
}
