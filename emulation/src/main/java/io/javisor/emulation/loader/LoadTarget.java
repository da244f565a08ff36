package io.javisor.emulation.loader;

/**
 * Guest-physical memory as seen by {@link ElfLoader}.
 */
public interface LoadTarget
{
    /**
     * Copy {@code length} bytes of {@code src} starting at {@code offset} to guest-physical memory.
     */
    void write(long physicalAddress, byte[] src, int offset, int length);

    /**
     * Fill {@code length} bytes of guest-physical memory with zero.
     */
    void zero(long physicalAddress, long length);

    /**
     * Whether the whole range {@code [physicalAddress, physicalAddress + length)} is backed by this target.
     * Called before any write, with a range that does not wrap around 2^64.
     */
    boolean contains(long physicalAddress, long length);
}
