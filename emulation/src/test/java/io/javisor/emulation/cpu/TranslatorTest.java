package io.javisor.emulation.cpu;

import static io.javisor.emulation.cpu.TestMachine.BASE;
import static io.javisor.emulation.isa.Asm.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.javisor.emulation.jit.Translator;
import io.javisor.emulation.jit.TranslatorStatistics;
import org.junit.jupiter.api.Test;

import java.lang.management.ClassLoadingMXBean;
import java.lang.management.ManagementFactory;
import java.util.function.Consumer;

/**
 * Tier 1 against tier 0: every program runs on two machines, one with the translator forced at
 * threshold 0 and one interpreting only, and must leave the same registers, pc, instret and memory.
 * Plus what only the translator has: self-modifying code, FENCE.I, page-table changes, budgets and
 * interrupts inside translated loops, and a code cache smaller than the code.
 */
class TranslatorTest
{
    private static final long INTERRUPT = Long.MIN_VALUE;

    /** Build the same program on a translating and an interpreting machine, run both, compare. */
    private static TestMachine[] both(final Consumer<TestMachine> program, final long... budgets)
    {
        final TestMachine jit = new TestMachine();
        final TestMachine interp = new TestMachine();
        jit.interpreter.setTranslationThreshold(0);
        interp.interpreter.setTranslationThreshold(-1);
        program.accept(jit);
        program.accept(interp);
        for (final long budget : budgets)
        {
            final StopReason a = jit.run(budget);
            final StopReason b = interp.run(budget);
            assertEquals(b, a, "stop reason");
            assertSame(interp, jit);
        }
        return new TestMachine[] {jit, interp};
    }

    private static void assertSame(final TestMachine expected, final TestMachine actual)
    {
        assertArrayEquals(java.util.Arrays.copyOf(expected.cpu.x, 32), java.util.Arrays.copyOf(actual.cpu.x, 32),
            "registers");
        assertEquals(expected.cpu.pc, actual.cpu.pc, "pc");
        assertEquals(expected.cpu.instret, actual.cpu.instret, "instret");
        assertEquals(expected.cpu.mcause, actual.cpu.mcause, "mcause");
        assertEquals(expected.cpu.mepc, actual.cpu.mepc, "mepc");
        for (long off = 0; off < TestMachine.FRAMES * 4096L; off += 8)
        {
            assertEquals(expected.memory.getLong(off), actual.memory.getLong(off), "memory at " + off);
        }
    }

    private static void close(final TestMachine[] machines)
    {
        for (final TestMachine m : machines)
        {
            m.close();
        }
    }

    private static TranslatorStatistics stats(final TestMachine m)
    {
        return m.interpreter.translator().statistics();
    }

    @Test
    void loopRunsTranslatedWithTheInterpretersResult()
    {
        final TestMachine[] ms = both(m -> m
            .set(2, 1000).set(8, BASE + 0x800)
            .emit(addi(5, 5, 3), mul(6, 5, 5), sd(6, 8, 0), ld(7, 8, 0), add(9, 9, 7), addi(1, 1, 1), bne(1, 2, -24),
                wfi()), 1_000_000);
        assertTrue(stats(ms[0]).regionsTranslated() > 0);
        assertTrue(stats(ms[0]).instructionsRetired() > 6000);
        close(ms);
    }

    @Test
    void budgetStopIsExactInsideTranslatedCode()
    {
        // Budgets that end everywhere in the loop, and 0-instruction leftovers.
        final long[] budgets = new long[300];
        for (int i = 0; i < budgets.length; i++)
        {
            budgets[i] = 1 + i % 17;
        }
        final TestMachine[] ms = both(m -> m
            .set(2, 100_000).set(8, BASE + 0x800)
            .emit(addi(5, 5, 1), sw(5, 8, 0), beq(5, 0, 8), addi(6, 6, 1), addi(1, 1, 1), bne(1, 2, -20), wfi()),
            budgets);
        assertTrue(stats(ms[0]).instructionsRetired() > 0);
        close(ms);
    }

