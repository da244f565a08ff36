package io.javisor.core;

/**
 * A domain could not be built; nothing of it is left behind.
 */
public final class DomainCreationException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    public DomainCreationException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
