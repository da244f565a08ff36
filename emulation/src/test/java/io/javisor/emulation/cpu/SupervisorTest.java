package io.javisor.emulation.cpu;

import static io.javisor.emulation.cpu.TestMachine.BASE;
import static io.javisor.emulation.isa.Asm.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SupervisorTest
{
    private final TestMachine m = new TestMachine();

    @AfterEach
    void close()
    {
        m.close();
    }

    @Test
    void machineDropsToSupervisorWhichDropsToUserWhoseEcallIsDelegatedToS()
    {
        m.cpu.mepc = BASE + 0x40;
        m.cpu.writeMstatus(1L << CpuState.MSTATUS_MPP_SHIFT);      // MPP = S
        m.cpu.medeleg = 1L << Interpreter.CAUSE_ECALL_U;
        m.cpu.mtvec = BASE + 0x300;
        m.cpu.stvec = BASE + 0x200;
        m.emit(mret());
        // S: sepc = user code, SPP = U (reset value), SPIE = 1 so SRET enables SIE, which the
        // trap then records in SPIE.
        m.set(5, BASE + 0x80).set(6, CpuState.MSTATUS_SPIE);
        m.at(0x40).emit(csrrw(0, Interpreter.CSR_SEPC, 5), csrrs(0, Interpreter.CSR_SSTATUS, 6), sret());
        m.at(0x80).emit(addi(1, 0, 7), ecall());
        m.at(0x200).emit(
            csrrs(2, Interpreter.CSR_SCAUSE, 0),
            csrrs(3, Interpreter.CSR_SEPC, 0),
            csrrs(4, Interpreter.CSR_SSTATUS, 0),
            wfi());
        m.at(0x300).emit(wfi());
        assertEquals(StopReason.WFI, m.run(100));
        assertEquals(CpuState.PRIV_S, m.cpu.priv);
        assertEquals(BASE + 0x210, m.cpu.pc);
        assertEquals(Interpreter.CAUSE_ECALL_U, m.x(2));
        assertEquals(BASE + 0x84, m.x(3));
        final long sstatus = m.x(4);
        assertEquals(0, sstatus & CpuState.MSTATUS_SPP, "came from U");
        assertEquals(CpuState.MSTATUS_SPIE, sstatus & CpuState.MSTATUS_SPIE, "SIE was set");
        assertEquals(0, sstatus & CpuState.MSTATUS_SIE);
        assertEquals(2L << 32, sstatus & (3L << 32), "UXL = 64");
        assertEquals(0, sstatus & CpuState.MSTATUS_MPP, "M fields are hidden");
        assertEquals(0, m.cpu.mcause, "M saw nothing");
        assertEquals(7, m.x(1));
    }

    @Test
    void undelegatedExceptionFromSupervisorGoesToMachineWithMppS()
    {
        m.cpu.priv = CpuState.PRIV_S;
        m.cpu.medeleg = 1L << Interpreter.CAUSE_ECALL_U;
        m.cpu.mtvec = BASE + 0x100;
        m.cpu.stvec = BASE + 0x200;
        m.emit(ecall());
        m.at(0x100).emit(wfi());
        m.at(0x200).emit(wfi());
        assertEquals(StopReason.WFI, m.run(10));
        assertEquals(CpuState.PRIV_M, m.cpu.priv);
        assertEquals(Interpreter.CAUSE_ECALL_S, m.cpu.mcause);
        assertEquals(1L << CpuState.MSTATUS_MPP_SHIFT, m.cpu.mstatus & CpuState.MSTATUS_MPP);
        assertEquals(BASE, m.cpu.mepc);
    }

    @Test
    void delegatedExceptionFromSupervisorSetsSppAndSretReturnsToS()
    {
        m.cpu.priv = CpuState.PRIV_S;
        m.cpu.medeleg = CpuState.MEDELEG_WRITABLE;
        m.cpu.stvec = BASE + 0x200;
        m.cpu.mtvec = BASE + 0x300;
        m.emit(ecall(), addi(1, 0, 1), wfi());
        m.at(0x200).emit(
            csrrs(2, Interpreter.CSR_SSTATUS, 0),
            csrrs(3, Interpreter.CSR_SEPC, 0),
            addi(3, 3, 4),
            csrrw(0, Interpreter.CSR_SEPC, 3),
            sret());
        m.at(0x300).emit(wfi());
        assertEquals(StopReason.WFI, m.run(100));
        assertEquals(CpuState.PRIV_S, m.cpu.priv);
        assertEquals(BASE + 12, m.cpu.pc);
        assertEquals(1, m.x(1));
        assertEquals(CpuState.MSTATUS_SPP, m.x(2) & CpuState.MSTATUS_SPP);
        assertEquals(Interpreter.CAUSE_ECALL_S, m.cpu.scause);
        assertEquals(0, m.cpu.mstatus & CpuState.MSTATUS_SPP, "SRET clears SPP to U");
        assertEquals(CpuState.MSTATUS_SPIE, m.cpu.mstatus & CpuState.MSTATUS_SPIE, "SRET sets SPIE");
    }

    @Test
    void exceptionsInMachineModeAreNeverDelegated()
    {
        m.set(1, -1L);
        m.cpu.mtvec = BASE + 0x100;
        m.cpu.stvec = BASE + 0x200;
        m.emit(csrrw(0, Interpreter.CSR_MEDELEG, 1), csrrs(2, Interpreter.CSR_MEDELEG, 0), ebreak());
        m.at(0x100).emit(wfi());
        m.at(0x200).emit(wfi());
        assertEquals(StopReason.WFI, m.run(10));
        assertEquals(CpuState.MEDELEG_WRITABLE, m.x(2), "ECALL from M is not delegable");
        assertEquals(Interpreter.CAUSE_BREAKPOINT, m.cpu.mcause);
        assertEquals(BASE + 0x104, m.cpu.pc);
        assertEquals(0, m.cpu.scause);
    }

    @Test
    void supervisorCsrsAreViewsOfTheMachineOnes()
    {
        m.set(1, -1L).set(2, 1L << CpuState.IRQ_STIP | 1L << CpuState.IRQ_SSIP);
        m.emit(
            csrrw(0, Interpreter.CSR_SSTATUS, 1),
            csrrs(3, Interpreter.CSR_MSTATUS, 0),
            csrrw(0, Interpreter.CSR_MIDELEG, 1),
            csrrs(4, Interpreter.CSR_MIDELEG, 0),
            csrrw(0, Interpreter.CSR_MIE, 1),
            csrrs(5, Interpreter.CSR_SIE, 0),
            csrrw(0, Interpreter.CSR_MIDELEG, 2),   // only SSIP and STIP delegated now
            csrrw(0, Interpreter.CSR_SIE, 0),       // clears only the delegated bits
            csrrs(6, Interpreter.CSR_MIE, 0),
            csrrw(0, Interpreter.CSR_MIP, 1),       // only S-level bits are software-writable
            csrrs(7, Interpreter.CSR_MIP, 0),
            csrrs(8, Interpreter.CSR_SIP, 0),
            csrrw(0, Interpreter.CSR_SSCRATCH, 2),
            csrrs(9, Interpreter.CSR_SSCRATCH, 0),
            csrrw(0, Interpreter.CSR_MIP, 0),       // nothing pending, so WFI stops
            wfi());
        assertEquals(StopReason.WFI, m.run(100));
        assertEquals(CpuState.SSTATUS_WRITABLE | CpuState.MSTATUS_FIXED, m.x(3));
        assertEquals(CpuState.IRQ_S_ALL, m.x(4));
        assertEquals(CpuState.IRQ_S_ALL, m.x(5));
        assertEquals(CpuState.IRQ_ALL & ~m.x(2), m.x(6));
        assertEquals(CpuState.IRQ_S_ALL, m.x(7));
        assertEquals(m.x(2), m.x(8));
        assertEquals(m.x(2), m.x(9));
    }

    @Test
    void countersAreGatedByMcounterenAndScounteren()
    {
        m.cpu.priv = CpuState.PRIV_S;
        m.cpu.mtvec = BASE + 0x100;
        m.emit(csrrs(1, Interpreter.CSR_CYCLE, 0));
        m.at(0x100).emit(wfi());
        assertEquals(StopReason.WFI, m.run(10));
        assertEquals(Interpreter.CAUSE_ILLEGAL_INSTRUCTION, m.cpu.mcause);

        m.cpu.priv = CpuState.PRIV_S;
        m.cpu.pc = BASE;
        m.cpu.mcounteren = 1;
        m.cpu.mcause = 0;
        m.at(4).emit(csrrs(2, Interpreter.CSR_INSTRET, 0));
        assertEquals(StopReason.BUDGET_EXHAUSTED, m.run(2));
        assertEquals(BASE + 0x100, m.cpu.pc, "cycle allowed, instret not");
        assertEquals(Interpreter.CAUSE_ILLEGAL_INSTRUCTION, m.cpu.mcause);

        m.cpu.priv = CpuState.PRIV_U;
        m.cpu.pc = BASE;
        m.cpu.mcause = 0;
        assertEquals(StopReason.WFI, m.run(10));
        assertEquals(Interpreter.CAUSE_ILLEGAL_INSTRUCTION, m.cpu.mcause, "U also needs scounteren");

        m.cpu.priv = CpuState.PRIV_U;
        m.cpu.pc = BASE;
        m.cpu.mcause = 0;
        m.cpu.scounteren = 1;
        assertEquals(StopReason.BUDGET_EXHAUSTED, m.run(1));
        assertEquals(BASE + 4, m.cpu.pc);
        assertEquals(0, m.cpu.mcause);
    }

    @Test
    void sretAndSfenceAreIllegalInUserButSfenceIsANopInSupervisor()
    {
        m.cpu.priv = CpuState.PRIV_S;
        m.cpu.mtvec = BASE + 0x100;
        m.emit(sfence_vma(0, 0), sret());
        m.at(0x100).emit(wfi());
        m.cpu.mstatus = 0;              // SPP = U
        m.cpu.sepc = BASE + 0x40;
        m.at(0x40).emit(sret(), sfence_vma(0, 0));
        assertEquals(StopReason.BUDGET_EXHAUSTED, m.run(2));
        assertEquals(CpuState.PRIV_U, m.cpu.priv);
        assertEquals(BASE + 0x40, m.cpu.pc);
        m.run(1);
        assertEquals(Interpreter.CAUSE_ILLEGAL_INSTRUCTION, m.cpu.mcause);
        assertEquals(sret() & 0xFFFF_FFFFL, m.cpu.mtval);
        m.cpu.priv = CpuState.PRIV_U;
        m.cpu.pc = BASE + 0x44;
        m.run(1);
        assertEquals(sfence_vma(0, 0) & 0xFFFF_FFFFL, m.cpu.mtval);
        assertEquals(BASE + 0x100, m.cpu.pc);
    }

    @Test
    void satpAcceptsOnlyBareAndSv39()
    {
        m.set(1, 9L << 60 | 0x1234).set(2, 0xABCDL << 44 | 0x5678);
        m.emit(
            csrrw(0, Interpreter.CSR_SATP, 2),
            csrrw(0, Interpreter.CSR_SATP, 1),
            csrrs(3, Interpreter.CSR_SATP, 0),
            wfi());
        assertEquals(StopReason.WFI, m.run(10));
        assertEquals(m.x(2), m.x(3));
    }
}