    @Test
    void overlappingInstructionsCountEveryInstructionOfTheRunThatFallsThroughThem()
    {
        // The branch targets 0x06, the upper half of the LUI at 0x04 (0x0305: c.addi x6, 1), so the
        // region holds both; both fall through to 0x08. Run through the LUI (the branch is not taken),
        // the two ADDIs after it must be retired too: 5 instructions to the WFI, not 3.
        final TestMachine[] ms = both(m -> m
            .set(5, 1)
            .emit(
                beq(5, 0, 6),       // 0x00: to 0x06 when x5 == 0
                lui(10, 0x03050),   // 0x04: 0x03050537; bytes 0x06..0x07 are 0x0305
                addi(7, 7, 1),      // 0x08
                addi(8, 8, 1),      // 0x0C
                wfi()), 100);
        assertEquals(5, ms[0].cpu.instret);
        assertTrue(stats(ms[0]).instructionsRetired() > 0);
        close(ms);
    }

    @Test
    void codeRewrittenAfterItRanInTwoPrivilegesIsNeverRunStale()
    {
        // The same entry translated in M and then in S: the S region takes the entry's key. New code
        // written there must drop both, so that back in M the new code runs, not the first region.
        final TestMachine jit = new TestMachine();
        final TestMachine interp = new TestMachine();
        jit.interpreter.setTranslationThreshold(0);
        interp.interpreter.setTranslationThreshold(-1);
        final TestMachine[] ms = {jit, interp};
        for (final TestMachine m : ms)
        {
            m.emit(addi(5, 5, 1), addi(6, 6, 1), wfi());
            assertEquals(StopReason.WFI, m.run(100));
            m.cpu.priv = CpuState.PRIV_S;
            m.cpu.pc = BASE;
            assertEquals(StopReason.WFI, m.run(100));
            m.at(0).emit(addi(7, 7, 1), addi(7, 7, 1), addi(7, 7, 1), wfi());
            m.cpu.priv = CpuState.PRIV_M;
            m.cpu.pc = BASE;
            assertEquals(StopReason.WFI, m.run(100));
        }
        assertSame(interp, jit);
        assertEquals(3, jit.x(7));
        assertTrue(stats(jit).instructionsRetired() > 0);
        close(ms);
    }

    @Test
    void storeIntoTheRunningRegionTakesEffectAtOnce()
    {
        final TestMachine[] ms = both(m -> m
            .set(2, 10).set(4, 2).set(6, addi(5, 5, 100)).set(7, BASE + 8)
            .emit(
                addi(1, 0, 0),      // 0x00
                addi(3, 0, 0),      // 0x04
                addi(5, 5, 1),      // 0x08: patched to addi x5, x5, 100 after the first round
                addi(1, 1, 1),      // 0x0C
                bne(1, 2, -8),      // 0x10
                sw(6, 7, 0),        // 0x14: store into this very loop
                addi(3, 3, 1),      // 0x18
                addi(1, 0, 0),      // 0x1C
                blt(3, 4, -24),     // 0x20: back to 0x08
                wfi()), 1_000);
        assertEquals(10 + 1000, ms[0].x(5));
        assertTrue(stats(ms[0]).invalidations() > 0);
        close(ms);
    }

    @Test
    void codeAcrossAPageBoundaryAndAStoreIntoTheOtherPage()
    {
        final TestMachine[] ms = both(m ->
        {
            m.set(2, 10).set(4, 2).set(6, addi(5, 5, 100)).set(7, BASE + 0xFF8)
                .at(0xFF8).emit(
                    addi(5, 5, 1),      // 0xFF8, patched from the next page
                    jal(0, 4),          // 0xFFC: onto the next page
                    addi(1, 1, 1),      // 0x1000
                    bne(1, 2, -12),     // 0x1004: back to 0xFF8
                    sw(6, 7, 0),        // 0x1008
                    addi(3, 3, 1),      // 0x100C
                    addi(1, 0, 0),      // 0x1010
                    blt(3, 4, -28),     // 0x1014: back to 0xFF8
                    wfi());
            m.cpu.pc = BASE + 0xFF8;
        }, 1_000);
        assertEquals(10 + 1000, ms[0].x(5));
        assertTrue(stats(ms[0]).invalidations() > 0);
        close(ms);
    }

