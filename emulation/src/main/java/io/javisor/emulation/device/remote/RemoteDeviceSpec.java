package io.javisor.emulation.device.remote;

/**
 * One device model a stub domain runs: its kind ({@link StubProtocol#KIND_ATA}, {@link StubProtocol#KIND_LAN9118},
 * {@link StubProtocol#KIND_VIRTIO_BLK}, {@link StubProtocol#KIND_VIRTIO_NET}) and the argument it is built from
 * (a disk's xl disk spec, which the stub opens itself; a NIC's MAC). Immutable.
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

    /** A virtio-blk on the disk {@code diskSpec} names (xl syntax), its GET_ID answering the spec's vdev. */
    public static RemoteDeviceSpec virtioBlk(final String diskSpec)
    {
        return new RemoteDeviceSpec(StubProtocol.KIND_VIRTIO_BLK, diskSpec);
    }

    /** A virtio-net answering to {@code mac} (48 bits, first byte most significant). */
    public static RemoteDeviceSpec virtioNet(final long mac)
    {
        return new RemoteDeviceSpec(StubProtocol.KIND_VIRTIO_NET, String.format("%012x", mac & 0xFFFF_FFFF_FFFFL));
    }

    /** @return whether the device is a NIC (a LAN9118 or a virtio-net), whose frames cross the events channel */
    public boolean isNic()
    {
        return StubProtocol.isNic(kind);
    }

    /** @return whether the device DMAs into guest RAM (virtio), which the stub must map */
    public boolean needsGuestRam()
    {
        return StubProtocol.needsGuestRam(kind);
    }

    /** @return a NIC's MAC */
    public long mac()
    {
        return Long.parseUnsignedLong(argument, 16);
    }
}
