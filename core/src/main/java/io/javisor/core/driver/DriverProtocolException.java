package io.javisor.core.driver;

/**
 * A message on a driver domain's channel that breaks {@link DriverProtocol}: the connection is
 * dropped. The message says what was wrong in one line.
 */
public final class DriverProtocolException extends Exception
{
    public DriverProtocolException(final String message)
    {
        super(message);
    }
}