    @Test
    void fenceIMakesCodeWrittenBehindTheCpusBackVisible()
    {
        final TestMachine[] ms = both(m -> m
            .set(2, 1000)
            .emit(addi(5, 5, 1), addi(1, 1, 1), bne(1, 2, -8), wfi(),
                fence_i(), addi(1, 0, 0), jal(0, -24)), 100_000);
        for (final TestMachine m : ms)
        {
            // Patched without telling the CPU: only FENCE.I makes it visible.
            m.memory.putInt(0, addi(5, 5, 100));
            m.cpu.pc = BASE + 16;
        }
        assertEquals(StopReason.WFI, ms[0].run(100_000));
        assertEquals(StopReason.WFI, ms[1].run(100_000));
        assertSame(ms[1], ms[0]);
        assertEquals(1000 + 100 * 1000, ms[0].x(5));
        close(ms);
    }

    @Test
    void pageTableChangeMidRunIsSeenAfterSfenceVma()
    {
        final long root = 0x1000, l1 = 0x2000, l0 = 0x3000, code = 0x4000, data = 0x5000, data2 = 0x6000;
        final long v = Sv39.PTE_V, r = Sv39.PTE_R, w = Sv39.PTE_W, x = Sv39.PTE_X;
        final TestMachine[] ms = both(m ->
        {
            m.memory.putLong(root, (BASE + l1) >>> 12 << 10 | v);
            m.memory.putLong(l1, (BASE + l0) >>> 12 << 10 | v);
            m.memory.putLong(l0 + 8, (BASE + code) >>> 12 << 10 | r | x | v);      // VA 0x1000: code
            m.memory.putLong(l0 + 16, (BASE + data) >>> 12 << 10 | r | w | v);     // VA 0x2000: data
            m.memory.putLong(l0 + 24, (BASE + l0) >>> 12 << 10 | r | w | v);       // VA 0x3000: the L0 table
            m.memory.putLong(data, 5);
            m.memory.putLong(data2, 7);
            m.cpu.mtvec = BASE + 0x100;
            m.at(0x100).emit(wfi());
            m.set(8, 0x2000).set(9, 0x3000).set(2, 10).set(4, 2)
                .set(12, (BASE + data2) >>> 12 << 10 | r | w | v);
            m.at(code).emit(
                ld(10, 8, 0),         // 0x1000: loop
                add(11, 11, 10),
                addi(1, 1, 1),
                bne(1, 2, -12),
                sd(12, 9, 16),        // remap VA 0x2000 to data2
                sfence_vma(0, 0),
                addi(1, 0, 0),
                addi(3, 3, 1),
                blt(3, 4, -32),
                wfi());
            m.cpu.satp = Sv39.SATP_MODE_SV39 << 60 | (BASE + root) >>> 12;
            m.interpreter.flushTlb();
            m.cpu.priv = CpuState.PRIV_S;
            m.cpu.pc = 0x1000;
        }, 10_000);
        assertEquals(10 * 5 + 10 * 7, ms[0].x(11));
        assertTrue(stats(ms[0]).instructionsRetired() > 0);
        close(ms);
    }

    /** A root table mapping VA 0x1000 to code (RX), 0x2000 to a user data page (RW, D set) and 0x3000 to its L0. */
    private static void mapCodeAndUserData(final TestMachine m, final long code, final long data)
    {
        final long root = 0x1000, l1 = 0x2000, l0 = 0x3000;
        final long v = Sv39.PTE_V, r = Sv39.PTE_R, w = Sv39.PTE_W, x = Sv39.PTE_X;
        m.memory.putLong(root, (BASE + l1) >>> 12 << 10 | v);
        m.memory.putLong(l1, (BASE + l0) >>> 12 << 10 | v);
        m.memory.putLong(l0 + 8, (BASE + code) >>> 12 << 10 | r | x | v | Sv39.PTE_A);
        m.memory.putLong(l0 + 16, (BASE + data) >>> 12 << 10 | r | w | v | Sv39.PTE_U | Sv39.PTE_A | Sv39.PTE_D);
        m.cpu.satp = Sv39.SATP_MODE_SV39 << 60 | (BASE + root) >>> 12;
        m.interpreter.flushTlb();
    }

