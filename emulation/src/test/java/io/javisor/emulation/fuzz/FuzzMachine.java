package io.javisor.emulation.fuzz;

import io.javisor.emulation.board.PlatformBus;
import io.javisor.emulation.cpu.CpuState;
import io.javisor.emulation.cpu.Interpreter;
import io.javisor.emulation.cpu.StopReason;
import io.javisor.memory.FrameAllocator;
import io.javisor.memory.GuestMemory;
import io.javisor.memory.MachineMemory;

import java.util.Arrays;

import static io.javisor.emulation.fuzz.FuzzLayout.BASE;
import static io.javisor.emulation.fuzz.FuzzLayout.PAGE;

/**
 * One side of the comparison: its own machine memory, guest RAM, bus (RAM plus a
 * {@link ScratchDevice}), hart state and {@link Interpreter} with its own translation threshold.
 * Nothing is shared with the other side. Reused from region to region: {@link #start} resets the
 * hart and the page tables in place, and the harness restores the RAM bytes a region changed.
 */
final class FuzzMachine implements AutoCloseable
{
    final String name;
    final MachineMemory machine = MachineMemory.anonymous(FuzzLayout.PAGES);
    final GuestMemory memory;
    final ScratchDevice device = new ScratchDevice();
    final CpuState cpu = new CpuState();
    final Interpreter interpreter;
    final ArchitecturalState state = new ArchitecturalState();
    /** A copy of RAM, for {@link #load}. */
    private final byte[] scratch = new byte[FuzzLayout.RAM_SIZE];

    FuzzMachine(final String name, final int translationThreshold)
    {
        this.name = name;
        final FrameAllocator allocator = new FrameAllocator(machine);
        allocator.setQuota(1, FuzzLayout.PAGES);
        memory = GuestMemory.allocate(allocator, 1, FuzzLayout.PAGES);
        final PlatformBus bus = new PlatformBus(memory).map(FuzzLayout.MMIO, device);
        interpreter = new Interpreter(cpu, bus);
        interpreter.setTranslationThreshold(translationThreshold);
    }

    /**
     * Load a whole image, behind the hart's back: only the bytes that differ from RAM are written and
     * reported, so translations of code the image shares with the last one (the trap handlers) stay.
     */
    void load(final byte[] image)
    {
        memory.getBytes(0, scratch, 0, scratch.length);
        restore(scratch, image, 0, image.length);
    }

    /**
     * Make RAM {@code [from, to)} equal to {@code target}, given {@code current}, a copy of what RAM holds
     * there: each run of differing bytes is written and reported to the interpreter, so that only the
     * translations of changed code are dropped (a translator must not need more to stay exact).
     */
    void restore(final byte[] current, final byte[] target, final int from, final int to)
    {
        int at = from;
        while (at < to)
        {
            final int first = Arrays.mismatch(current, at, to, target, at, to);
            if (first < 0)
            {
                return;
            }
            final int start = at + first;
            int end = start + 1;
            while (end < to && current[end] != target[end])
            {
                end++;
            }
            memory.putBytes(start, target, start, end - start);
            interpreter.invalidateCode(BASE + start, end - start);
            at = end;
        }
    }

    /** Put the hart, its page tables and the device into the region's start state. */
    void start(final Region r, final byte[] devicePattern)
    {
        final long[] ptes = r.ptes;
        for (int i = 0; i < r.pteWords; i += 2)
        {
            memory.putLong(ptes[i] - BASE, ptes[i + 1]);
        }
        if (r.pteWords > 0)
        {
            interpreter.invalidateCode(FuzzLayout.ROOT, 3L * PAGE);
        }
        final CpuState c = cpu;
        System.arraycopy(r.x, 1, c.x, 1, 31);
        c.pc = r.entry;
        c.instret = r.instret;
        c.priv = r.priv;
        c.mstatus = 0;
        c.writeMstatus(r.mstatus);
        c.mtvec = FuzzLayout.M_HANDLER;
        c.stvec = FuzzLayout.S_HANDLER;
        c.mepc = r.mepc;
        c.mcause = r.mcause;
        c.mtval = r.mtval;
        c.mscratch = r.mscratch;
        c.medeleg = r.medeleg & CpuState.MEDELEG_WRITABLE;
        c.mideleg = r.mideleg & CpuState.IRQ_S_ALL;
        c.mie = r.mie & CpuState.IRQ_ALL;
        c.mip = r.mip & CpuState.IRQ_ALL;
        c.mcounteren = r.mcounteren & 7;
        c.scounteren = r.scounteren & 7;
        c.sepc = r.sepc;
        c.scause = r.scause;
        c.stval = r.stval;
        c.sscratch = r.sscratch;
        c.satp = r.satp;
        c.reservation = r.reservation;
        c.pmpcfg[0] = 0;
        c.pmpcfg[1] = 0;
        Arrays.fill(c.pmpaddr, 0);
        interpreter.flushTlb();
        device.reset(devicePattern);
    }

    /**
     * Run the region's budget in one call per segment: segments end at each of {@code cuts} and
     * at the region's interrupt step, where the line is raised. Stops at the first segment that
     * ends for any reason but the budget.
     */
    StopReason run(final Region r, final long[] cuts)
    {
        long done = 0;
        int next = 0;
        StopReason stop = StopReason.BUDGET_EXHAUSTED;
        while (done < r.budget)
        {
            if (done == r.interruptAt)
            {
                cpu.setPending(r.interruptBit, true);
            }
            long end = r.budget;
            while (next < cuts.length && cuts[next] <= done)
            {
                next++;
            }
            if (next < cuts.length && cuts[next] < end)
            {
                end = cuts[next];
            }
            if (r.interruptAt > done && r.interruptAt < end)
            {
                end = r.interruptAt;
            }
            stop = interpreter.run(end - done);
            if (stop != StopReason.BUDGET_EXHAUSTED)
            {
                return stop;
            }
            done = end;
        }
        return stop;
    }

    ArchitecturalState capture(final StopReason stop)
    {
        return state.capture(cpu, stop);
    }

    @Override
    public void close()
    {
        memory.close();
        machine.close();
    }
}
