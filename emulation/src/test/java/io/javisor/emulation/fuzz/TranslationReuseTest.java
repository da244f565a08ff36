package io.javisor.emulation.fuzz;

import io.javisor.emulation.cpu.CpuState;
import io.javisor.emulation.cpu.StopReason;
import io.javisor.emulation.jit.Translator;
import io.javisor.emulation.jit.TranslatorStatistics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static io.javisor.emulation.fuzz.FuzzLayout.BASE;
import static io.javisor.emulation.fuzz.FuzzLayout.CODE;
import static io.javisor.emulation.isa.Asm.addi;
import static io.javisor.emulation.isa.Asm.fence_i;
import static io.javisor.emulation.isa.Asm.wfi;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What tier 1 keeps instead of translating again, and its batches, each against an interpreter-only
 * machine: FENCE.I keeps the regions whose bytes RAM still holds and drops the others, even when the write
 * was not reported; a region that lost its entry to another privilege comes back untranslated while its
 * bytes are unchanged, and only then; entries noted and translated in a batch run as on-demand ones do.
 */
class TranslationReuseTest
{
    private static final int A0 = 10;
    private static final int A1 = 11;
    private static final int A2 = 12;
    /** The second block: after the FENCE.I, which ends the first. */
    private static final long SECOND = CODE + 12;

    private final FuzzMachine tier1 = new FuzzMachine("tier 1", 0);
    private final FuzzMachine interpreter = new FuzzMachine("interpreter", -1);

    @AfterEach
    void close()
    {
        tier1.close();
        interpreter.close();
    }

    /** Two blocks: a0 += 1, a1 += 2; FENCE.I; a2 += 3, a1 += 4; WFI. */
    private void program(final FuzzMachine m)
    {
        final int[] code = {addi(A0, A0, 1), addi(A1, A1, 2), fence_i(), addi(A2, A2, 3), addi(A1, A1, 4), wfi()};
        for (int i = 0; i < code.length; i++)
        {
            write(m, CODE + 4L * i, code[i]);
        }
    }

    /** A loader's write: reported to the interpreter, as {@link FuzzMachine#restore} reports its writes. */
    private static void write(final FuzzMachine m, final long address, final int insn)
    {
        m.memory.putInt(address - BASE, insn);
        m.interpreter.invalidateCode(address, 4);
    }

    /** Run from the program's start in {@code priv} (bare), on both machines, and require the same end. */
    private void runBoth(final int priv)
    {
        for (final FuzzMachine m : new FuzzMachine[] {tier1, interpreter})
        {
            m.cpu.pc = CODE;
            m.cpu.priv = priv;
            assertEquals(StopReason.WFI, m.interpreter.run(100));
        }
        assertArrayEquals(interpreter.cpu.x, tier1.cpu.x);
        assertEquals(interpreter.cpu.pc, tier1.cpu.pc);
        assertEquals(interpreter.cpu.instret, tier1.cpu.instret);
    }

    private TranslatorStatistics stats()
    {
        return tier1.interpreter.translator().statistics();
    }

    @Test
    void fenceIKeepsTheRegionsWhoseBytesAreUnchangedAndDropsTheOthersEvenWhenTheWriteWasNotReported()
    {
        program(tier1);
        program(interpreter);
        runBoth(CpuState.PRIV_M);
        final long translated = stats().regionsTranslated();
        assertEquals(2, translated, "the two blocks");

        runBoth(CpuState.PRIV_M);
        assertEquals(translated, stats().regionsTranslated(), "FENCE.I kept both");
        assertEquals(0, stats().invalidations());

        // Patched behind the CPU's back, unreported: only FENCE.I makes it visible, and then it must be.
        for (final FuzzMachine m : new FuzzMachine[] {tier1, interpreter})
        {
            m.memory.putInt(SECOND + 4 - BASE, addi(A1, A1, 40));
        }
        runBoth(CpuState.PRIV_M);
        assertEquals(1, stats().invalidations(), "the second block only");
        assertEquals(translated + 1, stats().regionsTranslated());
        assertEquals(2 * (2 + 4) + 2 + 40, tier1.cpu.x[A1]);
    }

    @Test
    void aRegionThatLostItsEntryToAnotherPrivilegeComesBackUntranslatedWhileItsBytesAreUnchanged()
    {
        program(tier1);
        program(interpreter);
        runBoth(CpuState.PRIV_M);
        runBoth(CpuState.PRIV_S);
        final long translated = stats().regionsTranslated();
        assertEquals(4, translated, "each block for each privilege");

        runBoth(CpuState.PRIV_M);
        assertEquals(translated, stats().regionsTranslated());
        assertEquals(4, stats().revivals(), "both blocks and the untranslatable instructions that end them");

        // Changed (and reported): the S-mode regions, kept aside, must not come back.
        write(tier1, CODE, addi(A0, A0, 5));
        write(interpreter, CODE, addi(A0, A0, 5));
        runBoth(CpuState.PRIV_S);
        assertEquals(translated + 1, stats().regionsTranslated(), "the first block again");
        assertEquals(4 + 3, stats().revivals(), "all but the first block");
    }

    @Test
    void entriesNotedAndTranslatedInABatchRunAsOnDemandOnesDo()
    {
        final FuzzMachine onDemand = new FuzzMachine("tier 1 on demand", 0);
        try (onDemand)
        {
            program(tier1);
            program(interpreter);
            program(onDemand);
            final Translator translator = tier1.interpreter.translator();
            translator.noteEntries(true);
            runBoth(CpuState.PRIV_M);
            assertEquals(0, stats().regionsTranslated() + stats().untranslatable(), "noted only: the interpreter ran the code");
            assertEquals(4, translator.notedEntries(), "the two blocks and the two instructions that end them");
            assertEquals(4, translator.translateNoted());
            translator.noteEntries(false);

            runBoth(CpuState.PRIV_M);
            assertEquals(2, stats().regionsTranslated(), "nothing more to translate");
            assertTrue(stats().instructionsRetired() >= 4, "the blocks ran translated");

            onDemand.cpu.pc = CODE;
            assertEquals(StopReason.WFI, onDemand.interpreter.run(100));
            final TranslatorStatistics one = onDemand.interpreter.translator().statistics();
            assertEquals(one.regionsTranslated(), stats().regionsTranslated());
            assertEquals(one.bytecodeBytes(), stats().bytecodeBytes(), "the same code in a batch as one class each");
        }
    }
}
