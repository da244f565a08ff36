package io.javisor.emulation.device.remote;

/** A {@link StubProtocol} message that does not parse or should not have come; the message says what. */
final class StubProtocolViolation extends RuntimeException
{
    StubProtocolViolation(final String message)
    {
        super(message);
    }
}
