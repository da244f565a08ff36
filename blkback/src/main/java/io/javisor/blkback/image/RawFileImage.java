package io.javisor.blkback.image;

import io.javisor.memory.blocking.BlockingSection;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * A raw disk image: byte N of the disk is byte N of a regular file, as {@code format=raw} in xl.
 * <p>
 * The size is fixed when the image is opened; every open-time problem (missing file, directory,
 * size that is not whole sectors, permissions) is a {@link DiskImageException} from
 * {@link #open}, and nothing is checked again later. IO is positional {@link FileChannel} reads
 * and writes straight between the file and the caller's window, safe from several threads.
 * <p>
 * NIO closes a channel when a thread blocked in it is interrupted. That must not take the disk
 * away from every other request, so an image whose channel was closed that way (and not by
 * {@link #close()}) opens it again: the interrupted request fails with {@link #E_IO}, others retry
 * once on the new channel.
 * <p>
 * Every operation here may block the calling thread for as long as the storage takes
 * ({@link #mayBlock()}): the block back end runs them on an IO executor, not on its agent.
 * Discard punches holes (see {@link #discard}).
 */
public final class RawFileImage implements DiskImage
{
    private static final int ZERO_CHUNK = 64 * 1024;

    private final Path path;
    private final long size;
    private final boolean readOnly;
    private final ByteBuffer zeros;
    private final HolePuncher puncher;
    private boolean punchSupported = true;
    private volatile FileChannel channel;
    private volatile boolean closed;

    private RawFileImage(final Path path, final FileChannel channel, final long size, final boolean readOnly)
    {
        this.path = path;
        this.channel = channel;
        this.size = size;
        this.readOnly = readOnly;
        this.zeros = readOnly ? null : ByteBuffer.allocateDirect(ZERO_CHUNK);
        this.puncher = readOnly ? null : HolePuncher.open(path);
    }

    /**
     * Opens {@code path} for reading, and for writing unless {@code readOnly}.
     *
     * @throws DiskImageException with a one-line message naming the path.
     */
    public static RawFileImage open(final Path path, final boolean readOnly)
    {
        final BasicFileAttributes attributes;
        try
        {
            attributes = Files.readAttributes(path, BasicFileAttributes.class);
        }
        catch (final NoSuchFileException ex)
        {
            throw new DiskImageException("disk image not found: " + path, ex);
        }
        catch (final IOException ex)
        {
            throw new DiskImageException("disk image " + path + ": " + reason(ex), ex);
        }
        if (attributes.isDirectory())
        {
            throw new DiskImageException("disk image " + path + " is a directory, not an image file");
        }
        if (!attributes.isRegularFile())
        {
            throw new DiskImageException("disk image " + path + " is not a regular file");
        }

        final FileChannel channel;
        try
        {
            channel = openChannel(path, readOnly);
        }
        catch (final NoSuchFileException ex)
        {
            throw new DiskImageException("disk image not found: " + path, ex);
        }
        catch (final AccessDeniedException ex)
        {
            throw new DiskImageException("disk image " + path + ": permission denied" +
                (readOnly ? "" : " for read-write access (access=ro opens it read-only)"), ex);
        }
        catch (final IOException ex)
        {
            throw new DiskImageException("disk image " + path + ": " + reason(ex), ex);
        }

        try
        {
            // The open file's size, not the one read before opening: the path may have been replaced.
            final long size = channel.size();
            if (size % SECTOR_SIZE != 0)
            {
                throw new DiskImageException("disk image " + path + ": size " + size + " is not a multiple of 512");
            }
            if (size == 0)
            {
                throw new DiskImageException("disk image " + path + " is empty (size 0)");
            }
            return new RawFileImage(path, channel, size, readOnly);
        }
        catch (final IOException ex)
        {
            closeQuietly(channel);
            throw new DiskImageException("disk image " + path + ": " + reason(ex), ex);
        }
        catch (final RuntimeException ex)
        {
            closeQuietly(channel);
            throw ex;
        }
    }

    private static FileChannel openChannel(final Path path, final boolean readOnly) throws IOException
    {
        return readOnly ?
            FileChannel.open(path, StandardOpenOption.READ) :
            FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    private static String reason(final IOException ex)
    {
        final String message = ex.getMessage();
        final String text = message == null || message.isBlank() ? ex.getClass().getSimpleName() : message;
        return text.replace('\n', ' ').replace('\r', ' ');
    }

    private static void closeQuietly(final FileChannel channel)
    {
        try
        {
            channel.close();
        }
        catch (final IOException ignored)
        {
            // Already failing for a better reason.
        }
    }

    public Path path()
    {
        return path;
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

    @Override
    public String description()
    {
        return "raw " + path + (readOnly ? " (ro)" : " (rw)");
    }

    @Override
    public int read(final long offset, final ByteBuffer dst)
    {
        final BlockingSection.Compensator blocking = BlockingSection.begin();
        try
        {
            return readFile(offset, dst);
        }
        finally
        {
            BlockingSection.end(blocking);
        }
    }

    private int readFile(final long offset, final ByteBuffer dst)
    {
        if (!DiskImage.inRange(offset, dst.remaining(), size))
        {
            return E_RANGE;
        }
        final int start = dst.position();
        for (int attempt = 0; ; attempt++)
        {
            final FileChannel current = channel;
            try
            {
                long at = offset;
                while (dst.hasRemaining())
                {
                    final int n = current.read(dst, at);
                    if (n < 0)
                    {
                        // The file shrank below the size it had when opened.
                        return E_IO;
                    }
                    at += n;
                }
                return OK;
            }
            catch (final ClosedChannelException ex)
            {
                if (attempt > 0 || !reopenAfterInterrupt(current))
                {
                    return E_IO;
                }
                dst.position(start);
            }
            catch (final IOException ex)
            {
                return E_IO;
            }
        }
    }

    @Override
    public int write(final long offset, final ByteBuffer src)
    {
        final BlockingSection.Compensator blocking = BlockingSection.begin();
        try
        {
            return writeFile(offset, src);
        }
        finally
        {
            BlockingSection.end(blocking);
        }
    }

    private int writeFile(final long offset, final ByteBuffer src)
    {
        if (readOnly)
        {
            return E_ROFS;
        }
        if (!DiskImage.inRange(offset, src.remaining(), size))
        {
            return E_RANGE;
        }
        final int start = src.position();
        for (int attempt = 0; ; attempt++)
        {
            final FileChannel current = channel;
            try
            {
                long at = offset;
                while (src.hasRemaining())
                {
                    at += current.write(src, at);
                }
                return OK;
            }
            catch (final ClosedChannelException ex)
            {
                if (attempt > 0 || !reopenAfterInterrupt(current))
                {
                    return E_IO;
                }
                src.position(start);
            }
            catch (final IOException ex)
            {
                return E_IO;
            }
        }
    }

    /**
     * {@code fsync}: file data and the metadata needed to read it back reach stable storage.
     */
    @Override
    public int flush()
    {
        final BlockingSection.Compensator blocking = BlockingSection.begin();
        try
        {
            return forceFile();
        }
        finally
        {
            BlockingSection.end(blocking);
        }
    }

    private int forceFile()
    {
        if (readOnly)
        {
            return OK;
        }
        for (int attempt = 0; ; attempt++)
        {
            final FileChannel current = channel;
            try
            {
                current.force(true);
                return OK;
            }
            catch (final ClosedChannelException ex)
            {
                if (attempt > 0 || !reopenAfterInterrupt(current))
                {
                    return E_IO;
                }
            }
            catch (final IOException ex)
            {
                return E_IO;
            }
        }
    }

    /**
     * Punches a hole over the range ({@code fallocate(PUNCH_HOLE | KEEP_SIZE)}): the blocks go back
     * to the file system, the range reads as zeros and the file keeps its size. This is a system
     * call that may take a while on a large allocated range, so a back end calls it from an IO
     * executor, never from its agent's duty cycle.
     * <p>
     * Fallback, where the file system refuses ({@code EOPNOTSUPP}, remembered for later discards)
     * or the file could not be opened for punching: zeros are written over the range in 64 KiB
     * writes from one buffer per image (so discards of one image are serialised with each other),
     * checking between chunks that the image is still open. The file then keeps (or gains) its
     * allocation; the data still reads as zeros, which is all a discard promises.
     */
    @Override
    public int discard(final long offset, final long length)
    {
        final BlockingSection.Compensator blocking = BlockingSection.begin();
        try
        {
            return discardFile(offset, length);
        }
        finally
        {
            BlockingSection.end(blocking);
        }
    }

    private int discardFile(final long offset, final long length)
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
        if (length == 0)
        {
            return OK;
        }
        final HolePuncher puncher = this.puncher;
        if (puncher != null && punchSupported)
        {
            final int errno = puncher.punch(offset, length);
            if (errno == 0)
            {
                return OK;
            }
            if (errno != HolePuncher.EOPNOTSUPP)
            {
                return E_IO;
            }
            // Racy plain store: at worst another discard tries the punch once more.
            punchSupported = false;
        }
        return writeZeros(offset, length);
    }

    /**
     * Whether {@link #discard} releases blocks (false: it writes zeros).
     */
    public boolean punchesHoles()
    {
        return puncher != null && punchSupported;
    }

    private int writeZeros(final long offset, final long length)
    {
        synchronized (zeros)
        {
            final FileChannel current = channel;
            try
            {
                long at = offset;
                final long end = offset + length;
                while (at < end)
                {
                    if (closed)
                    {
                        return E_IO;
                    }
                    zeros.limit((int)Math.min(ZERO_CHUNK, end - at)).position(0);
                    while (zeros.hasRemaining())
                    {
                        at += current.write(zeros, at);
                    }
                }
                return OK;
            }
            catch (final ClosedChannelException ex)
            {
                reopenAfterInterrupt(current);
                return E_IO;
            }
            catch (final IOException ex)
            {
                return E_IO;
            }
        }
    }

    /**
     * Replaces {@code failed} with a freshly opened channel unless the image was closed or another
     * thread already did it.
     *
     * @return true when a usable channel is in place and the caller may retry.
     */
    private synchronized boolean reopenAfterInterrupt(final FileChannel failed)
    {
        if (closed || Thread.currentThread().isInterrupted())
        {
            if (!closed && channel == failed)
            {
                // This thread was interrupted; open the channel for the others, then fail this request.
                tryReopen();
            }
            return false;
        }
        return channel != failed || tryReopen();
    }

    private boolean tryReopen()
    {
        try
        {
            channel = openChannel(path, readOnly);
            return true;
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    @Override
    public synchronized void close()
    {
        if (!closed)
        {
            closed = true;
            closeQuietly(channel);
            if (puncher != null)
            {
                puncher.close();
            }
        }
    }

    @Override
    public String toString()
    {
        return description();
    }
}
