package io.javisor.emulation.machine;

import io.javisor.emulation.cpu.Interpreter;
import io.javisor.emulation.cpu.RamBus;
import io.javisor.emulation.loader.LoadTarget;
import io.javisor.memory.GuestMemory;

/** Guest RAM at {@link RamBus#RAM_BASE} as a loader target; every write drops pre-decoded code. */
final class GuestRamTarget implements LoadTarget
{
    private static final byte[] ZEROS = new byte[64 * 1024];

    private final GuestMemory memory;
    private final Interpreter interpreter;

    GuestRamTarget(final GuestMemory memory, final Interpreter interpreter)
    {
        this.memory = memory;
        this.interpreter = interpreter;
    }

    @Override
    public void write(final long physicalAddress, final byte[] src, final int offset, final int length)
    {
        memory.putBytes(physicalAddress - RamBus.RAM_BASE, src, offset, length);
        interpreter.invalidateCode(physicalAddress, length);
    }

    @Override
    public void zero(final long physicalAddress, final long length)
    {
        // Chunked through the per-range accessor: RAM may be larger than one 2 GiB buffer view.
        final long start = physicalAddress - RamBus.RAM_BASE;
        for (long done = 0; done < length; done += ZEROS.length)
        {
            memory.putBytes(start + done, ZEROS, 0, (int)Math.min(ZEROS.length, length - done));
        }
        interpreter.invalidateCode(physicalAddress, length);
    }

    @Override
    public boolean contains(final long physicalAddress, final long length)
    {
        final long off = physicalAddress - RamBus.RAM_BASE;
        return physicalAddress >= RamBus.RAM_BASE && length >= 0 && off <= memory.size() - length;
    }
}
