package io.javisor.emulation.cpu;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static io.javisor.emulation.cpu.TestMachine.BASE;
import static io.javisor.emulation.isa.Asm.addi;
import static io.javisor.emulation.isa.Asm.csrrs;
import static io.javisor.emulation.isa.Asm.csrrw;
import static io.javisor.emulation.isa.Asm.sfence_vma;
import static io.javisor.emulation.isa.Asm.sret;
import static io.javisor.emulation.isa.Asm.wfi;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * mstatus TVM, TW and TSR (what a hypervisor or M-mode firmware uses to intercept S-mode), the
 * PMP registers (held and locked, not enforced), the time CSR from the board's timer, and
 * minstret writes that leave the exact instruction count alone.
 */
class TrapVirtualisationTest
{
    private final TestMachine m = new TestMachine();

    @AfterEach
    void close()
    {
        m.close();
    }

    /** Run one instruction in S-mode with the given mstatus bits; @return mcause (-1 if none). */
    private long inSupervisor(final long mstatusBits, final int insn)
    {
        m.at(0).emit(insn);
        m.at(0x100).emit(wfi());
        m.cpu.mtvec = BASE + 0x100;
        m.cpu.mcause = -1;
        m.cpu.mstatus = mstatusBits;
        m.cpu.priv = CpuState.PRIV_S;
        m.cpu.pc = BASE;
        m.run(1);
        return m.cpu.mcause;
    }

    @Test
    void tvmMakesSatpAndSfenceIllegalInSupervisorMode()
    {
        assertEquals(-1, inSupervisor(0, csrrs(1, Interpreter.CSR_SATP, 0)));
        assertEquals(Interpreter.CAUSE_ILLEGAL_INSTRUCTION, inSupervisor(CpuState.MSTATUS_TVM, csrrs(1, Interpreter.CSR_SATP, 0)));
        assertEquals(Interpreter.CAUSE_ILLEGAL_INSTRUCTION, inSupervisor(CpuState.MSTATUS_TVM, csrrw(0, Interpreter.CSR_SATP, 0)));
        assertEquals(-1, inSupervisor(0, sfence_vma(0, 0)));
        assertEquals(Interpreter.CAUSE_ILLEGAL_INSTRUCTION, inSupervisor(CpuState.MSTATUS_TVM, sfence_vma(0, 0)));
    }

    @Test
    void twMakesWfiIllegalBelowMachineMode()
    {
        m.cpu.mie = 1L << CpuState.IRQ_MTIP;
        assertEquals(-1, inSupervisor(0, wfi()));
        assertEquals(Interpreter.CAUSE_ILLEGAL_INSTRUCTION, inSupervisor(CpuState.MSTATUS_TW, wfi()));
    }

    @Test
    void tsrMakesSretIllegalInSupervisorMode()
    {
        assertEquals(Interpreter.CAUSE_ILLEGAL_INSTRUCTION, inSupervisor(CpuState.MSTATUS_TSR, sret()));
        assertEquals(-1, inSupervisor(0, sret()));
    }

    @Test
    void pmpRegistersHoldWhatMachineModeWritesUntilLocked()
    {
        m.set(1, -1L).set(2, 0x1F).set(3, 0x80 | 0x1F);
        m.emit(
            csrrw(0, Interpreter.CSR_PMPADDR0, 1),
            csrrw(0, Interpreter.CSR_PMPCFG0, 2),
            csrrs(4, Interpreter.CSR_PMPADDR0, 0),
            csrrs(5, Interpreter.CSR_PMPCFG0, 0),
            csrrw(0, Interpreter.CSR_PMPCFG0, 3),          // lock entry 0
            csrrw(0, Interpreter.CSR_PMPADDR0, 0),         // ignored: locked
            csrrw(0, Interpreter.CSR_PMPCFG0, 0),          // ignored: locked
            csrrs(6, Interpreter.CSR_PMPADDR0, 0),
            csrrs(7, Interpreter.CSR_PMPCFG0, 0));
        m.run(9);
        assertEquals((1L << 54) - 1, m.x(4), "pmpaddr holds 54 bits");
        assertEquals(0x1F, m.x(5));
        assertEquals((1L << 54) - 1, m.x(6));
        assertEquals(0x9F, m.x(7));
    }

    @Test
    void timeReadsTheBoardTimerAndMinstretWritesKeepTheExactCount()
    {
        m.interpreter.setTimeSource(() -> 123_456_789L);
        m.set(1, 1000);
        m.emit(
            csrrs(2, Interpreter.CSR_TIME, 0),
            csrrw(0, Interpreter.CSR_MINSTRET, 1),
            addi(0, 0, 0),
            csrrs(3, Interpreter.CSR_MINSTRET, 0));
        m.run(4);
        assertEquals(123_456_789L, m.x(2));
        assertEquals(1001, m.x(3), "the write, then one more instruction retired before the read");
        assertEquals(4, m.cpu.instret, "instret stays the exact count");
    }
}
