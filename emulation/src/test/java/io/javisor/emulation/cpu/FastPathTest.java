package io.javisor.emulation.cpu;

import static io.javisor.emulation.cpu.TestMachine.BASE;
import static io.javisor.emulation.isa.Asm.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The interpreter's fast path ({@code runCached}): slot-indexed execution, the page-end sentinel,
 * page checks only on taken control transfers, the single-compare RAM check, and the decode
 * cache's invalidation by stores.
 */
class FastPathTest
{
    private final TestMachine m = new TestMachine();

    @AfterEach
    void close()
    {
        m.close();
    }

    @Test
    void budgetIsExactOnStraightLineCode()
    {
        for (int i = 0; i < 200; i++)
        {
            m.emit(addi(1, 1, 1));
        }
        assertEquals(StopReason.BUDGET_EXHAUSTED, m.run(37));
        assertEquals(37, m.cpu.instret);
        assertEquals(37, m.x(1));
        assertEquals(BASE + 37 * 4, m.cpu.pc);
        assertEquals(StopReason.BUDGET_EXHAUSTED, m.run(1));
        assertEquals(38, m.cpu.instret);
        assertEquals(BASE + 38 * 4, m.cpu.pc);
        assertEquals(StopReason.BUDGET_EXHAUSTED, m.run(100));
        assertEquals(138, m.x(1));
        assertEquals(BASE + 138 * 4, m.cpu.pc);
    }

    @Test
    void budgetIsExactInALoop()
    {
        m.emit(addi(1, 1, 1), addi(2, 2, 1), jal(0, -8));
        assertEquals(StopReason.BUDGET_EXHAUSTED, m.run(1000));
        assertEquals(1000, m.cpu.instret);
        // 333 full iterations (999 instructions) and the first addi of the next one.
        assertEquals(334, m.x(1));
        assertEquals(333, m.x(2));
        assertEquals(BASE + 4, m.cpu.pc);
    }

    @Test
    void straightLineCodeRunsOffThePageEndIntoTheNextPage()
    {
        m.at(0xFF4).emit(addi(1, 1, 1), addi(1, 1, 2), addi(1, 1, 4));
        m.at(0x1000).emit(addi(1, 1, 8), wfi());
        m.cpu.pc = BASE + 0xFF4;
        assertEquals(StopReason.WFI, m.run(100));
        assertEquals(15, m.x(1));
        assertEquals(5, m.cpu.instret);
    }

    @Test
    void compressedInstructionInTheLastSlotOfAPage()
    {
        m.at(0xFFC).emitC(c_addi(1, 3), c_addi(1, 4));
        m.at(0x1000).emit(wfi());
        m.cpu.pc = BASE + 0xFFC;
        assertEquals(StopReason.WFI, m.run(100));
        assertEquals(7, m.x(1));
        assertEquals(3, m.cpu.instret);
    }

    @Test
    void instructionCrossingThePageEndRunsOnTheGeneralPath()
    {
        m.at(0xFFA).emitC(c_addi(1, 1));
        m.emitC(c_addi(1, 2));
        m.emit(addi(1, 1, 4));    // at 0xFFE: its upper half is in the next page
        m.emit(wfi());
        m.cpu.pc = BASE + 0xFFA;
        assertEquals(StopReason.WFI, m.run(100));
        assertEquals(7, m.x(1));
        assertEquals(4, m.cpu.instret);
    }

    @Test
    void takenBranchesAndJumpsLeaveThePageAtTheExactPc()
    {
        m.at(0xFF8).emit(beq(0, 0, 0x20), wfi());    // to 0x1018
        m.at(0x1018).emit(addi(1, 1, 1), jal(5, -0x1000));    // to 0x1C
        m.at(0x1C).emit(addi(1, 1, 2), jalr(0, 5, 0));    // back to 0x1020
        m.at(0x1020).emit(wfi());
        m.cpu.pc = BASE + 0xFF8;
        assertEquals(StopReason.WFI, m.run(100));
        assertEquals(3, m.x(1));
        assertEquals(BASE + 0x1020, m.x(5));
        assertEquals(6, m.cpu.instret);
    }

