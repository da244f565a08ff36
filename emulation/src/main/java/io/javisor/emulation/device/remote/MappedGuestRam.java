package io.javisor.emulation.device.remote;

import io.javisor.emulation.device.virtio.GuestRam;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A stub domain's mapping of its guest's RAM: exactly the {@code length} bytes at {@code offset} of
 * the hypervisor's machine-memory file (which it shares, on tmpfs), and nothing else of the file,
 * mapped shared so that the virtqueues the stub runs read and write the guest's own frames. The
 * mapping ends with {@link #close()} or with the process.
 * <p>
 * Thread-safety: mapped and closed by the stub's serving thread; the view is used under the stub
 * host's monitor.
 */
final class MappedGuestRam implements AutoCloseable
{
    private static final long PAGE = 4096;

    private final Arena arena;
    private final GuestRam ram;

    private MappedGuestRam(final Arena arena, final GuestRam ram)
    {
        this.arena = arena;
        this.ram = ram;
    }

    /**
     * Maps {@code [offset, offset + length)} of {@code file}.
     *
     * @throws IllegalArgumentException (one line) for a range that is not whole pages of at most 2 GiB
     * @throws IOException              (one line) when the file does not open or is shorter than the range
     */
    static MappedGuestRam map(final Path file, final long offset, final long length) throws IOException
    {
        if (offset < 0 || offset % PAGE != 0 || length <= 0 || length % PAGE != 0 || length > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException("guest RAM of " + length + " bytes at offset " + offset +
                " is not whole pages of at most 2 GiB");
        }
        final Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            // A shared mapping past the end would grow the file: the range must already be there.
            final long size = channel.size();
            if (size - length < offset)
            {
                throw new IOException("guest RAM file " + file + " has " + size + " bytes, fewer than offset " + offset +
                    " + length " + length);
            }
            final MemorySegment segment = channel.map(FileChannel.MapMode.READ_WRITE, offset, length, arena);
            return new MappedGuestRam(arena, GuestRam.mapped(segment));
        }
        catch (final IOException | RuntimeException ex)
        {
            arena.close();
            throw ex;
        }
    }

    GuestRam ram()
    {
        return ram;
    }

    /** Unmaps the guest's RAM; the models must not run after. */
    @Override
    public void close()
    {
        arena.close();
    }
}
