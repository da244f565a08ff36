package io.javisor.emulation.device.remote;

/**
 * One device model a stub domain runs: its kind ({@link StubProtocol#KIND_ATA}, {@link StubProtocol#KIND_LAN9118})
 * and the argument it is built from (an ATA disk's xl disk spec, which the stub opens itself; a LAN9118's MAC).
 * Immutable.
 */
public record RemoteDeviceSpec(byte kind, String argument)
{
    public static RemoteDeviceSpec ata(final String diskSpec)
    {
        return new RemoteDeviceSpec(StubProtocol.KIND_ATA, diskSpec);
    }

    /** A LAN9118 answering to {@code mac} (48 bits, first byte most significant). */
    public static RemoteDeviceSpec lan9118(final long mac)
    {
        return new RemoteDeviceSpec(StubProtocol.KIND_LAN9118, String.format("%012x", mac & 0xFFFF_FFFF_FFFFL));
    }

    /** @return a LAN9118's MAC */
    public long mac()
    {
        return Long.parseUnsignedLong(argument, 16);
    }
}
