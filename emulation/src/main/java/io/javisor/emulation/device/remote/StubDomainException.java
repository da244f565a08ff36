package io.javisor.emulation.device.remote;

/**
 * The stub domain serving a guest's device models is gone, failed or broke the protocol: the guest
 * cannot go on. Thrown on the vCPU thread from a register access or a poll, it ends the machine's run
 * as a crash whose reason is this message.
 */
public final class StubDomainException extends RuntimeException
{
    public StubDomainException(final String message)
    {
        super(message);
    }
}
