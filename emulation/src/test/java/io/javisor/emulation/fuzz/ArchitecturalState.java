package io.javisor.emulation.fuzz;

import io.javisor.emulation.cpu.CpuState;
import io.javisor.emulation.cpu.StopReason;

/**
 * Everything a guest could observe of one hart after a run, as named values: x1..x31, pc,
 * instret, privilege, every CSR the hart keeps, the LR/SC reservation, and why the run stopped.
 * Two states are equal when every value is; {@link #diff} names each one that is not.
 */
final class ArchitecturalState
{
    private static final String[] ABI = {
        "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4", "a5",
        "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6"};

    static final String[] NAMES;

    static
    {
        final String[] csrs = {
            "pc", "instret", "priv", "stop", "mstatus", "mcause", "mepc", "mtval", "scause", "sepc", "stval",
            "mscratch", "sscratch", "mtvec", "stvec", "medeleg", "mideleg", "mie", "mip", "mcounteren",
            "scounteren", "satp", "reservation", "pmpcfg0", "pmpcfg2"};
        NAMES = new String[31 + csrs.length + 16];
        for (int i = 1; i < 32; i++)
        {
            NAMES[i - 1] = "x" + i + "/" + ABI[i];
        }
        System.arraycopy(csrs, 0, NAMES, 31, csrs.length);
        for (int i = 0; i < 16; i++)
        {
            NAMES[31 + csrs.length + i] = "pmpaddr" + i;
        }
    }

    final long[] values = new long[NAMES.length];

    static String abiName(final int reg)
    {
        return ABI[reg];
    }

    /** Capture {@code cpu} in place (no allocation: the harness reuses one object per machine). */
    ArchitecturalState capture(final CpuState cpu, final StopReason stop)
    {
        final long[] v = values;
        System.arraycopy(cpu.x, 1, v, 0, 31);
        int i = 31;
        v[i++] = cpu.pc;
        v[i++] = cpu.instret;
        v[i++] = cpu.priv;
        v[i++] = stop.ordinal();
        v[i++] = cpu.mstatus();
        v[i++] = cpu.mcause;
        v[i++] = cpu.mepc;
        v[i++] = cpu.mtval;
        v[i++] = cpu.scause;
        v[i++] = cpu.sepc;
        v[i++] = cpu.stval;
        v[i++] = cpu.mscratch;
        v[i++] = cpu.sscratch;
        v[i++] = cpu.mtvec;
        v[i++] = cpu.stvec;
        v[i++] = cpu.medeleg;
        v[i++] = cpu.mideleg;
        v[i++] = cpu.mie;
        v[i++] = cpu.mip;
        v[i++] = cpu.mcounteren;
        v[i++] = cpu.scounteren;
        v[i++] = cpu.satp;
        v[i++] = cpu.reservation;
        v[i++] = cpu.pmpcfg[0];
        v[i++] = cpu.pmpcfg[1];
        System.arraycopy(cpu.pmpaddr, 0, v, i, 16);
        return this;
    }

    long get(final String name)
    {
        for (int i = 0; i < NAMES.length; i++)
        {
            if (NAMES[i].equals(name) || NAMES[i].endsWith("/" + name))
            {
                return values[i];
            }
        }
        throw new IllegalArgumentException(name);
    }

    boolean sameAs(final ArchitecturalState other)
    {
        return java.util.Arrays.equals(values, other.values);
    }

    /** One line per differing value: {@code name: A=0x.. B=0x..}; empty when equal. */
    String diff(final ArchitecturalState other, final String nameA, final String nameB)
    {
        final StringBuilder s = new StringBuilder();
        for (int i = 0; i < NAMES.length; i++)
        {
            if (values[i] != other.values[i])
            {
                s.append(String.format("  %-12s %s=%s  %s=%s%n", NAMES[i], nameA, render(i, values[i]), nameB,
                    render(i, other.values[i])));
            }
        }
        return s.toString();
    }

    private static String render(final int index, final long value)
    {
        if (NAMES[index].equals("stop"))
        {
            return StopReason.values()[(int)value].name();
        }
        if (NAMES[index].equals("priv"))
        {
            return value == CpuState.PRIV_M ? "M" : value == CpuState.PRIV_S ? "S" : value == CpuState.PRIV_U ? "U" : "?" + value;
        }
        return String.format("0x%016x (%d)", value, value);
    }

    @Override
    public String toString()
    {
        final StringBuilder s = new StringBuilder();
        for (int i = 0; i < NAMES.length; i++)
        {
            s.append(String.format("%-12s %s%n", NAMES[i], render(i, values[i])));
        }
        return s.toString();
    }
}
