package io.javisor.emulation.fuzz;

import io.javisor.emulation.cpu.CpuState;

import java.util.Arrays;

/**
 * One run to compare: where the region's code is, and everything about the hart and its page
 * tables at the start, the step budget, how machine B splits that budget into {@code run} calls,
 * and an optional interrupt line raised at an exact step. Applied to each machine independently
 * by {@link FuzzMachine#start}: the two runs share no objects, only this description.
 */
final class Region
{
    /** For failure reports: which image and region, and how it was made. */
    String name = "region";
    long entry;
    /** The region's code, for the disassembly in a failure report. */
    long codeStart;
    long codeEnd;

    int priv = CpuState.PRIV_M;
    final long[] x = new long[32];
    long mstatus;
    long medeleg;
    long mideleg;
    long mie;
    long mip;
    long mcounteren;
    long scounteren;
    long mscratch;
    long sscratch;
    long mepc;
    long sepc;
    long mcause;
    long scause;
    long mtval;
    long stval;
    long satp;
    long instret;
    long reservation = -1;

    /**
     * Page-table entries written on top of zeroed table pages: (physical address, value) pairs in the
     * first {@link #pteWords} longs.
     */
    long[] ptes = new long[0];
    int pteWords;

    /** Steps (retired instructions, exceptions and interrupts) to run. */
    long budget = 1000;
    /** Step counts after which machine B returns from one run call and starts the next (sorted). */
    long[] cuts = new long[0];
    /** The step before which {@link #interruptBit} is raised on both machines, or -1. */
    long interruptAt = -1;
    int interruptBit;

    Region pte(final long pa, final long value)
    {
        if (pteWords == ptes.length)
        {
            ptes = Arrays.copyOf(ptes, Math.max(16, 2 * ptes.length));
        }
        ptes[pteWords++] = pa;
        ptes[pteWords++] = value;
        return this;
    }

    /** The same code with another start state, to be filled in by the caller. */
    Region sameCode(final String newName)
    {
        final Region r = new Region();
        r.name = newName;
        r.entry = entry;
        r.codeStart = codeStart;
        r.codeEnd = codeEnd;
        r.priv = priv;
        return r;
    }

    @Override
    public String toString()
    {
        final StringBuilder s = new StringBuilder(name).append(": entry=0x").append(Long.toHexString(entry))
            .append(" priv=").append(priv).append(" satp=0x").append(Long.toHexString(satp))
            .append(" mstatus=0x").append(Long.toHexString(mstatus))
            .append(" medeleg=0x").append(Long.toHexString(medeleg))
            .append(" mideleg=0x").append(Long.toHexString(mideleg))
            .append(" mie=0x").append(Long.toHexString(mie)).append(" mip=0x").append(Long.toHexString(mip))
            .append(" budget=").append(budget).append(" B's cuts=").append(Arrays.toString(cuts));
        if (interruptAt >= 0)
        {
            s.append(" interrupt ").append(interruptBit).append(" before step ").append(interruptAt);
        }
        s.append("\n  start registers:");
        for (int i = 1; i < 32; i++)
        {
            s.append(i % 4 == 1 ? "\n    " : "  ").append(String.format("%-4s=0x%016x", ArchitecturalState.abiName(i), x[i]));
        }
        return s.toString();
    }
}
