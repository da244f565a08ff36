package io.javisor.emulation.fuzz;

import io.javisor.emulation.cpu.CpuState;
import io.javisor.emulation.cpu.Interpreter;
import io.javisor.emulation.cpu.StopReason;
import io.javisor.memory.testing.Seed;
import io.javisor.memory.testing.Seeded;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;
import java.util.function.Consumer;

import static io.javisor.emulation.fuzz.FuzzLayout.*;
import static io.javisor.emulation.isa.Asm.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hand-written regions for what a translator finds hardest, each run on both machines through the
 * {@link DifferentialHarness} (so A and B must agree) and checked against what the specification
 * says (so the harness is not comparing two wrong answers).
 */
@Seeded
class TargetedDifferentialTest
{
    private static final int A0 = 10, A1 = 11, A2 = 12, S0 = 8, S1 = 9, T0 = 5, T1 = 6;

    private final DifferentialHarness harness = new DifferentialHarness();

    @AfterEach
    void close()
    {
        harness.close();
    }

    /** An image with the fuzzer's trap handlers and {@code code} at {@link FuzzLayout#CODE} (or where it moves). */
    private static FuzzImage image(final Consumer<CodeBuffer> code)
    {
        final FuzzImage image = new FuzzImage("targeted");
        RandomRegionGenerator.writeHandlers(image.ram);
        image.ram[(int)(pagePa(FIRST_DATA_PAGE) - BASE)] = 0x11;
        image.ram[(int)(pagePa(FIRST_DATA_PAGE + 1) - BASE)] = 0x22;
        code.accept(new CodeBuffer(image.ram, CODE, CODE_END));
        return image;
    }

    private static Region region(final long entry, final int priv)
    {
        final Region r = new Region();
        r.name = "targeted";
        r.entry = entry;
        r.codeStart = entry;
        r.codeEnd = Math.min(entry + 96, CODE_END);
        r.priv = priv;
        r.budget = 10_000;
        return r;
    }

    /** Identity-map all RAM under Sv39 (code and data RWX, user pages when {@code user}). */
    private static Region sv39(final Region r, final boolean user)
    {
        r.satp = SATP_SV39;
        r.pte(ROOT + 16, pointer(L1)).pte(L1, pointer(L0));
        for (int page = 0; page < PAGES; page++)
        {
            final long u = user && page != 0 && (page < ROOT_PAGE || page > L0_PAGE) ? U : 0;
            r.pte(L0 + 8L * page, leaf(pagePa(page), V | R | W | X | A | D | u));
        }
        return r;
    }

    private ArchitecturalState run(final FuzzImage image, final Region r)
    {
        image.regions.add(r);
        harness.load(image);
        return harness.run(r);
    }

    @Test
    void codeThatRewritesItselfRunsTheNewInstructionAfterFenceI()
    {
        // Twice round a loop whose first instruction the loop body overwrites: the first trip runs
        // the original (a0 = 1), the second the replacement (a0 = 42), so a1 = 43.
        final long[] slot = new long[1];
        final FuzzImage image = image(c ->
        {
            c.word(addi(S1, 0, 2));
            slot[0] = c.pc();
            c.word(addi(A0, 0, 1));                                    // the slot (4-aligned)
            c.word(add(A1, A1, A0));
            final long here = c.pc();
            c.word(auipc(T0, 0));
            c.word(lui(T1, addi(A0, 0, 42) + 0x800 >>> 12));
            c.word(addiw(T1, T1, addi(A0, 0, 42) << 20 >> 20));
            c.word(sw(T1, T0, (int)(slot[0] - here)));
            c.word(fence_i());
            c.word(addi(S1, S1, -1));
            c.word(bne(S1, 0, (int)(slot[0] - c.pc())));
            c.word(ebreak());
        });
        for (final int priv : new int[] {CpuState.PRIV_M, CpuState.PRIV_S, CpuState.PRIV_U})
        {
            final Region r = region(CODE, priv);
            if (priv != CpuState.PRIV_M)
            {
                sv39(r, priv == CpuState.PRIV_U);
            }
            final ArchitecturalState s = run(image, r);
            assertEquals(43, s.get("a1"), "priv " + priv);
            assertEquals(StopReason.WFI.ordinal(), s.get("stop"));
        }
    }

    @Test
    void anInstructionAndALoopThatStraddleAPageBoundaryRunTheSame()
    {
        // A loop from the end of page 2 into page 3, with a 32-bit instruction across the boundary.
        final long boundary = pagePa(3);
        final FuzzImage image = image(c ->
        {
            c.word(addi(S1, 0, 5));
            c.word(jal(0, (int)(boundary - 6 - c.pc())));
            c.moveTo(boundary - 6);
            final long top = c.pc();
            c.half(c_addi(A0, 3));                                     // boundary - 6
            c.half(c_addi(A1, 1));                                     // boundary - 4
            c.word(add(A2, A2, A0));                                   // boundary - 2: straddles
            c.word(addi(S1, S1, -1));
            c.word(bne(S1, 0, (int)(top - c.pc())));
            c.word(ebreak());
        });
        for (final int priv : new int[] {CpuState.PRIV_M, CpuState.PRIV_S, CpuState.PRIV_U})
        {
            final Region r = region(CODE, priv);
            if (priv != CpuState.PRIV_M)
            {
                sv39(r, priv == CpuState.PRIV_U);
            }
            final ArchitecturalState s = run(image, r);
            assertEquals(15, s.get("a0"));
            assertEquals(5, s.get("a1"));
            assertEquals(3 + 6 + 9 + 12 + 15, s.get("a2"));
        }

        // The same code with page 3 not executable: the straddling instruction's second half
        // faults, reported at the boundary (tval) for the instruction at boundary - 2 (epc).
        final Region r = sv39(region(CODE, CpuState.PRIV_S), false);
        r.pte(L0 + 8 * 3, leaf(pagePa(3), V | R | W | A | D));
        final ArchitecturalState s = run(image, r);
        assertEquals(Interpreter.CAUSE_FETCH_PAGE_FAULT, s.get("mcause"));
        assertEquals(boundary - 2, s.get("mepc"));
        assertEquals(boundary, s.get("mtval"));
        assertEquals(3, s.get("a0"));
    }

