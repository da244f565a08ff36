package io.javisor.emulation.sbi;

import io.javisor.emulation.cpu.Bus;
import io.javisor.emulation.cpu.CpuState;
import io.javisor.emulation.cpu.Interpreter;
import io.javisor.emulation.cpu.RamBus;
import io.javisor.emulation.cpu.StopReason;
import io.javisor.memory.FrameAllocator;
import io.javisor.memory.GuestMemory;
import io.javisor.memory.MachineMemory;

/**
 * A hart in S-mode with 64 KiB of RAM at 0x8000_0000, the SBI firmware installed and a
 * {@link RecordingPlatform}; {@link #call} performs an ECALL directly, {@link #run} through the
 * interpreter.
 */
final class SbiMachine implements AutoCloseable
{
    static final long BASE = RamBus.RAM_BASE;
    static final int FRAMES = 16;
    static final long RAM_SIZE = FRAMES * 4096L;
    static final long END = BASE + RAM_SIZE;

    final MachineMemory machine = MachineMemory.anonymous(FRAMES);
    final GuestMemory memory;
    final CpuState cpu = new CpuState();
    final RamBus ram;
    final FaultingBus bus;
    final RecordingPlatform platform = new RecordingPlatform();
    final SbiFirmware firmware;
    final Interpreter interpreter;
    private long cursor;

    SbiMachine()
    {
        final FrameAllocator allocator = new FrameAllocator(machine);
        allocator.setQuota(1, FRAMES);
        memory = GuestMemory.allocate(allocator, 1, FRAMES);
        ram = new RamBus(memory);
        bus = new FaultingBus(ram);
        firmware = new SbiFirmware(bus, platform, BASE, RAM_SIZE);
        interpreter = new Interpreter(cpu, ram);
        // -Djavisor.jit.threshold=0 runs these tests under the translator (tier 1).
        final Integer threshold = Integer.getInteger("javisor.jit.threshold");
        interpreter.setTranslationThreshold(threshold == null ? -1 : threshold);
        interpreter.setFirmware(firmware);
        cpu.priv = CpuState.PRIV_S;
        cpu.pc = BASE;
    }

    /** Set a7 = eid, a6 = fid, a0.. = args, then answer the ECALL as the interpreter would. */
    StopReason call(final long eid, final long fid, final long... args)
    {
        cpu.x[17] = eid;
        cpu.x[16] = fid;
        for (int i = 0; i < args.length; i++)
        {
            cpu.x[10 + i] = args[i];
        }
        return firmware.ecallFromSupervisor(cpu);
    }

    long a0()
    {
        return cpu.x[10];
    }

    long a1()
    {
        return cpu.x[11];
    }

    SbiMachine at(final long offset)
    {
        cursor = offset;
        return this;
    }

    SbiMachine emit(final int... insns)
    {
        for (final int insn : insns)
        {
            memory.putInt(cursor, insn);
            cursor += 4;
        }
        return this;
    }

    SbiMachine bytes(final long offset, final String s)
    {
        for (int i = 0; i < s.length(); i++)
        {
            memory.putByte(offset + i, (byte)s.charAt(i));
        }
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

    /** RAM, plus one physical address that faults on every access (an unbacked hole). */
    static final class FaultingBus implements Bus
    {
        private final Bus inner;
        long faultAt = -1;
        private boolean fault;
        int loads;

        FaultingBus(final Bus inner)
        {
            this.inner = inner;
        }

        private boolean hole(final long pa, final int n)
        {
            if (faultAt >= 0 && pa <= faultAt && faultAt < pa + n)
            {
                fault = true;
                return true;
            }
            return false;
        }

        @Override public long load8(final long pa) { loads++; return hole(pa, 1) ? 0 : inner.load8(pa); }
        @Override public long load16(final long pa) { loads++; return hole(pa, 2) ? 0 : inner.load16(pa); }
        @Override public long load32(final long pa) { loads++; return hole(pa, 4) ? 0 : inner.load32(pa); }
        @Override public long load64(final long pa) { loads++; return hole(pa, 8) ? 0 : inner.load64(pa); }
        @Override public void store8(final long pa, final long v) { if (!hole(pa, 1)) inner.store8(pa, v); }
        @Override public void store16(final long pa, final long v) { if (!hole(pa, 2)) inner.store16(pa, v); }
        @Override public void store32(final long pa, final long v) { if (!hole(pa, 4)) inner.store32(pa, v); }
        @Override public void store64(final long pa, final long v) { if (!hole(pa, 8)) inner.store64(pa, v); }

        @Override
        public boolean takeFault()
        {
            final boolean f = fault | inner.takeFault();
            fault = false;
            return f;
        }
    }
}
