package io.javisor.emulation.device.remote;

/**
 * One device model a stub domain runs: its kind ({@link StubProtocol#KIND_ATA}) and the argument it is
 * built from (for an ATA disk, its xl disk spec, which the stub opens itself). Immutable.
 */
public record RemoteDeviceSpec(byte kind, String argument)
{
    public static RemoteDeviceSpec ata(final String diskSpec)
    {
        return new RemoteDeviceSpec(StubProtocol.KIND_ATA, diskSpec);
    }
}
