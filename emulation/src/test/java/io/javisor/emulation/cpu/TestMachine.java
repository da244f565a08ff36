package io.javisor.emulation.cpu;

import io.javisor.emulation.board.MmioDevice;
import io.javisor.emulation.board.PlatformBus;
import io.javisor.memory.FrameAllocator;
import io.javisor.memory.GuestMemory;
import io.javisor.memory.MachineMemory;

/** A hart with 64 KiB of RAM at 0x8000_0000 and a cursor for laying out test programs. */
final class TestMachine implements AutoCloseable
{
    static final long BASE = RamBus.RAM_BASE;
    static final int FRAMES = 16;

    final MachineMemory machine = MachineMemory.anonymous(FRAMES);
    final GuestMemory memory;
    final CpuState cpu = new CpuState();
    final Interpreter interpreter;
    private long cursor;

    TestMachine()
    {
        this(0, null);
    }

    /** With {@code device} mapped at physical {@code base} on a platform bus (null: RAM only). */
    TestMachine(final long base, final MmioDevice device)
    {
        final FrameAllocator allocator = new FrameAllocator(machine);
        allocator.setQuota(1, FRAMES);
        memory = GuestMemory.allocate(allocator, 1, FRAMES);
        interpreter = new Interpreter(cpu, device == null ? new RamBus(memory) : new PlatformBus(memory).map(base, device));
        // -Djavisor.jit.threshold=0 runs these tests under the translator (tier 1).
        final Integer threshold = Integer.getInteger("javisor.jit.threshold");
        interpreter.setTranslationThreshold(threshold == null ? -1 : threshold);
        cpu.pc = BASE;
    }

    /** Move the assembly cursor to a RAM offset. */
    TestMachine at(final long offset)
    {
        cursor = offset;
        return this;
    }

    /** Append 32-bit instructions. */
    TestMachine emit(final int... insns)
    {
        for (final int insn : insns)
        {
            memory.putInt(cursor, insn);
            // Written behind the CPU's back, like a loader: drop what it had pre-decoded there.
            interpreter.invalidateCode(BASE + cursor, 4);
            cursor += 4;
        }
        return this;
    }

    /** Append 16-bit instructions. */
    TestMachine emitC(final short... insns)
    {
        for (final short insn : insns)
        {
            memory.putShort(cursor, insn);
            interpreter.invalidateCode(BASE + cursor, 2);
            cursor += 2;
        }
        return this;
    }

    long x(final int reg)
    {
        return cpu.x[reg];
    }

    TestMachine set(final int reg, final long value)
    {
        cpu.x[reg] = value;
        return this;
    }

    StopReason run(final long budget)
    {
        return interpreter.run(budget);
    }

    @Override
    public void close()
    {
        memory.close();
        machine.close();
    }
}
