package io.javisor.emulation.loader;

import java.util.Arrays;

/** Guest-physical memory for tests: one byte[] at a base address, pre-filled with a marker. */
final class ByteArrayLoadTarget implements LoadTarget
{
    static final byte MARKER = (byte)0xAA;

    final long base;
    final byte[] memory;

    ByteArrayLoadTarget(final long base, final int size)
    {
        this.base = base;
        this.memory = new byte[size];
        Arrays.fill(memory, MARKER);
    }

    @Override
    public boolean contains(final long physicalAddress, final long length)
    {
        final long offset = physicalAddress - base;
        return Long.compareUnsigned(physicalAddress, base) >= 0 && length >= 0
            && Long.compareUnsigned(offset, memory.length) <= 0 && length <= memory.length - offset;
    }

    @Override
    public void write(final long physicalAddress, final byte[] src, final int offset, final int length)
    {
        System.arraycopy(src, offset, memory, index(physicalAddress), length);
    }

    @Override
    public void zero(final long physicalAddress, final long length)
    {
        final int from = index(physicalAddress);
        Arrays.fill(memory, from, Math.addExact(from, Math.toIntExact(length)), (byte)0);
    }

    byte at(final long physicalAddress)
    {
        return memory[index(physicalAddress)];
    }

    private int index(final long physicalAddress)
    {
        return Math.toIntExact(physicalAddress - base);
    }
}