    @Test
    void loadsAndStoresUnderSv39HitTheInlineTlbWithoutCallingTheMmu()
    {
        final TestMachine[] ms = both(m ->
        {
            mapCodeAndUserData(m, 0x4000, 0x5000);
            m.cpu.mstatus |= CpuState.MSTATUS_SUM;
            m.set(8, 0x2000).set(2, 1000);
            m.at(0x4000).emit(ld(10, 8, 0), addi(10, 10, 3), sd(10, 8, 8), ld(11, 8, 8), sw(11, 8, 0),
                addi(1, 1, 1), bne(1, 2, -24), wfi());
            m.cpu.priv = CpuState.PRIV_S;
            m.cpu.pc = 0x1000;
        }, 100_000);
        assertEquals(3000, ms[0].x(11));
        // 4,000 accesses in translated code; the MMU was asked only while the inline TLB filled.
        assertTrue(stats(ms[0]).instructionsRetired() > 6_000);
        assertTrue(stats(ms[0]).inlineTlbMisses() < 10, () -> "misses " + stats(ms[0]).inlineTlbMisses());
        close(ms);
    }

    @Test
    void inlineTlbVerdictsFollowSumCleared()
    {
        // S-mode reads a user page with SUM set, from translated code, then clears SUM and runs the same
        // loop again: the first load must now take a load page fault, as interpreted.
        final TestMachine[] ms = both(m ->
        {
            mapCodeAndUserData(m, 0x4000, 0x5000);
            m.memory.putLong(0x5000, 5);
            m.cpu.mstatus |= CpuState.MSTATUS_SUM;
            m.cpu.mtvec = BASE + 0x100;
            m.at(0x100).emit(wfi());
            m.set(8, 0x2000).set(2, 10).set(13, CpuState.MSTATUS_SUM);
            m.at(0x4000).emit(ld(10, 8, 0), add(11, 11, 10), addi(1, 1, 1), bne(1, 2, -12),
                csrrc(0, Interpreter.CSR_SSTATUS, 13), addi(1, 0, 0), jal(0, -24));
            m.cpu.priv = CpuState.PRIV_S;
            m.cpu.pc = 0x1000;
        }, 10_000);
        assertEquals(Interpreter.CAUSE_LOAD_PAGE_FAULT, ms[0].cpu.mcause);
        assertEquals(0x1000, ms[0].cpu.mepc);
        assertEquals(50, ms[0].x(11));
        assertTrue(stats(ms[0]).instructionsRetired() > 0);
        close(ms);
    }

    /**
     * A device for the direct-call path: offset 0 reads a counter of reads with bit 31 set (LW must
     * sign-extend it, LWU must not), offset 4 reads 0x80 (for LB/LBU), and a store to offset 8 raises
     * MEIP on the hart.
     */
    private static final class DoorbellDevice implements io.javisor.emulation.board.MmioDevice
    {
        static final long BASE = 0x1000_0000L;
        /** The hart whose MEIP a ring raises; set once the machine exists. */
        CpuState cpu;
        long reads;

        @Override
        public long size()
        {
            return 0x10;
        }

        @Override
        public long read(final long offset, final int size)
        {
            reads++;
            return offset == 4 ? 0x80 : 0x8000_0000L | reads;
        }

        @Override
        public void write(final long offset, final int size, final long value)
        {
            if (offset == 8)
            {
                cpu.setPending(CpuState.IRQ_MEIP, true);
            }
        }
    }

    private static TestMachine[] bothWithDoorbell(final Consumer<TestMachine> program, final long budget)
    {
        final TestMachine[] ms = new TestMachine[2];
        for (int i = 0; i < 2; i++)
        {
            final DoorbellDevice device = new DoorbellDevice();
            final TestMachine m = new TestMachine(DoorbellDevice.BASE, device);
            device.cpu = m.cpu;
            m.interpreter.setTranslationThreshold(i == 0 ? 0 : -1);
            program.accept(m);
            ms[i] = m;
        }
        assertEquals(ms[1].run(budget), ms[0].run(budget), "stop reason");
        assertSame(ms[1], ms[0]);
        return ms;
    }

    @Test
    void deviceRegistersAreReadFromTranslatedCodeWithoutLeavingIt()
    {
        final TestMachine[] ms = bothWithDoorbell(m -> m
            .set(2, 1000).set(8, DoorbellDevice.BASE)
            .emit(lw(5, 8, 0), add(9, 9, 5), lwu(6, 8, 0), add(10, 10, 6), lb(7, 8, 4), add(11, 11, 7),
                lbu(7, 8, 4), add(12, 12, 7), addi(1, 1, 1), bne(1, 2, -36), wfi()), 100_000);
        // Sign extension as the interpreter does it, and nothing read twice (the counter would differ).
        assertTrue(ms[0].x(9) < 0 && ms[0].x(10) > 0, () -> "x9 " + ms[0].x(9) + " x10 " + ms[0].x(10));
        assertEquals(-0x80 * 1000L, ms[0].x(11));
        assertEquals(0x80 * 1000L, ms[0].x(12));
        // 3,000 device reads, yet the loop ran in a few calls of its region: the reads did not leave it.
        assertTrue(stats(ms[0]).instructionsRetired() > 9_000);
        assertTrue(stats(ms[0]).dispatches() < 20, () -> "dispatches " + stats(ms[0]).dispatches());
        close(ms);
    }

