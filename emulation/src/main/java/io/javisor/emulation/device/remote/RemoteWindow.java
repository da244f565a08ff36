package io.javisor.emulation.device.remote;

import io.javisor.emulation.board.MmioDevice;

/**
 * A register window of a device model that runs in a stub domain, as the guest's platform bus sees
 * it: every read and write is a round trip to the stub ({@link RemoteDeviceModels#access}); which
 * accesses are legal the stub said once at set-up, so {@link #supports} answers here.
 * <p>
 * <b>Threading: as the bus, on the vCPU thread only.</b> Immutable apart from the channel it uses.
 */
public final class RemoteWindow implements MmioDevice
{
    private final RemoteDeviceModels models;
    private final int index;
    private final int device;
    private final String name;
    private final int size;
    /** Bit {@link StubProtocol#accessBit} set: the access is legal. Invariant: covers 4 * size bits. */
    private final byte[] accessBitmap;

    RemoteWindow(final RemoteDeviceModels models, final int index, final int device, final String name, final int size,
        final byte[] accessBitmap)
    {
        this.models = models;
        this.index = index;
        this.device = device;
        this.name = name;
        this.size = size;
        this.accessBitmap = accessBitmap;
    }

    int index()
    {
        return index;
    }

    /** @return the device (and so the interrupt line) the window belongs to */
    int device()
    {
        return device;
    }

    @Override
    public long size()
    {
        return size;
    }

    @Override
    public String name()
    {
        return name;
    }

    @Override
    public boolean supports(final long offset, final int size)
    {
        if (offset < 0 || offset >= this.size || Integer.bitCount(size) != 1 || size > 8)
        {
            return false;
        }
        final int bit = StubProtocol.accessBit(offset, size);
        return (accessBitmap[bit >>> 3] & 1 << (bit & 7)) != 0;
    }

    @Override
    public long read(final long offset, final int size)
    {
        return models.access(this, StubProtocol.READ, offset, size, 0);
    }

    @Override
    public void write(final long offset, final int size, final long value)
    {
        models.access(this, StubProtocol.WRITE, offset, size, value);
    }
}
