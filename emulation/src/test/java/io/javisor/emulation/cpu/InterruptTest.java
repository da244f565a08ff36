package io.javisor.emulation.cpu;

import static io.javisor.emulation.cpu.TestMachine.BASE;
import static io.javisor.emulation.isa.Asm.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class InterruptTest
{
    private static final long INTERRUPT = Long.MIN_VALUE;

    private final TestMachine m = new TestMachine();

    @AfterEach
    void close()
    {
        m.close();
    }

    @Test
    void machineTimerInterruptIsTakenOnlyWhenMieAndMstatusMieAllowIt()
    {
        m.cpu.mtvec = BASE + 0x100;
        m.emit(addi(1, 1, 1), addi(1, 1, 1), addi(1, 1, 1), addi(1, 1, 1));
        m.at(0x100).emit(csrrs(2, Interpreter.CSR_MCAUSE, 0), wfi());
        m.cpu.setPending(CpuState.IRQ_MTIP, true);
        assertEquals(StopReason.BUDGET_EXHAUSTED, m.run(1));
        assertEquals(1, m.x(1), "not enabled in mie");
        m.cpu.mie = 1L << CpuState.IRQ_MTIP;
        assertEquals(StopReason.BUDGET_EXHAUSTED, m.run(1));
        assertEquals(2, m.x(1), "M-mode without MIE is not interrupted");
        m.cpu.mstatus |= CpuState.MSTATUS_MIE;
        assertEquals(StopReason.BUDGET_EXHAUSTED, m.run(1));
        assertEquals(BASE + 0x100, m.cpu.pc);
        assertEquals(BASE + 8, m.cpu.mepc);
        assertEquals(INTERRUPT | CpuState.IRQ_MTIP, m.cpu.mcause);
        assertEquals(0, m.cpu.mstatus & CpuState.MSTATUS_MIE);
        assertEquals(CpuState.MSTATUS_MPIE, m.cpu.mstatus & CpuState.MSTATUS_MPIE);
        assertEquals(2, m.cpu.instret, "taking an interrupt retires nothing");
    }

    @Test
    void machineInterruptsPreemptLowerModesEvenWithMieClear()
    {
        m.cpu.priv = CpuState.PRIV_U;
        m.cpu.mtvec = BASE + 0x100;
        m.cpu.mie = 1L << CpuState.IRQ_MSIP;
        m.cpu.setPending(CpuState.IRQ_MSIP, true);
        m.emit(addi(1, 1, 1));
        m.at(0x100).emit(wfi());
        m.run(1);
        assertEquals(INTERRUPT | CpuState.IRQ_MSIP, m.cpu.mcause);
        assertEquals(CpuState.PRIV_M, m.cpu.priv);
        assertEquals(0, m.cpu.mstatus & CpuState.MSTATUS_MPP, "MPP = U");
    }

    @Test
    void priorityIsExternalThenSoftwareThenTimer()
    {
        m.cpu.mtvec = BASE + 0x100;
        m.cpu.mstatus |= CpuState.MSTATUS_MIE;
        m.cpu.mie = CpuState.IRQ_ALL;
        m.cpu.setPending(CpuState.IRQ_MTIP, true);
        m.cpu.setPending(CpuState.IRQ_MSIP, true);
        m.cpu.setPending(CpuState.IRQ_SEIP, true);
        m.emit(addi(1, 1, 1));
        m.run(1);
        assertEquals(INTERRUPT | CpuState.IRQ_MSIP, m.cpu.mcause);
        m.cpu.setPending(CpuState.IRQ_MEIP, true);
        m.cpu.pc = BASE;
        m.cpu.mstatus |= CpuState.MSTATUS_MIE;
        m.run(1);
        assertEquals(INTERRUPT | CpuState.IRQ_MEIP, m.cpu.mcause);
    }

    @Test
    void delegatedInterruptGoesToSupervisorAndNeverInterruptsMachine()
    {
        m.cpu.mtvec = BASE + 0x100;
        m.cpu.stvec = BASE + 0x200;
        m.cpu.mideleg = 1L << CpuState.IRQ_STIP;
        m.cpu.mie = 1L << CpuState.IRQ_STIP;
        m.cpu.mstatus |= CpuState.MSTATUS_MIE | CpuState.MSTATUS_SIE;
        m.cpu.setPending(CpuState.IRQ_STIP, true);
        m.emit(addi(1, 1, 1), addi(1, 1, 1));
        m.at(0x200).emit(wfi());
        m.run(1);
        assertEquals(1, m.x(1), "M is not interrupted by a delegated interrupt");

        m.cpu.priv = CpuState.PRIV_S;
        m.cpu.mstatus &= ~CpuState.MSTATUS_SIE;
        m.run(1);
        assertEquals(2, m.x(1), "S with SIE clear is not interrupted");

        m.cpu.mstatus |= CpuState.MSTATUS_SIE;
        m.run(1);
        assertEquals(BASE + 0x200, m.cpu.pc);
        assertEquals(INTERRUPT | CpuState.IRQ_STIP, m.cpu.scause);
        assertEquals(BASE + 8, m.cpu.sepc);
        assertEquals(CpuState.MSTATUS_SPP | CpuState.MSTATUS_SPIE,
            m.cpu.mstatus & (CpuState.MSTATUS_SPP | CpuState.MSTATUS_SPIE | CpuState.MSTATUS_SIE));
        assertEquals(0, m.cpu.mcause);
    }

    @Test
    void userModeTakesDelegatedInterruptsWithSieClear()
    {
        m.cpu.priv = CpuState.PRIV_U;
        m.cpu.stvec = BASE + 0x200;
        m.cpu.mideleg = CpuState.IRQ_S_ALL;
        m.cpu.mie = 1L << CpuState.IRQ_SSIP;
        m.cpu.mip = 1L << CpuState.IRQ_SSIP;
        m.emit(addi(1, 1, 1));
        m.run(1);
        assertEquals(BASE + 0x200, m.cpu.pc);
        assertEquals(INTERRUPT | CpuState.IRQ_SSIP, m.cpu.scause);
        assertEquals(CpuState.PRIV_S, m.cpu.priv);
    }

    @Test
    void vectoredModeSendsInterruptsToBasePlusFourTimesCause()
    {
        m.cpu.mtvec = BASE + 0x100 | 1;
        m.cpu.mie = 1L << CpuState.IRQ_MEIP;
        m.cpu.mstatus |= CpuState.MSTATUS_MIE;
        m.cpu.setPending(CpuState.IRQ_MEIP, true);
        m.emit(addi(1, 1, 1));
        m.run(1);
        assertEquals(BASE + 0x100 + 4 * 11, m.cpu.pc);
    }

    @Test
    void wfiStopsUnlessAnInterruptIsPendingInMie()
    {
        m.cpu.mtvec = BASE + 0x100;
        m.emit(wfi(), addi(1, 0, 5), wfi());
        assertEquals(StopReason.WFI, m.run(10));
        assertEquals(BASE + 4, m.cpu.pc);
        // Global MIE is clear: the interrupt is not taken but wakes the hart.
        m.cpu.mie = 1L << CpuState.IRQ_MTIP;
        m.cpu.setPending(CpuState.IRQ_MTIP, true);
        m.cpu.pc = BASE;
        assertEquals(StopReason.BUDGET_EXHAUSTED, m.run(2));
        assertEquals(5, m.x(1));
        assertEquals(BASE + 8, m.cpu.pc);
        m.cpu.setPending(CpuState.IRQ_MTIP, false);
        assertEquals(StopReason.WFI, m.run(10));
    }

    @Test
    void softwareMayOnlyWriteSupervisorBitsOfMipAndLinesMustExist()
    {
        m.cpu.setPending(CpuState.IRQ_MEIP, true);
        m.set(1, 0);
        m.emit(csrrw(2, Interpreter.CSR_MIP, 1), csrrs(3, Interpreter.CSR_MIP, 0), wfi());
        m.run(10);
        assertEquals(1L << CpuState.IRQ_MEIP, m.x(3));
        assertThrows(IllegalArgumentException.class, () -> m.cpu.setPending(4, true));
    }
}
