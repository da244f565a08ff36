package io.javisor.ringio.xenstore;

import java.io.Serial;

/**
 * A XenStore operation failed; {@link #error()} says why, as Xen's xenstored would.
 */
public final class XenStoreException extends RuntimeException
{
    @Serial
    private static final long serialVersionUID = 1L;

    private final XenStoreError error;

    public XenStoreException(final XenStoreError error, final String message)
    {
        super(error.name() + ": " + message);
        this.error = error;
    }

    /**
     * @return the errno-like reason for the failure.
     */
    public XenStoreError error()
    {
        return error;
    }
}
