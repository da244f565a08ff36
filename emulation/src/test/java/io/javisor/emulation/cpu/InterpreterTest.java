package io.javisor.emulation.cpu;

import static io.javisor.emulation.cpu.TestMachine.BASE;
import static io.javisor.emulation.isa.Asm.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class InterpreterTest
{
    private final TestMachine m = new TestMachine();

    @AfterEach
    void close()
    {
        m.close();
    }

    private void runToWfi(final long expectedInstret)
    {
        assertEquals(StopReason.WFI, m.run(10_000));
        assertEquals(expectedInstret, m.cpu.instret);
    }

    @Test
    void integerArithmeticLogicAndShifts()
    {
        m.set(1, 0x7FFF_FFFFL).set(2, -16).set(3, 3).set(4, 0x0000_0001_8000_0000L);
        m.emit(
            addi(5, 1, 1),          // 0x8000_0000 as a 64-bit add: no sign extension
            addiw(6, 1, 1),         // 32-bit overflow, sign-extended
            add(7, 2, 3),           // -13
            sub(8, 3, 2),           // 19
            slt(9, 2, 3),           // 1
            sltu(10, 2, 3),         // 0: -16 is huge unsigned
            slti(11, 2, -15),       // 1
            sltiu(12, 3, -1),       // 1: 3 < 0xFFFF...
            xor(13, 2, 3),
            or(14, 2, 3),
            and(15, 2, 3),
            srai(16, 2, 2),         // -4
            srli(17, 2, 60),        // 0xF
            slli(18, 3, 63),        // MIN_VALUE
            sraw(19, 4, 3),         // low word 0x8000_0000 >> 3, sign-extended
            srlw(20, 4, 3),         // 0x1000_0000
            sllw(21, 1, 3),         // 0x7FFF_FFFF << 3 = 0xFFFF_FFF8 -> -8
            slliw(22, 3, 31),       // 0xFFFF_FFFF_8000_0000
            subw(23, 0, 1),         // -0x7FFF_FFFF
            addw(24, 1, 1),         // 0xFFFF_FFFE -> -2
            sraiw(25, 4, 31),       // -1
            srliw(26, 4, 31),       // 1
            xori(27, 3, -1),        // ~3
            ori(28, 3, 0x400),
            andi(29, 2, 0x7F0),
            addi(0, 3, 5),          // x0 stays 0
            sll(30, 3, 4),          // shift by x4's low 6 bits (0): 3
            sra(31, 2, 3),          // -2
            wfi());
        runToWfi(29);
        assertEquals(0x8000_0000L, m.x(5));
        assertEquals(0xFFFF_FFFF_8000_0000L, m.x(6));
        assertEquals(-13, m.x(7));
        assertEquals(19, m.x(8));
        assertEquals(1, m.x(9));
        assertEquals(0, m.x(10));
        assertEquals(1, m.x(11));
        assertEquals(1, m.x(12));
        assertEquals(-16 ^ 3, m.x(13));
        assertEquals(-16 | 3, m.x(14));
        assertEquals(0, m.x(15));
        assertEquals(-4, m.x(16));
        assertEquals(0xF, m.x(17));
        assertEquals(Long.MIN_VALUE, m.x(18));
        assertEquals(0xFFFF_FFFF_F000_0000L, m.x(19));
        assertEquals(0x1000_0000L, m.x(20));
        assertEquals(-8, m.x(21));
        assertEquals(0xFFFF_FFFF_8000_0000L, m.x(22));
        assertEquals(-0x7FFF_FFFFL, m.x(23));
        assertEquals(-2, m.x(24));
        assertEquals(-1, m.x(25));
        assertEquals(1, m.x(26));
        assertEquals(~3L, m.x(27));
        assertEquals(0x403, m.x(28));
        assertEquals(0x7F0, m.x(29));
        assertEquals(0, m.x(0));
        assertEquals(3, m.x(30));
        assertEquals(-2, m.x(31));
        assertEquals(BASE + 29 * 4, m.cpu.pc);
    }

    @Test
    void loadsAndStoresOfEveryWidth()
    {
        final long data = BASE + 0x1000;
        m.set(1, data).set(2, 0xF1F2_F3F4_F5F6_F7F8L).set(3, 0x1122_3344_5566_7788L);
        m.emit(
            sd(2, 1, 0),
            lb(4, 1, 0),
            lbu(5, 1, 0),
            lh(6, 1, 0),
            lhu(7, 1, 0),
            lw(8, 1, 0),
            lwu(9, 1, 0),
            ld(10, 1, 0),
            lb(11, 1, 7),           // 0xF1
            sb(3, 1, 16),
            sh(3, 1, 24),
            sw(3, 1, 32),
            sd(3, 1, 40),
            ld(12, 1, 16),
            ld(13, 1, 24),
            ld(14, 1, 32),
            ld(15, 1, 40),
            sw(2, 1, -4),           // negative offset
            lw(16, 1, -4),
            wfi());
        runToWfi(20);
        assertEquals(0xF1F2_F3F4_F5F6_F7F8L, m.memory.getLong(0x1000));
        assertEquals(0xFFFF_FFFF_FFFF_FFF8L, m.x(4));
        assertEquals(0xF8, m.x(5));
        assertEquals(0xFFFF_FFFF_FFFF_F7F8L, m.x(6));
        assertEquals(0xF7F8, m.x(7));
        assertEquals(0xFFFF_FFFF_F5F6_F7F8L, m.x(8));
        assertEquals(0xF5F6_F7F8L, m.x(9));
        assertEquals(0xF1F2_F3F4_F5F6_F7F8L, m.x(10));
        assertEquals(0xFFFF_FFFF_FFFF_FFF1L, m.x(11));
        assertEquals(0x88, m.x(12));
        assertEquals(0x7788, m.x(13));
        assertEquals(0x5566_7788L, m.x(14));
        assertEquals(0x1122_3344_5566_7788L, m.x(15));
        assertEquals(0xFFFF_FFFF_F5F6_F7F8L, m.x(16));
    }

    @Test
    void branchesAndJumpsWithLink()
    {
        m.set(9, -1);
        m.emit(
            jal(1, 8),              // 0 -> 8
            addi(5, 0, 99),         // 4 skipped
            addi(6, 0, 1),          // 8
            beq(6, 0, 8),           // 12 not taken
            bne(6, 0, 8),           // 16 taken -> 24
            addi(5, 0, 98),         // 20 skipped
            auipc(7, 0),            // 24
            jalr(8, 7, 12),         // 28 -> 36
            addi(5, 0, 97),         // 32 skipped
            blt(9, 6, 8),           // 36 taken -> 44
            addi(5, 0, 96),         // 40 skipped
            bltu(9, 6, 8),          // 44 not taken
            bgeu(9, 6, 8),          // 48 taken -> 56
            addi(5, 0, 95),         // 52 skipped
            bge(6, 9, 8),           // 56 taken -> 64
            addi(5, 0, 94),         // 60 skipped
            jal(0, 8),              // 64 -> 72, no link
            addi(5, 0, 93),         // 68 skipped
            beq(0, 0, 8),           // 72 -> 80
            addi(5, 0, 92),         // 76 skipped
            wfi());                 // 80
        runToWfi(13);
        assertEquals(0, m.x(5));
        assertEquals(BASE + 4, m.x(1));
        assertEquals(BASE + 24, m.x(7));
        assertEquals(BASE + 32, m.x(8));
        assertEquals(BASE + 84, m.cpu.pc);
    }

    @Test
    void backwardBranchAndJalrClearsBitZero()
    {
        m.set(2, BASE + 13);        // odd target: JALR clears bit 0 -> 12
        m.emit(
            jalr(1, 2, 0),          // 0 -> 12
            wfi(),                  // 4 (never reached first)
            addi(5, 0, 1),          // 8 skipped
            addi(6, 0, 7),          // 12
            jal(0, -12));           // 16 -> 4
        runToWfi(4);
        assertEquals(BASE + 4, m.x(1));
        assertEquals(0, m.x(5));
        assertEquals(7, m.x(6));
    }

    @Test
    void luiAndAuipc()
    {
        m.emit(
            lui(1, 0x80000),
            lui(2, 0x12345),
            auipc(3, 1),
            auipc(4, 0xFFFFF),
            wfi());
        runToWfi(5);
        assertEquals(0xFFFF_FFFF_8000_0000L, m.x(1));
        assertEquals(0x1234_5000L, m.x(2));
        assertEquals(BASE + 8 + 0x1000, m.x(3));
        assertEquals(BASE + 12 - 0x1000, m.x(4));
    }

    @Test
    void multiplyAndDivideEdgeCases()
    {
        m.set(1, Long.MIN_VALUE).set(2, -1).set(3, 0).set(4, 7).set(5, -7).set(6, 0xFFFF_FFFF_8000_0000L)
            .set(7, 0x1_0000_0005L).set(8, 2).set(9, 0x7FFF_FFFFL);
        m.emit(
            div(10, 4, 3),
            divu(11, 4, 3),
            rem(12, 4, 3),
            remu(13, 4, 3),
            div(14, 1, 2),
            rem(15, 1, 2),
            divw(16, 6, 2),
            remw(17, 6, 2),
            divw(18, 4, 3),
            remw(19, 7, 3),
            divuw(20, 4, 3),
            remuw(21, 6, 3),
            div(22, 5, 8),
            rem(23, 5, 8),
            mul(24, 1, 2),
            mulh(25, 1, 2),
            mulhu(26, 2, 2),
            mulhsu(27, 2, 2),
            mulw(28, 9, 8),
            divu(29, 5, 8),
            remu(30, 5, 8),
            wfi());
        runToWfi(22);
        assertEquals(-1, m.x(10));
        assertEquals(-1, m.x(11));
        assertEquals(7, m.x(12));
        assertEquals(7, m.x(13));
        assertEquals(Long.MIN_VALUE, m.x(14));
        assertEquals(0, m.x(15));
        assertEquals(0xFFFF_FFFF_8000_0000L, m.x(16));
        assertEquals(0, m.x(17));
        assertEquals(-1, m.x(18));
        assertEquals(5, m.x(19));
        assertEquals(-1, m.x(20));
        assertEquals(0xFFFF_FFFF_8000_0000L, m.x(21));
        assertEquals(-3, m.x(22));
        assertEquals(-1, m.x(23));
        assertEquals(Long.MIN_VALUE, m.x(24));
        assertEquals(0, m.x(25));
        assertEquals(-2, m.x(26));
        assertEquals(-1, m.x(27));
        assertEquals(-2, m.x(28));
        assertEquals(Long.divideUnsigned(-7, 2), m.x(29));
        assertEquals(1, m.x(30));
    }

    @Test
    void csrReadsAndWrites()
    {
        m.set(2, 0x1234).set(4, 0xF_0000).set(6, 0x34);
        m.emit(
            csrrw(1, Interpreter.CSR_MSCRATCH, 2),
            csrrs(3, Interpreter.CSR_MSCRATCH, 4),
            csrrc(5, Interpreter.CSR_MSCRATCH, 6),
            csrrwi(7, Interpreter.CSR_MSCRATCH, 5),
            csrrsi(8, Interpreter.CSR_MSCRATCH, 2),
            csrrci(9, Interpreter.CSR_MSCRATCH, 1),
            csrrs(10, Interpreter.CSR_MISA, 0),
            csrrs(11, Interpreter.CSR_MHARTID, 0),
            csrrs(12, Interpreter.CSR_INSTRET, 0),
            csrrs(13, Interpreter.CSR_MSTATUS, 0),
            csrrs(14, Interpreter.CSR_MSCRATCH, 0),
            csrrs(15, Interpreter.CSR_CYCLE, 0),
            csrrwi(0, Interpreter.CSR_MISA, 0),   // WARL: ignored
            csrrs(16, Interpreter.CSR_MISA, 0),
            wfi());
        runToWfi(15);
        assertEquals(0, m.x(1));
        assertEquals(0x1234, m.x(3));
        assertEquals(0xF1234, m.x(5));
        assertEquals(0xF1200, m.x(7));
        assertEquals(5, m.x(8));
        assertEquals(7, m.x(9));
        assertEquals(6, m.x(14));
        assertEquals(6, m.cpu.mscratch);
        final long misa = m.x(10);
        assertEquals(2, misa >>> 62);
        assertEquals(1L | 1L << 2 | 1L << 8 | 1L << 12 | 1L << 18 | 1L << 20, misa & 0x3FF_FFFF, "IMAC + S + U");
        assertEquals(misa, m.x(16));
        assertEquals(0, m.x(11));
        assertEquals(8, m.x(12), "instret counts the instructions retired before the read");
        assertEquals(2L << 32 | 2L << 34, m.x(13));
        assertEquals(11, m.x(15));
    }

    @Test
    void ecallTrapsToMtvecAndMretReturns()
    {
        m.cpu.mstatus = CpuState.MSTATUS_MIE;
        m.emit(
            auipc(5, 0),                            // 0
            addi(5, 5, 64),                         // 4
            csrrw(0, Interpreter.CSR_MTVEC, 5),     // 8
            addi(10, 0, 1),                         // 12
            ecall(),                                // 16
            addi(11, 0, 2),                         // 20
            csrrs(12, Interpreter.CSR_MSTATUS, 0),  // 24
            wfi());                                 // 28
        m.at(64).emit(
            csrrs(6, Interpreter.CSR_MCAUSE, 0),
            csrrs(7, Interpreter.CSR_MEPC, 0),
            csrrs(8, Interpreter.CSR_MSTATUS, 0),
            csrrs(9, Interpreter.CSR_MTVAL, 0),
            addi(7, 7, 4),
            csrrw(0, Interpreter.CSR_MEPC, 7),
            mret());
        runToWfi(4 + 7 + 3);
        assertEquals(Interpreter.CAUSE_ECALL_M, m.x(6));
        assertEquals(BASE + 20, m.x(7));
        assertEquals(0, m.x(9));
        final long inHandler = m.x(8);
        assertEquals(0, inHandler & CpuState.MSTATUS_MIE, "MIE cleared on trap entry");
        assertEquals(CpuState.MSTATUS_MPIE, inHandler & CpuState.MSTATUS_MPIE, "old MIE saved in MPIE");
        assertEquals(3L << 11, inHandler & CpuState.MSTATUS_MPP, "MPP = M");
        assertEquals(1, m.x(10));
        assertEquals(2, m.x(11));
        final long after = m.x(12);
        assertEquals(CpuState.MSTATUS_MIE, after & CpuState.MSTATUS_MIE, "MIE restored by MRET");
        assertEquals(0, after & CpuState.MSTATUS_MPP, "MPP = U after MRET");
        assertEquals(CpuState.PRIV_M, m.cpu.priv);
        assertEquals(BASE + 32, m.cpu.pc);
    }

    @Test
    void illegalInstructionTrapsWithTheInstructionInMtval()
    {
        m.cpu.mtvec = BASE + 0x100;
        m.emit(0xFFFF_FFFF);
        m.at(0x100).emit(wfi());
        runToWfi(1);
        assertEquals(Interpreter.CAUSE_ILLEGAL_INSTRUCTION, m.cpu.mcause);
        assertEquals(0xFFFF_FFFFL, m.cpu.mtval);
        assertEquals(BASE, m.cpu.mepc);
    }

    @Test
    void writingAReadOnlyOrMissingCsrIsIllegal()
    {
        m.cpu.mtvec = BASE + 0x100;
        final int insn = csrrw(0, Interpreter.CSR_MHARTID, 1);
        m.emit(insn);
        m.at(0x100).emit(csrrs(5, 0x7C0, 0));  // no such CSR: traps again, from the handler
        assertEquals(StopReason.TRAP_LOOP, m.run(100));
        assertEquals(Interpreter.CAUSE_ILLEGAL_INSTRUCTION, m.cpu.mcause);
        assertEquals(csrrs(5, 0x7C0, 0) & 0xFFFF_FFFFL, m.cpu.mtval);
        assertEquals(BASE + 0x100, m.cpu.mepc);
        assertEquals(0, m.cpu.instret);
    }

    @Test
    void readingMhartidWithX0SourceIsLegalButWritingItIsNot()
    {
        m.cpu.mtvec = BASE + 0x100;
        final int insn = csrrw(0, Interpreter.CSR_MHARTID, 1);
        m.emit(csrrs(2, Interpreter.CSR_MHARTID, 0), insn);
        m.at(0x100).emit(wfi());
        runToWfi(2);
        assertEquals(Interpreter.CAUSE_ILLEGAL_INSTRUCTION, m.cpu.mcause);
        assertEquals(insn & 0xFFFF_FFFFL, m.cpu.mtval);
        assertEquals(BASE + 4, m.cpu.mepc);
    }

    @Test
    void loadOutsideRamIsAnAccessFaultNotAJvmException()
    {
        m.cpu.mtvec = BASE + 0x100;
        m.set(1, 0x1000);
        m.emit(ld(2, 1, 0));
        m.at(0x100).emit(wfi());
        runToWfi(1);
        assertEquals(Interpreter.CAUSE_LOAD_ACCESS, m.cpu.mcause);
        assertEquals(0x1000, m.cpu.mtval);
        assertEquals(BASE, m.cpu.mepc);
        assertEquals(0, m.x(2));
    }

    @Test
    void storePastTheEndOfRamFaultsAndMisalignedAccessesComplete()
    {
        final long end = BASE + TestMachine.FRAMES * 4096L;
        m.cpu.mtvec = BASE + 0x100;
        m.set(1, end).set(2, BASE + 0x1001);
        m.emit(sd(0, 1, -8));       // last doubleword of RAM: fine
        m.emit(sw(0, 1, 0));        // first word past RAM: store access fault
        m.at(0x100).emit(wfi());
        runToWfi(2);
        assertEquals(Interpreter.CAUSE_STORE_ACCESS, m.cpu.mcause);
        assertEquals(end, m.cpu.mtval);
        assertEquals(BASE + 4, m.cpu.mepc);

        // Misaligned plain loads and stores complete, as on QEMU and Spike, across a page too.
        m.cpu.pc = BASE + 0x200;
        m.set(4, 0x1122_3344_5566_7788L).set(5, BASE + 0x1FFD);
        m.at(0x200).emit(sw(4, 2, 0), sd(4, 5, 0), lw(3, 2, 0), ld(6, 5, 0), lhu(7, 5, 2), wfi());
        runToWfi(8);
        assertEquals(0x5566_7788L, m.x(3));
        assertEquals(0x1122_3344_5566_7788L, m.x(6));
        assertEquals(0x5566L, m.x(7), "the halfword that straddles the page boundary");
        assertEquals(Interpreter.CAUSE_STORE_ACCESS, m.cpu.mcause, "no trap since the first one");

        // A misaligned store that reaches past RAM's end is an access fault at the instruction.
        m.cpu.pc = BASE + 0x300;
        m.at(0x300).emit(sw(0, 1, -2));
        runToWfi(9);
        assertEquals(Interpreter.CAUSE_STORE_ACCESS, m.cpu.mcause);
        assertEquals(end - 2, m.cpu.mtval);
    }

    @Test
    void fetchOutsideRamIsAnInstructionAccessFault()
    {
        m.cpu.mtvec = BASE + 0x100;
        m.set(1, 0x2000);
        m.emit(jalr(0, 1, 0));
        m.at(0x100).emit(wfi());
        runToWfi(2);
        assertEquals(Interpreter.CAUSE_FETCH_ACCESS, m.cpu.mcause);
        assertEquals(0x2000, m.cpu.mtval);
        assertEquals(0x2000, m.cpu.mepc);
    }

    @Test
    void ebreakTraps()
    {
        m.cpu.mtvec = BASE + 0x100;
        m.emit(addi(1, 0, 1), ebreak());
        m.at(0x100).emit(wfi());
        runToWfi(2);
        assertEquals(Interpreter.CAUSE_BREAKPOINT, m.cpu.mcause);
        assertEquals(BASE + 4, m.cpu.mepc);
    }

    @Test
    void sumLoopRetiresAnExactCount()
    {
        m.emit(
            addi(10, 0, 0),         // sum
            addi(11, 0, 1),         // i
            addi(12, 0, 101),       // limit
            add(10, 10, 11),        // loop:
            addi(11, 11, 1),
            bne(11, 12, -8),
            wfi());
        // 3 set-up + 100 iterations of 3 + the wfi.
        final long expected = 3 + 100 * 3 + 1;
        assertEquals(StopReason.BUDGET_EXHAUSTED, m.run(expected - 1));
        assertEquals(expected - 1, m.cpu.instret);
        assertEquals(BASE + 24, m.cpu.pc);
        assertEquals(5050, m.x(10));
        assertEquals(StopReason.WFI, m.run(1));
        assertEquals(expected, m.cpu.instret);
    }

    @Test
    void budgetSlicesDoNotChangeTheResult()
    {
        m.emit(
            addi(10, 0, 0),
            addi(11, 0, 1),
            addi(12, 0, 101),
            add(10, 10, 11),
            addi(11, 11, 1),
            bne(11, 12, -8),
            wfi());
        StopReason r;
        int slices = 0;
        while ((r = m.run(7)) == StopReason.BUDGET_EXHAUSTED)
        {
            slices++;
        }
        assertEquals(StopReason.WFI, r);
        assertEquals(304 / 7, slices);
        assertEquals(304, m.cpu.instret);
        assertEquals(5050, m.x(10));
    }

    @Test
    void zeroBudgetDoesNothing()
    {
        m.emit(addi(1, 0, 1));
        assertEquals(StopReason.BUDGET_EXHAUSTED, m.run(0));
        assertEquals(0, m.cpu.instret);
        assertEquals(BASE, m.cpu.pc);
    }

    @Test
    void compressedInstructionsAdvancePcByTwo()
    {
        m.emitC(c_li(10, 5), c_addi(10, 3));       // 0, 2
        m.emit(addi(12, 10, 1));                    // 4
        m.emitC(c_mv(11, 10));                      // 8
        m.emit(addi(14, 0, 7));                     // 10: a 32-bit instruction at pc % 4 == 2
        m.emitC(c_j(4), c_li(15, 1));               // 14 -> 18, 16 skipped
        m.emitC(c_bnez(10, 4), c_li(15, 2));        // 18 -> 22, 20 skipped
        m.emit(wfi());                              // 22
        assertEquals(StopReason.BUDGET_EXHAUSTED, m.run(2));
        assertEquals(BASE + 4, m.cpu.pc);
        runToWfi(8);
        assertEquals(8, m.x(10));
        assertEquals(8, m.x(11));
        assertEquals(9, m.x(12));
        assertEquals(7, m.x(14));
        assertEquals(0, m.x(15));
        assertEquals(BASE + 26, m.cpu.pc);
    }

    @Test
    void compressedIllegalInstructionReportsSixteenBits()
    {
        m.cpu.mtvec = BASE + 0x100;
        m.emitC((short)0);
        m.at(0x100).emit(wfi());
        runToWfi(1);
        assertEquals(Interpreter.CAUSE_ILLEGAL_INSTRUCTION, m.cpu.mcause);
        assertEquals(0, m.cpu.mtval);
        assertEquals(BASE, m.cpu.mepc);
    }

    @Test
    void atomicsAndReservations()
    {
        final long data = BASE + 0x1000;
        m.set(1, data).set(2, 5).set(3, -1);
        m.emit(
            sd(2, 1, 0),
            lr_d(4, 1),
            sc_d(5, 3, 1),          // succeeds: 0
            sc_d(6, 2, 1),          // no reservation: 1
            amoadd_d(7, 2, 1),      // old -1, new 4
            amominu_w(8, 3, 1),     // old 4, min_u(4, 0xFFFFFFFF) = 4
            amomax_w(9, 3, 1),      // old 4, max(4, -1) = 4
            amoswap_w(10, 3, 1),    // old 4, new low word -1
            ld(11, 1, 0),
            wfi());
        runToWfi(10);
        assertEquals(5, m.x(4));
        assertEquals(0, m.x(5));
        assertEquals(1, m.x(6));
        assertEquals(-1, m.x(7));
        assertEquals(4, m.x(8));
        assertEquals(4, m.x(9));
        assertEquals(4, m.x(10));
        assertEquals(0xFFFF_FFFFL, m.x(11));
    }
}
