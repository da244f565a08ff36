package io.javisor.emulation.cpu;

import static io.javisor.emulation.cpu.TestMachine.BASE;
import static io.javisor.emulation.isa.Asm.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The CSRs a kernel probes without needing them: debug triggers (none implemented), the
 * environment configuration registers, mcountinhibit, and the HPM counters and events (read-only
 * zero), with the user shadows gated by mcounteren and scounteren as the privileged spec says.
 */
class CounterAndTriggerCsrTest
{
    private static final int SRC = 5;
    private static final int DST = 6;
    private static final long[] ANY = { 0, 1, 2, 3, 0x7FFF, -1L, 0x8000_0000_0000_0000L };

    private final TestMachine m = new TestMachine();

    @AfterEach
    void close()
    {
        m.close();
    }

    @Test
    void tselectReadsBackZeroAndTdata1SaysNoTriggerThere()
    {
        for (final long value : ANY)
        {
            assertTrue(legal(CpuState.PRIV_M, csrrw(0, Interpreter.CSR_TSELECT, SRC), value));
            assertEquals(0, read(CpuState.PRIV_M, Interpreter.CSR_TSELECT), "tselect after writing " + value);
            assertEquals(0, read(CpuState.PRIV_M, Interpreter.CSR_TDATA1), "tdata1.type = 0: no trigger");
            for (final int tdata : new int[]{ Interpreter.CSR_TDATA1, Interpreter.CSR_TDATA2, Interpreter.CSR_TDATA3 })
            {
                assertTrue(legal(CpuState.PRIV_M, csrrw(0, tdata, SRC), value));
                assertEquals(0, read(CpuState.PRIV_M, tdata), Integer.toHexString(tdata));
            }
        }
        assertEquals(1, read(CpuState.PRIV_M, Interpreter.CSR_TINFO), "tinfo: only type 0 (none)");
        for (final int priv : new int[]{ CpuState.PRIV_S, CpuState.PRIV_U })
        {
            for (int csr = Interpreter.CSR_TSELECT; csr <= Interpreter.CSR_TINFO; csr++)
            {
                assertFalse(legal(priv, csrrs(DST, csr, 0), 0), "M-only trigger CSR 0x" + Integer.toHexString(csr));
            }
        }
    }

    @Test
    void envcfgAndMcountinhibitAreReadOnlyZeroAtTheirPrivilege()
    {
        for (final int csr : new int[]{ Interpreter.CSR_MENVCFG, Interpreter.CSR_SENVCFG, Interpreter.CSR_MCOUNTINHIBIT })
        {
            assertTrue(legal(CpuState.PRIV_M, csrrw(0, csr, SRC), -1L));
            assertEquals(0, read(CpuState.PRIV_M, csr), Integer.toHexString(csr));
        }
        assertTrue(legal(CpuState.PRIV_S, csrrw(0, Interpreter.CSR_SENVCFG, SRC), -1L));
        assertEquals(0, read(CpuState.PRIV_S, Interpreter.CSR_SENVCFG));
        assertFalse(legal(CpuState.PRIV_S, csrrs(DST, Interpreter.CSR_MENVCFG, 0), 0));
        assertFalse(legal(CpuState.PRIV_S, csrrs(DST, Interpreter.CSR_MCOUNTINHIBIT, 0), 0));
        assertFalse(legal(CpuState.PRIV_U, csrrs(DST, Interpreter.CSR_SENVCFG, 0), 0));
    }

