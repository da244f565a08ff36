package io.javisor.blkback.image;

/**
 * A disk image could not be opened or attached. The message is one line that names the image
 * and says what is wrong, fit to show a user as it is.
 */
public final class DiskImageException extends RuntimeException
{
    public DiskImageException(final String message)
    {
        super(message);
    }

    public DiskImageException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