    @Test
    void aDeviceStoreThatRaisesAnInterruptLeavesTheRegionRightAfterIt()
    {
        final TestMachine[] ms = bothWithDoorbell(m ->
        {
            m.cpu.mtvec = BASE + 0x100;
            m.at(0x100).emit(csrrw(0, Interpreter.CSR_MIE, 0), wfi());
            // Ten rounds of reads, then the doorbell; the ADDI after it must not run before the handler.
            m.set(2, 10).set(8, DoorbellDevice.BASE);
            m.at(0).emit(lw(5, 8, 0), addi(1, 1, 1), bne(1, 2, -8), sw(1, 8, 8), addi(20, 20, 1), addi(20, 20, 1),
                wfi());
            m.cpu.mstatus |= CpuState.MSTATUS_MIE;
            m.cpu.mie = 1L << CpuState.IRQ_MEIP;
        }, 10_000);
        assertEquals(INTERRUPT | CpuState.IRQ_MEIP, ms[0].cpu.mcause);
        assertEquals(BASE + 16, ms[0].cpu.mepc);
        assertEquals(0, ms[0].x(20));
        assertTrue(stats(ms[0]).instructionsRetired() > 0);
        close(ms);
    }

    @Test
    void accessesThatHitNoDeviceTrapExactlyAsInterpreted()
    {
        final TestMachine[] ms = bothWithDoorbell(m ->
        {
            m.cpu.mtvec = BASE + 0x100;
            m.at(0x100).emit(wfi());
            // A store to a hole in the address map after a few good device reads.
            m.set(2, 5).set(8, DoorbellDevice.BASE).set(13, 0x2000_0000L);
            m.at(0).emit(lw(5, 8, 0), addi(1, 1, 1), bne(1, 2, -8), sd(1, 13, 8), addi(20, 20, 1), wfi());
        }, 10_000);
        assertEquals(7, ms[0].cpu.mcause);
        assertEquals(BASE + 12, ms[0].cpu.mepc);
        assertEquals(0x2000_0008L, ms[0].cpu.mtval);
        close(ms);
    }

    @Test
    void aSecondMachineRunningTheSameCodeReusesItsTranslationAndOtherCodeDoesNot()
    {
        // A loop no other test uses, so the first machine's translation is the first anywhere.
        final int salt = 0x5A1;
        final Consumer<TestMachine> program = m -> m
            .set(2, 500).set(8, BASE + 0x800)
            .emit(addi(5, 5, salt), xor(6, 6, 5), sd(6, 8, 0), addi(1, 1, 1), bne(1, 2, -16), wfi());
        final TestMachine[] first = both(program, 100_000);
        assertEquals(0, stats(first[0]).sharedHits());
        final TestMachine[] second = both(program, 100_000);
        assertTrue(stats(second[0]).sharedHits() > 0, () -> stats(second[0]).toString());
        assertSame(first[0], second[0]);
        // The same addresses with one immediate changed: a translation of its own, and its own result.
        final TestMachine[] other = both(m -> m
            .set(2, 500).set(8, BASE + 0x800)
            .emit(addi(5, 5, salt + 1), xor(6, 6, 5), sd(6, 8, 0), addi(1, 1, 1), bne(1, 2, -16), wfi()), 100_000);
        assertEquals(0, stats(other[0]).sharedHits());
        assertEquals(500L * (salt + 1), other[0].x(5));
        close(first);
        close(second);
        close(other);
    }

