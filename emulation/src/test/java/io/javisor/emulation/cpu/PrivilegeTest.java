package io.javisor.emulation.cpu;

import static io.javisor.emulation.cpu.TestMachine.BASE;
import static io.javisor.emulation.isa.Asm.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PrivilegeTest
{
    private final TestMachine m = new TestMachine();

    @AfterEach
    void close()
    {
        m.close();
    }

    @Test
    void mretToUserThenEcallFromUserTrapsWithCause8()
    {
        m.cpu.mtvec = BASE + 0x100;
        m.cpu.mepc = BASE + 0x40;
        m.cpu.mstatus = 0;              // MPP = U
        m.emit(mret());
        m.at(0x40).emit(addi(1, 0, 1), ecall());
        m.at(0x100).emit(csrrs(2, Interpreter.CSR_MSTATUS, 0), wfi());
        assertEquals(StopReason.WFI, m.run(100));
        assertEquals(Interpreter.CAUSE_ECALL_U, m.cpu.mcause);
        assertEquals(BASE + 0x44, m.cpu.mepc);
        assertEquals(0, m.x(2) & CpuState.MSTATUS_MPP, "MPP records U");
        assertEquals(CpuState.PRIV_M, m.cpu.priv);
        assertEquals(4, m.cpu.instret);
    }

    @Test
    void machineCsrsAndMretAreIllegalFromUser()
    {
        m.cpu.priv = CpuState.PRIV_U;
        m.cpu.mtvec = BASE + 0x100;
        m.cpu.mcounteren = 7;           // let U read instret
        m.cpu.scounteren = 7;
        final int insn = csrrs(1, Interpreter.CSR_MSCRATCH, 0);
        m.emit(csrrs(3, Interpreter.CSR_INSTRET, 0), insn);
        m.at(0x100).emit(csrrs(2, Interpreter.CSR_MEPC, 0), addi(2, 2, 4), csrrw(0, Interpreter.CSR_MEPC, 2),
            mret());
        m.at(8).emit(mret());
        m.at(0x200).emit(wfi());
        assertEquals(StopReason.BUDGET_EXHAUSTED, m.run(6));
        assertEquals(Interpreter.CAUSE_ILLEGAL_INSTRUCTION, m.cpu.mcause);
        assertEquals(insn & 0xFFFF_FFFFL, m.cpu.mtval);
        assertEquals(BASE + 8, m.cpu.pc);
        assertEquals(CpuState.PRIV_U, m.cpu.priv, "MRET went back to U");
        assertEquals(0, m.x(3));
        assertEquals(0, m.x(1));

        m.run(1);                       // MRET in U: illegal
        assertEquals(Interpreter.CAUSE_ILLEGAL_INSTRUCTION, m.cpu.mcause);
        assertEquals(mret() & 0xFFFF_FFFFL, m.cpu.mtval);
        assertEquals(BASE + 8, m.cpu.mepc);
        assertEquals(5, m.cpu.instret);
    }

    @Test
    void unsetMtvecFetchFaultIsReportedAsATrapLoop()
    {
        m.emit(ecall());                // mtvec = 0: the handler fetch faults, and so on
        assertEquals(StopReason.TRAP_LOOP, m.run(1000));
        assertEquals(Interpreter.CAUSE_FETCH_ACCESS, m.cpu.mcause);
        assertEquals(0, m.cpu.mtval);
        assertEquals(0, m.cpu.instret);
    }

    @Test
    void mstatusKeepsOnlyLegalMppValuesAndImplementedBits()
    {
        m.set(1, 1L << 11).set(2, 3L << 11).set(3, 2L << 11).set(4, -1L);
        m.emit(
            csrrw(0, Interpreter.CSR_MSTATUS, 2),   // MPP = M
            csrrs(5, Interpreter.CSR_MSTATUS, 0),
            csrrw(0, Interpreter.CSR_MSTATUS, 1),   // MPP = S
            csrrs(8, Interpreter.CSR_MSTATUS, 0),
            csrrw(0, Interpreter.CSR_MSTATUS, 3),   // MPP = 2: reserved, ignored
            csrrs(6, Interpreter.CSR_MSTATUS, 0),
            csrrw(0, Interpreter.CSR_MSTATUS, 4),   // all ones: only implemented bits stick
            csrrs(7, Interpreter.CSR_MSTATUS, 0),
            wfi());
        assertEquals(StopReason.WFI, m.run(100));
        assertEquals(3L << 11 | CpuState.MSTATUS_FIXED, m.x(5));
        assertEquals(1L << 11 | CpuState.MSTATUS_FIXED, m.x(8));
        assertEquals(1L << 11 | CpuState.MSTATUS_FIXED, m.x(6), "MPP = 2 leaves S in place");
        assertEquals(CpuState.MSTATUS_WRITABLE | CpuState.MSTATUS_FIXED, m.x(7));
    }
}
