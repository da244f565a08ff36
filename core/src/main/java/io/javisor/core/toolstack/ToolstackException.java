package io.javisor.core.toolstack;

/** A toolstack command that cannot be carried out: its message is the one line the user sees. */
public final class ToolstackException extends RuntimeException
{
    public ToolstackException(final String message)
    {
        super(message, null, false, false);
    }
}
