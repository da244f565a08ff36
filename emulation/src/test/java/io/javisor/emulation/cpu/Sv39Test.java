package io.javisor.emulation.cpu;

import static io.javisor.emulation.cpu.TestMachine.BASE;
import static io.javisor.emulation.isa.Asm.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class Sv39Test
{
    private static final long V = Sv39.PTE_V, R = Sv39.PTE_R, W = Sv39.PTE_W, X = Sv39.PTE_X,
        U = Sv39.PTE_U, A = Sv39.PTE_A, D = Sv39.PTE_D;
    /** RAM offsets of the three page-table levels. */
    private static final long ROOT = 0x1000, L1 = 0x2000, L0 = 0x3000;
    /** RAM offsets of the code and data pages. */
    private static final long CODE = 0x4000, DATA = 0x5000, DATA2 = 0x6000;

    private final TestMachine m = new TestMachine();

    @BeforeEach
    void tables()
    {
        m.memory.putLong(ROOT, pointer(L1));
        m.memory.putLong(L1, pointer(L0));
        m.memory.putLong(L0 + 8, leaf(CODE, R | X));               // VA 0x1000
        m.memory.putLong(L0 + 16, leaf(DATA, R | W));              // VA 0x2000
        m.memory.putLong(L0 + 24, leaf(DATA2, R));                 // VA 0x3000, read-only
        m.memory.putLong(L0 + 32, leaf(DATA2, R | W | U));         // VA 0x4000, user page
        m.memory.putLong(L0 + 40, leaf(DATA2, X));                 // VA 0x5000, execute-only
        m.cpu.mtvec = BASE + 0x100;
        m.at(0x100).emit(wfi());
        m.cpu.satp = Sv39.SATP_MODE_SV39 << 60 | (BASE + ROOT) >>> 12;
        m.interpreter.flushTlb();
        m.cpu.priv = CpuState.PRIV_S;
        m.cpu.pc = 0x1000;
    }

    @AfterEach
    void close()
    {
        m.close();
    }

    private static long pointer(final long offset)
    {
        return (BASE + offset) >>> 12 << 10 | V;
    }

    private static long leaf(final long offset, final long flags)
    {
        return (BASE + offset) >>> 12 << 10 | flags | V;
    }

    @Test
    void supervisorRunsFromAMappedPageAndSetsAccessedAndDirty()
    {
        m.memory.putLong(DATA, 0x1122_3344_5566_7788L);
        m.at(CODE).emit(lui(1, 2), ld(2, 1, 0), sd(2, 1, 8), ecall());
        assertEquals(StopReason.WFI, m.run(20));
        assertEquals(Interpreter.CAUSE_ECALL_S, m.cpu.mcause);
        assertEquals(0x100C, m.cpu.mepc, "mepc is virtual");
        assertEquals(0x1122_3344_5566_7788L, m.x(2));
        assertEquals(0x1122_3344_5566_7788L, m.memory.getLong(DATA + 8));
        assertEquals(A, m.memory.getLong(L0 + 8) & (A | D), "fetch sets A only");
        assertEquals(A | D, m.memory.getLong(L0 + 16) & (A | D), "store sets A and D");
    }

    @Test
    void faultsReportTheVirtualAddress()
    {
        m.at(CODE).emit(lui(1, 6), ld(2, 1, 0));                   // VA 0x6000: unmapped
        m.run(10);
        assertEquals(Interpreter.CAUSE_LOAD_PAGE_FAULT, m.cpu.mcause);
        assertEquals(0x6000, m.cpu.mtval);

        resetTo(sd(0, 1, 0), 0x3000);                              // read-only page
        assertEquals(Interpreter.CAUSE_STORE_PAGE_FAULT, m.cpu.mcause);
        assertEquals(0x3000, m.cpu.mtval);

        resetTo(ld(2, 1, 0), 0x5000);                              // execute-only: no load
        assertEquals(Interpreter.CAUSE_LOAD_PAGE_FAULT, m.cpu.mcause);
        m.cpu.mstatus |= CpuState.MSTATUS_MXR;                     // ... unless MXR
        resetTo(ld(2, 1, 0), 0x5000);
        assertEquals(Interpreter.CAUSE_ECALL_S, m.cpu.mcause);
        m.cpu.mstatus &= ~CpuState.MSTATUS_MXR;

        resetTo(jalr(0, 1, 0), 0x2000);                            // data page: no fetch
        assertEquals(Interpreter.CAUSE_FETCH_PAGE_FAULT, m.cpu.mcause);
        assertEquals(0x2000, m.cpu.mtval);

        resetTo(ld(2, 1, 0), 0x4000);                              // user page from S, SUM clear
        assertEquals(Interpreter.CAUSE_LOAD_PAGE_FAULT, m.cpu.mcause);
        m.cpu.mstatus |= CpuState.MSTATUS_SUM;
        resetTo(ld(2, 1, 0), 0x4000);
        assertEquals(Interpreter.CAUSE_ECALL_S, m.cpu.mcause);

        m.set(1, 1L << 40);                                         // not sign-extended
        resetTo(ld(2, 1, 0), 1L << 40);
        assertEquals(Interpreter.CAUSE_LOAD_PAGE_FAULT, m.cpu.mcause);
        assertEquals(1L << 40, m.cpu.mtval);
    }

    /** Run {@code insn} at VA 0x1000 with x1 = va, followed by ECALL. */
    private void resetTo(final int insn, final long va)
    {
        m.at(CODE).emit(insn, ecall());
        m.set(1, va);
        m.cpu.priv = CpuState.PRIV_S;
        m.cpu.pc = 0x1000;
        m.cpu.mcause = 0;
        m.cpu.mtval = 0;
        m.run(3);
    }

    @Test
    void userCannotTouchSupervisorPages()
    {
        m.memory.putLong(L0 + 8, leaf(CODE, R | X | U));
        m.at(CODE).emit(lui(1, 2), ld(2, 1, 0));
        m.cpu.priv = CpuState.PRIV_U;
        m.run(10);
        assertEquals(Interpreter.CAUSE_LOAD_PAGE_FAULT, m.cpu.mcause);
        assertEquals(CpuState.PRIV_M, m.cpu.priv);
        assertEquals(0, m.cpu.mstatus & CpuState.MSTATUS_MPP);

        m.cpu.priv = CpuState.PRIV_S;
        m.cpu.pc = 0x1000;
        m.run(1);
        assertEquals(Interpreter.CAUSE_FETCH_PAGE_FAULT, m.cpu.mcause, "S never executes user pages");
    }

    @Test
    void gigapagesTranslateAndMustBeAligned()
    {
        // VA 0x8000_0000.. -> PA 0x8000_0000.. (identity, 1 GiB), and a misaligned one at 3 GiB.
        m.memory.putLong(ROOT + 2 * 8, BASE >>> 12 << 10 | R | W | X | A | D | V);
        m.memory.putLong(ROOT + 3 * 8, (BASE + 0x1000) >>> 12 << 10 | R | W | X | A | D | V);
        m.memory.putLong(DATA, 42);
        m.cpu.pc = BASE + CODE;
        m.set(1, BASE + DATA).set(3, 0xC000_0000L);
        m.at(CODE).emit(ld(2, 1, 0), ld(4, 3, 0));
        m.run(10);
        assertEquals(42, m.x(2));
        assertEquals(Interpreter.CAUSE_LOAD_PAGE_FAULT, m.cpu.mcause);
        assertEquals(0xC000_0000L, m.cpu.mtval);
    }

    @Test
    void tlbKeepsStaleTranslationsUntilSfenceVma()
    {
        m.memory.putLong(DATA, 1);
        m.memory.putLong(DATA2, 2);
        m.at(CODE).emit(lui(1, 2), ld(2, 1, 0), ld(3, 1, 0), sfence_vma(1, 0), ld(4, 1, 0),
            sfence_vma(0, 0), ld(5, 1, 0), ecall());
        m.run(2);                                                   // first ld fills the TLB
        m.memory.putLong(L0 + 16, leaf(DATA2, R | W));              // remap VA 0x2000
        m.run(20);
        assertEquals(Interpreter.CAUSE_ECALL_S, m.cpu.mcause);
        assertEquals(1, m.x(2));
        assertEquals(1, m.x(3), "stale until flushed");
        assertEquals(2, m.x(4));
        assertEquals(2, m.x(5));
    }

    @Test
    void machineModeIsNotTranslatedAndSatpWritesFlush()
    {
        m.cpu.priv = CpuState.PRIV_M;
        m.cpu.pc = BASE + CODE;
        m.memory.putLong(DATA, 7);
        m.set(5, 0).set(1, BASE + DATA);
        m.at(CODE).emit(ld(2, 1, 0), csrrw(6, Interpreter.CSR_SATP, 5),
            csrrs(7, Interpreter.CSR_SATP, 0), wfi());
        assertEquals(StopReason.WFI, m.run(10));
        assertEquals(7, m.x(2));
        assertEquals(Sv39.SATP_MODE_SV39, m.x(6) >>> 60);
        assertEquals(0, m.x(7));
    }

    @Test
    void delegatedPageFaultGoesToSupervisorWithStval()
    {
        m.cpu.medeleg = 1L << Interpreter.CAUSE_LOAD_PAGE_FAULT;
        m.cpu.stvec = 0x1000;                                       // virtual
        m.at(CODE).emit(lui(1, 6), ld(2, 1, 0));
        m.cpu.pc = 0x1004;
        m.set(1, 0x7000);
        m.run(1);
        assertEquals(Interpreter.CAUSE_LOAD_PAGE_FAULT, m.cpu.scause);
        assertEquals(0x7000, m.cpu.stval);
        assertEquals(0x1004, m.cpu.sepc);
        assertEquals(0x1000, m.cpu.pc);
    }

    @Test
    void mprvTranslatesMachineLoadsAndStoresAsMppButNotFetches()
    {
        m.cpu.priv = CpuState.PRIV_M;
        m.cpu.pc = BASE + CODE;
        m.memory.putLong(DATA, 9);
        m.cpu.writeMstatus(CpuState.MSTATUS_MPRV | 1L << CpuState.MSTATUS_MPP_SHIFT);   // as S
        m.set(1, 0x2000).set(3, 0x4000);
        m.at(CODE).emit(ld(2, 1, 0), ld(4, 3, 0));
        m.run(10);
        assertEquals(9, m.x(2), "VA 0x2000 translated though running in M");
        assertEquals(Interpreter.CAUSE_LOAD_PAGE_FAULT, m.cpu.mcause, "user page, SUM clear");
        assertEquals(0x4000, m.cpu.mtval);
    }

    @Test
    void mretToALowerModeClearsMprv()
    {
        m.cpu.priv = CpuState.PRIV_M;
        m.cpu.pc = BASE + CODE;
        m.cpu.writeMstatus(CpuState.MSTATUS_MPRV | 1L << CpuState.MSTATUS_MPP_SHIFT);
        m.cpu.mepc = 0x1004;
        m.at(CODE).emit(mret(), wfi());
        assertEquals(StopReason.WFI, m.run(10));
        assertEquals(CpuState.PRIV_S, m.cpu.priv);
        assertEquals(0, m.cpu.mstatus & CpuState.MSTATUS_MPRV);
    }
}