    @Test
    void branchIntoTheSecondHalfOfAPairRunsItAlone()
    {
        m.emit(
            beq(0, 0, 8),
            lui(1, 0x12345),
            addi(1, 1, 5),
            auipc(2, 0),
            addi(2, 2, 3),
            beq(0, 0, 8),
            auipc(3, 0),
            addi(3, 3, 1),
            wfi());
        assertEquals(StopReason.WFI, m.run(100));
        assertEquals(5, m.x(1));
        assertEquals(BASE + 12 + 3, m.x(2));
        assertEquals(1, m.x(3));
        assertEquals(7, m.cpu.instret);
    }

    @Test
    void storeIntoAnInstructionLaterInThePageTakesEffect()
    {
        final int patched = addi(1, 1, 100);
        m.set(2, patched).set(4, BASE).set(5, 2);
        m.emit(
            addi(3, 3, 1),       // 0x00: pass counter
            addi(1, 1, 1),       // 0x04: rewritten by the store below after its first run
            sw(2, 4, 4),         // 0x08
            beq(3, 5, 8),        // 0x0C: second pass: to wfi
            jal(0, -16),         // 0x10
            wfi());              // 0x14
        assertEquals(StopReason.WFI, m.run(100));
        assertEquals(101, m.x(1));
        assertEquals(10, m.cpu.instret);
    }

    @Test
    void storeIntoTheNextInstructionOfTheRunTakesEffect()
    {
        m.set(2, addi(1, 0, 42)).set(4, BASE + 8);
        m.emit(
            jal(0, 8),           // 0x00: decode the page's first slots via a jump
            wfi(),
            sw(2, 4, 0),         // 0x08: patch the very next instruction
            addi(1, 0, 1),       // 0x0C
            wfi());
        m.set(4, BASE + 12);
        assertEquals(StopReason.WFI, m.run(100));
        assertEquals(42, m.x(1));
    }

    @Test
    void fenceIAfterAStoreRunsTheNewCode()
    {
        m.set(2, addi(1, 0, 7)).set(4, BASE).set(7, 2);
        m.emit(
            addi(1, 0, 3),       // 0x00: run once, then rewritten
            sw(2, 4, 0),         // 0x04
            fence_i(),           // 0x08
            addi(6, 6, 1),       // 0x0C
            beq(6, 7, 8),        // 0x10: second pass: to wfi
            jal(0, -20),         // 0x14: back to 0x00
            wfi());              // 0x18
        assertEquals(StopReason.WFI, m.run(100));
        assertEquals(7, m.x(1));
        assertEquals(2, m.x(6));
        assertEquals(12, m.cpu.instret);
    }

    @Test
    void accessesAtTheEndOfRamStillWork()
    {
        final long end = BASE + TestMachine.FRAMES * 4096L;
        m.set(1, end - 8).set(2, 0x1122_3344_5566_7788L).set(3, end - 1).set(4, end - 16);
        m.emit(
            sd(2, 1, 0),
            ld(5, 1, 0),
            lb(6, 3, 0),
            sd(2, 4, 0),
            ld(7, 4, 0),
            wfi());
        assertEquals(StopReason.WFI, m.run(100));
        assertEquals(0x1122_3344_5566_7788L, m.x(5));
        assertEquals(0x11, m.x(6));
        assertEquals(0x1122_3344_5566_7788L, m.x(7));
        assertEquals(6, m.cpu.instret);
    }

    @Test
    void writesToX0AreDiscarded()
    {
        m.emit(addi(0, 0, 5), lui(0, 1), jal(0, 4), add(1, 0, 0), wfi());
        assertEquals(StopReason.WFI, m.run(100));
        assertEquals(0, m.x(0));
        assertEquals(0, m.x(1));
    }
}
