package io.javisor.emulation.board;

/**
 * A memory-mapped device model. Offsets are relative to the device's base; {@link PlatformBus}
 * guarantees {@code offset + size <= size()} and only calls {@link #read}/{@link #write} when
 * {@link #supports} agrees, so a device never has to signal a fault itself. Every call is one
 * guest trap into the device model.
 */
public interface MmioDevice
{
    /** @return the length in bytes of the device's register window. */
    long size();

    /** @return a short name for reports (exits by device). */
    default String name()
    {
        return getClass().getSimpleName();
    }

    /**
     * @return whether an access of {@code size} bytes (1, 2, 4 or 8) at {@code offset} is legal;
     * when not, the bus raises an access fault instead of calling the device.
     */
    default boolean supports(final long offset, final int size)
    {
        return true;
    }

    /** @return the value read, zero-extended. */
    long read(long offset, int size);

    void write(long offset, int size, long value);
}