    @Test
    void hpmCountersAndEventsExistAsZeroInMachineMode()
    {
        for (int n = 3; n <= 31; n++)
        {
            for (final int csr : new int[]{ Interpreter.CSR_MHPMCOUNTER3 + n - 3, Interpreter.CSR_MHPMEVENT3 + n - 3 })
            {
                assertTrue(legal(CpuState.PRIV_M, csrrw(0, csr, SRC), -1L), Integer.toHexString(csr));
                assertEquals(0, read(CpuState.PRIV_M, csr), Integer.toHexString(csr));
            }
            m.cpu.mcounteren = 0;
            m.cpu.scounteren = 0;
            assertEquals(0, read(CpuState.PRIV_M, Interpreter.CSR_HPMCOUNTER3 + n - 3), "M ignores the counteren bits");
            assertFalse(legal(CpuState.PRIV_M, csrrw(0, Interpreter.CSR_HPMCOUNTER3 + n - 3, SRC), 1), "user counters are read-only");
        }
        assertFalse(legal(CpuState.PRIV_M, csrrs(DST, 0xC20, 0), 0), "no counter 32");
        assertFalse(legal(CpuState.PRIV_M, csrrs(DST, 0xB20, 0), 0), "no mhpmcounter32");
    }

    @Test
    void counterenRegistersHoldAllThirtyTwoBits()
    {
        assertTrue(legal(CpuState.PRIV_M, csrrw(0, Interpreter.CSR_MCOUNTEREN, SRC), -1L));
        assertEquals(0xFFFF_FFFFL, read(CpuState.PRIV_M, Interpreter.CSR_MCOUNTEREN));
        assertTrue(legal(CpuState.PRIV_S, csrrw(0, Interpreter.CSR_SCOUNTEREN, SRC), -1L));
        assertEquals(0xFFFF_FFFFL, read(CpuState.PRIV_S, Interpreter.CSR_SCOUNTEREN));
    }

    @Test
    void userShadowsFollowMcounterenInSupervisorAndBothInUser()
    {
        for (int n = 0; n <= 31; n++)
        {
            final int csr = Interpreter.CSR_CYCLE + n;
            final long bit = 1L << n;
            m.cpu.mcounteren = ~bit & 0xFFFF_FFFFL;
            m.cpu.scounteren = 0xFFFF_FFFFL;
            assertFalse(legal(CpuState.PRIV_S, csrrs(DST, csr, 0), 0), "S, mcounteren bit clear: " + n);
            assertFalse(legal(CpuState.PRIV_U, csrrs(DST, csr, 0), 0), "U, mcounteren bit clear: " + n);
            m.cpu.mcounteren = bit;
            m.cpu.scounteren = ~bit & 0xFFFF_FFFFL;
            assertTrue(legal(CpuState.PRIV_S, csrrs(DST, csr, 0), 0), "S needs mcounteren only: " + n);
            assertFalse(legal(CpuState.PRIV_U, csrrs(DST, csr, 0), 0), "U needs scounteren too: " + n);
            m.cpu.scounteren = bit;
            assertTrue(legal(CpuState.PRIV_U, csrrs(DST, csr, 0), 0), "U with both bits: " + n);
            if (n >= 3)
            {
                assertEquals(0, m.x(DST), "hpmcounter" + n);
                assertFalse(legal(CpuState.PRIV_S, csrrs(0, csr, SRC), 1), "read-only: " + n);
            }
        }
    }

    /** Run one instruction in {@code priv} with x5 = {@code src}: whether it retired (else it trapped illegal). */
    private boolean legal(final int priv, final int insn, final long src)
    {
        m.cpu.priv = priv;
        m.cpu.pc = BASE;
        m.cpu.mtvec = BASE + 0x100;
        m.cpu.medeleg = 0;
        m.cpu.mcause = 0;
        m.set(SRC, src).set(DST, 0x5A5A);
        m.at(0).emit(insn);
        m.at(0x100).emit(wfi());
        m.run(1);
        if (m.cpu.pc == BASE + 4)
        {
            return true;
        }
        assertEquals(BASE + 0x100, m.cpu.pc);
        assertEquals(Interpreter.CAUSE_ILLEGAL_INSTRUCTION, m.cpu.mcause);
        return false;
    }

    private long read(final int priv, final int csr)
    {
        assertTrue(legal(priv, csrrs(DST, csr, 0), 0), "read of 0x" + Integer.toHexString(csr));
        return m.x(DST);
    }
}
