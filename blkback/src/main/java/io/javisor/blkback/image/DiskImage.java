package io.javisor.blkback.image;

import java.nio.ByteBuffer;

/**
 * A virtual disk's backing store, as the block back end sees it: a fixed number of bytes (a
 * whole number of 512-byte sectors) addressed by byte offset.
 * <p>
 * IO works on a {@link ByteBuffer} window: the buffer's remaining bytes are the guest frame region
 * to fill ({@link #read}) or drain ({@link #write}), typically a direct buffer from
 * {@code io.javisor.memory.HostMemoryWindow}. Each call transfers exactly those bytes or fails.
 * On success the buffer's position has moved to its limit, as after a channel transfer. A request
 * refused up front ({@link #E_RANGE}, {@link #E_ROFS}) touches neither the image nor the buffer;
 * after {@link #E_IO} the position and the affected bytes are unspecified.
 * <p>
 * IO methods return 0 or a negative errno-style code and never throw for IO errors, so that a back
 * end can answer a failed request with an error response and carry on. They allocate nothing.
 * Implementations are safe for concurrent IO from several threads; {@link #close()} must come after
 * the last IO (a racing request fails with {@link #E_IO}, it does not crash).
 * <p>
 * Images are opened (and all open-time problems reported, as {@link DiskImageException}) by
 * {@link DiskImages#open}; nothing is validated later.
 */
public interface DiskImage extends AutoCloseable
{
    /** Success. */
    int OK = 0;
    /** The backing store failed (EIO): an IOException, a short file, or a closed image. */
    int E_IO = -5;
    /** A write or discard to a read-only image (EROFS). */
    int E_ROFS = -30;
    /** The byte range is negative or reaches past the end of the image (ERANGE). */
    int E_RANGE = -34;
    /** The image cannot do this operation (EOPNOTSUPP). */
    int E_NOTSUP = -95;

    int SECTOR_SIZE = 512;

    long sizeInBytes();

    /**
     * The size in 512-byte sectors, the unit of blkif sector numbers and of the {@code sectors} key.
     */
    default long sectors()
    {
        return sizeInBytes() / SECTOR_SIZE;
    }

    boolean isReadOnly();

    /**
     * Whether IO on this image may block the calling thread on storage (file reads and writes,
     * {@code fsync}, discard): then a back end must not call it from its agent's duty cycle but
     * from an IO executor. False for images whose reads, writes and flushes are memory copies
     * (a large discard of those may still take time: see the back end). True unless an
     * implementation knows better.
     */
    default boolean mayBlock()
    {
        return true;
    }

    /**
     * One line for logs and {@code xl block-list}-like listings, e.g. {@code raw /var/img.raw (rw)}.
     */
    String description();

    /**
     * Fills {@code dst}'s remaining bytes from the image starting at byte {@code offset}.
     *
     * @return {@link #OK}, {@link #E_RANGE} or {@link #E_IO}.
     */
    int read(long offset, ByteBuffer dst);

    /**
     * Writes {@code src}'s remaining bytes to the image starting at byte {@code offset}. The data
     * is acknowledged, not necessarily stable, until {@link #flush()}.
     *
     * @return {@link #OK}, {@link #E_ROFS}, {@link #E_RANGE} or {@link #E_IO}.
     */
    int write(long offset, ByteBuffer src);

    /**
     * Makes every write acknowledged so far stable (blkif FLUSH_DISKCACHE and barriers).
     *
     * @return {@link #OK} or {@link #E_IO}.
     */
    int flush();

    /**
     * Tells the image that [offset, offset + length) is no longer in use; it then reads as zeros.
     *
     * @return {@link #OK}, {@link #E_ROFS}, {@link #E_RANGE}, {@link #E_NOTSUP} or {@link #E_IO}.
     */
    int discard(long offset, long length);

    /**
     * Releases the backing store; without IO errors (a failed close is only logged by callers).
     */
    @Override
    void close();

    /**
     * The range check every implementation applies: [offset, offset + length) lies inside
     * [0, size), written so that no sum can overflow.
     */
    static boolean inRange(final long offset, final long length, final long size)
    {
        return offset >= 0 && length >= 0 && offset <= size && length <= size - offset;
    }

    /**
     * A name for a code, for logs and messages.
     */
    static String errorName(final int code)
    {
        return switch (code)
        {
            case OK -> "OK";
            case E_IO -> "EIO";
            case E_ROFS -> "EROFS";
            case E_RANGE -> "ERANGE";
            case E_NOTSUP -> "EOPNOTSUPP";
            default -> "error " + code;
        };
    }
}