    private static FuzzImage countingLoop(final int trips)
    {
        // a0 counts to trips; the loop is 3 instructions: addi, addi, bne.
        return image(c ->
        {
            c.word(addi(S1, 0, trips));
            final long top = c.pc();
            c.word(addi(A0, A0, 1));
            c.word(addi(S1, S1, -1));
            c.word(bne(S1, 0, (int)(top - c.pc())));
            c.word(ebreak());
        });
    }

    @Test
    void aTimerInterruptArrivingAtAnyStepOfAGuestLoopIsTakenThereAndTheLoopResumes()
    {
        final FuzzImage image = countingLoop(20);
        final Region plain = region(CODE, CpuState.PRIV_M);
        final long instretWithout = run(image, plain).get("instret");
        for (int step = 0; step < 62; step++)
        {
            final Region r = region(CODE, CpuState.PRIV_M);
            r.mstatus = CpuState.MSTATUS_MIE;
            r.mie = 1L << CpuState.IRQ_MTIP;
            r.interruptAt = step;
            r.interruptBit = CpuState.IRQ_MTIP;
            final ArchitecturalState s = run(image, r);
            assertEquals(20, s.get("a0"), "interrupt before step " + step);
            // The handler's interrupt path is 4 instructions: csrr, blt, csrw mie, mret.
            assertEquals(instretWithout + 4, s.get("instret"), "interrupt before step " + step);
        }
    }

    @Test
    void aBudgetStopsExactlyAtEveryStepOfALoopWhereverBSplitsIt(final Seed seed)
    {
        final SplittableRandom random = seed.splittableRandom();
        final FuzzImage image = countingLoop(50);
        for (int budget = 1; budget <= 150; budget++)
        {
            final Region r = region(CODE, budget % 2 == 0 ? CpuState.PRIV_M : CpuState.PRIV_U);
            if (r.priv == CpuState.PRIV_U)
            {
                sv39(r, true);
            }
            r.budget = budget;
            r.cuts = random.ints(random.nextInt(4), 1, budget + 1).asLongStream().sorted().toArray();
            final ArchitecturalState s = run(image, r);
            assertEquals(budget, s.get("instret"), "budget " + budget);
            assertEquals(StopReason.BUDGET_EXHAUSTED.ordinal(), s.get("stop"));
            final long body = budget - 1;                             // after the first addi
            assertEquals(body / 3 + (body % 3 > 0 ? 1 : 0), s.get("a0"), "budget " + budget);
            assertEquals(CODE + 4 + 4 * ((body % 3)), s.get("pc"), "budget " + budget);
        }
        // Past the loop's end: the EBREAK traps and the handler stops the hart.
        for (int budget = 151; budget <= 170; budget++)
        {
            final Region r = region(CODE, CpuState.PRIV_M);
            r.budget = budget;
            r.cuts = random.ints(random.nextInt(4), 1, budget + 1).asLongStream().sorted().toArray();
            run(image, r);
        }
    }

    @Test
    void aPageTableChangeMidRunTakesEffectAfterSfenceVma()
    {
        // S-mode: load through VA D (data page 9), point D's PTE at page 10, SFENCE.VMA (all, or
        // that address), load again: the new page's byte.
        final long va = pagePa(FIRST_DATA_PAGE);
        final long pteAddress = L0 + 8L * FIRST_DATA_PAGE;
        for (final boolean allAddresses : new boolean[] {true, false})
        {
            final FuzzImage image = image(c ->
            {
                c.word(lbu(A0, S0, 0));
                c.word(sd(T1, T0, 0));
                c.word(allAddresses ? sfence_vma(0, 0) : sfence_vma(S0, 0));
                c.word(lbu(A1, S0, 0));
                c.word(ebreak());
            });
            final Region r = sv39(region(CODE, CpuState.PRIV_S), false);
            r.x[S0] = va;
            r.x[T0] = pteAddress;
            r.x[T1] = leaf(pagePa(FIRST_DATA_PAGE + 1), V | R | W | A | D);
            final ArchitecturalState s = run(image, r);
            assertEquals(0x11, s.get("a0"));
            assertEquals(0x22, s.get("a1"));
        }
    }

    @Test
    void theHarnessNamesEveryDifferenceBetweenTheMachines()
    {
        final FuzzImage image = image(c ->
        {
            c.word(ld(A0, S0, 0));
            c.word(sd(A0, S0, 8));
            c.word(ebreak());
        });
        final Region r = region(CODE, CpuState.PRIV_M);
        r.x[S0] = pagePa(FIRST_DATA_PAGE + 2);
        image.regions.add(r);
        harness.load(image);
        harness.b.memory.putLong(r.x[S0] - BASE, 0x1234);              // B's RAM differs at the start
        final AssertionError e = assertThrows(AssertionError.class, () -> harness.run(r));
        assertTrue(e.getMessage().contains("x10/a0"), e.getMessage());
        assertTrue(e.getMessage().contains(String.format("ram 0x%08x", r.x[S0] + 8)), e.getMessage());
        assertTrue(e.getMessage().contains("ld rd=10 rs1=8"), e.getMessage());
    }
}
