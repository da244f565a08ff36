package io.javisor.memory;

/**
 * A domain asked for more frames than its quota or the machine pool allows.
 */
public final class GuestMemoryAllocationException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    public GuestMemoryAllocationException(final String message)
    {
        super(message);
    }
}
