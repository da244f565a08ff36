package io.javisor.emulation.device.virtio;

/**
 * Counters of one virtio-mmio transport: register exits (every read or write of the register window
 * is one guest trap), queue notifies, interrupts raised and device errors. Together with the device's
 * own IO count they give the exits per IO.
 * <p>
 * Single writer: the vCPU thread. Other threads read recent values (the fields are volatile and only
 * ever incremented by that one thread, so no update is lost).
 */
public final class VirtioMmioStatistics
{
    volatile long registerReads;
    volatile long registerWrites;
    volatile long notifies;
    volatile long interrupts;
    volatile long deviceErrors;
    volatile long resets;

    /** @return register accesses that trapped into the device model. */
    public long registerExits()
    {
        return registerReads + registerWrites;
    }

    public long registerReads()
    {
        return registerReads;
    }

    public long registerWrites()
    {
        return registerWrites;
    }

    /** @return QueueNotify writes (a subset of the register exits). */
    public long notifies()
    {
        return notifies;
    }

    /** @return times the device raised its interrupt line for used buffers or a config change. */
    public long interrupts()
    {
        return interrupts;
    }

    /** @return times the device went into DEVICE_NEEDS_RESET because of what the driver did. */
    public long deviceErrors()
    {
        return deviceErrors;
    }

    /** @return writes of 0 to Status. */
    public long resets()
    {
        return resets;
    }

    @Override
    public String toString()
    {
        return "exits=" + registerExits() + " notifies=" + notifies + " interrupts=" + interrupts +
            " errors=" + deviceErrors + " resets=" + resets;
    }
}
