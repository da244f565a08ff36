package io.javisor.emulation.machine;

import io.javisor.emulation.cpu.Interpreter;
import io.javisor.emulation.cpu.RamBus;
import io.javisor.emulation.loader.LoadTarget;
import io.javisor.memory.GuestMemory;

/** Guest RAM at {@link RamBus#RAM_BASE} as a loader target; every write drops pre-decoded code. */
final class GuestRamTarget implements LoadTarget
{
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
        memory.ram().setMemory((int)(physicalAddress - RamBus.RAM_BASE), (int)length, (byte)0);
        interpreter.invalidateCode(physicalAddress, length);
    }

    @Override
    public boolean contains(final long physicalAddress, final long length)
    {
        final long off = physicalAddress - RamBus.RAM_BASE;
        return physicalAddress >= RamBus.RAM_BASE && length >= 0 && off <= memory.size() - length;
    }
}
