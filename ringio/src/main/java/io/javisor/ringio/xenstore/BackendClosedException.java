package io.javisor.ringio.xenstore;

/**
 * The back end closed the device on purpose (a detach: it went Closing, or wrote {@code online = 0}),
 * so a front end that follows restarts does not wait for a next instance: it has answered with
 * Closed and its device is gone. Immutable.
 */
public final class BackendClosedException extends IllegalStateException
{
    private static final long serialVersionUID = 1L;

    public BackendClosedException(final String message)
    {
        super(message);
    }
}