    @Test
    void infiniteTranslatedLoopStopsOnBudgetAndTakesTheTimerInterrupt()
    {
        final TestMachine[] ms = both(m ->
        {
            m.cpu.mtvec = BASE + 0x100;
            // The handler masks the timer (a pending enabled interrupt makes WFI a no-op) and waits.
            m.at(0x100).emit(csrrw(0, Interpreter.CSR_MIE, 0), wfi());
            m.at(0).emit(addi(1, 1, 1), jal(0, -4));
            m.cpu.mstatus |= CpuState.MSTATUS_MIE;
            m.cpu.mie = 1L << CpuState.IRQ_MTIP;
        }, 100_000, 33_333);
        assertEquals(133_333, ms[0].cpu.instret);
        assertEquals(66_667, ms[0].x(1));
        assertTrue(stats(ms[0]).instructionsRetired() > 100_000);
        for (final TestMachine m : ms)
        {
            m.cpu.setPending(CpuState.IRQ_MTIP, true);
            assertEquals(StopReason.WFI, m.run(100_000));
        }
        assertSame(ms[1], ms[0]);
        assertEquals(INTERRUPT | CpuState.IRQ_MTIP, ms[0].cpu.mcause);
        close(ms);
    }

    @Test
    void aStopRequestEndsAnEndlessTranslatedLoop() throws Exception
    {
        try (TestMachine m = new TestMachine())
        {
            m.interpreter.setTranslationThreshold(0);
            m.emit(addi(1, 1, 1), jal(0, -4));
            final Thread stopper = new Thread(() ->
            {
                try
                {
                    Thread.sleep(100);
                }
                catch (final InterruptedException ignored)
                {
                    Thread.currentThread().interrupt();
                }
                m.interpreter.requestStop();
            });
            stopper.start();
            assertEquals(StopReason.HOST_STOP, m.run(Long.MAX_VALUE));
            stopper.join();
            assertEquals(m.cpu.instret, 2 * m.x(1) - (m.cpu.pc == BASE ? 0 : 1));
            assertTrue(stats(m).instructionsRetired() > 0);
        }
    }

    @Test
    void moreCodeThanTheCacheHoldsKeepsRunningCorrectly()
    {
        final int functions = 12;
        final TestMachine[] ms = both(m ->
        {
            m.interpreter.setTranslation(m.interpreter.translator() == null ? -1 : 0, 4, 200);
            final int[] main = new int[functions + 3];
            for (int k = 1; k <= functions; k++)
            {
                m.at(0x1000L * k).emit(addi(5, 5, k), jalr(0, 1, 0));
                main[k - 1] = jal(1, 0x1000 * k - 4 * (k - 1));
            }
            main[functions] = addi(6, 6, 1);
            main[functions + 1] = bne(6, 7, -4 * (functions + 1));
            main[functions + 2] = wfi();
            m.at(0).emit(main);
            m.set(7, 100);
            m.cpu.pc = BASE;
        }, 1_000_000);
        assertEquals(100L * functions * (functions + 1) / 2, ms[0].x(5));
        final Translator t = ms[0].interpreter.translator();
        assertTrue(t.cachedRegions() <= 4, "entries held: " + t.cachedRegions());
        assertTrue(t.statistics().evictions() > 0);
        close(ms);
    }

    @Test
    void evictedRegionClassesAreUnloaded()
    {
        final ClassLoadingMXBean classes = ManagementFactory.getClassLoadingMXBean();
        System.gc();
        final long loadedBefore = classes.getLoadedClassCount();
        final int functions = 12;
        try (TestMachine m = new TestMachine())
        {
            m.interpreter.setTranslation(0, 4, 200);
            final int[] main = new int[functions + 3];
            for (int k = 1; k <= functions; k++)
            {
                m.at(0x1000L * k).emit(addi(5, 5, k), jalr(0, 1, 0));
                main[k - 1] = jal(1, 0x1000 * k - 4 * (k - 1));
            }
            main[functions] = addi(6, 6, 1);
            main[functions + 1] = bne(6, 7, -4 * (functions + 1));
            main[functions + 2] = wfi();
            m.at(0).emit(main);
            m.set(7, 300);
            assertEquals(StopReason.WFI, m.run(10_000_000));
            assertEquals(300L * functions * (functions + 1) / 2, m.x(5));
            // Every eviction drops the cache's classes, so most of these translations are garbage now.
            final long translated = stats(m).regionsTranslated();
            assertTrue(translated > 1000, "regions translated: " + translated);
            System.gc();
            final long growth = classes.getLoadedClassCount() - loadedBefore;
            assertTrue(growth < translated / 4, translated + " regions translated, loaded classes grew by " + growth);
        }
    }
}
