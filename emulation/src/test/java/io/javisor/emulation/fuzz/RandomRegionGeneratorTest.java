package io.javisor.emulation.fuzz;

import io.javisor.emulation.cpu.CpuState;
import io.javisor.emulation.cpu.Interpreter;
import io.javisor.emulation.cpu.StopReason;
import io.javisor.memory.testing.Seed;
import io.javisor.memory.testing.Seeded;
import org.junit.jupiter.api.Test;

import static io.javisor.emulation.fuzz.FuzzLayout.CODE;
import static io.javisor.emulation.fuzz.FuzzLayout.CODE_END;
import static io.javisor.emulation.isa.Asm.ebreak;
import static io.javisor.emulation.isa.Asm.lb;
import static io.javisor.emulation.isa.Asm.addi;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The generator and the trap handlers its regions rely on. */
@Seeded
class RandomRegionGeneratorTest
{
    @Test
    void liLoadsEveryEdgeValueAndRandomOnes(final Seed seed)
    {
        final RandomRegionGenerator generator = new RandomRegionGenerator(seed.value());
        final java.util.SplittableRandom random = seed.splittableRandom();
        final long[] values = new long[RandomRegionGenerator.EDGES.length + 200];
        System.arraycopy(RandomRegionGenerator.EDGES, 0, values, 0, RandomRegionGenerator.EDGES.length);
        for (int i = RandomRegionGenerator.EDGES.length; i < values.length; i++)
        {
            values[i] = random.nextLong() >> random.nextInt(64);
        }
        try (DifferentialHarness harness = new DifferentialHarness())
        {
            for (final long v : values)
            {
                final FuzzImage image = new FuzzImage("li");
                RandomRegionGenerator.writeHandlers(image.ram);
                final CodeBuffer c = new CodeBuffer(image.ram, CODE, CODE_END);
                generator.li(c, 10, v);
                c.word(ebreak());
                final Region r = new Region();
                r.entry = CODE;
                r.codeStart = CODE;
                r.codeEnd = c.pc();
                harness.load(image);
                assertEquals(v, harness.run(r).get("a0"), () -> Long.toHexString(v));
            }
        }
    }

    @Test
    void theHandlersStepOverAFaultingInstructionInEveryModeAndStopAtEbreak()
    {
        for (final int priv : new int[] {CpuState.PRIV_M, CpuState.PRIV_S, CpuState.PRIV_U})
        {
            for (final boolean delegated : new boolean[] {false, true})
            {
                final FuzzImage image = new FuzzImage("handlers");
                RandomRegionGenerator.writeHandlers(image.ram);
                final CodeBuffer c = new CodeBuffer(image.ram, CODE, CODE_END);
                c.word(lb(10, 0, 0));                                 // address 0: access fault
                c.half(io.javisor.emulation.isa.Asm.c_lw(10, 8, 4));   // misaligned (s0 odd): 16-bit
                c.word(addi(11, 0, 7));
                c.word(ebreak());
                final Region r = new Region();
                r.entry = CODE;
                r.codeStart = CODE;
                r.codeEnd = c.pc();
                r.priv = priv;
                r.x[8] = FuzzLayout.pagePa(10) + 1;
                r.medeleg = delegated ? -1 : 0;
                try (DifferentialHarness harness = new DifferentialHarness())
                {
                    harness.load(image);
                    final ArchitecturalState s = harness.run(r);
                    final boolean inS = delegated && priv != CpuState.PRIV_M;
                    assertEquals(7, s.get("a1"), "priv " + priv + " delegated " + delegated);
                    assertEquals(Interpreter.CAUSE_BREAKPOINT, s.get(inS ? "scause" : "mcause"));
                    assertEquals(StopReason.WFI.ordinal(), s.get("stop"));
                }
            }
        }
    }

    @Test
    void mostRegionsRunToTheirEndWithinTheBudget(final Seed seed)
    {
        final RandomRegionGenerator generator = new RandomRegionGenerator(seed.value());
        int generous = 0;
        int finished = 0;
        try (DifferentialHarness harness = new DifferentialHarness())
        {
            for (int i = 0; i < 20; i++)
            {
                final FuzzImage image = generator.nextImage();
                harness.load(image);
                for (final Region r : image.regions)
                {
                    final ArchitecturalState s = harness.run(r);
                    if (r.budget == 3000)
                    {
                        generous++;
                        if (s.get("stop") == StopReason.WFI.ordinal())
                        {
                            finished++;
                        }
                    }
                }
            }
            System.out.printf("regions with a full budget that stopped at WFI: %d of %d; %s%n", finished, generous,
                harness.summary(1));
        }
        assertTrue(finished > generous * 7 / 10, finished + " of " + generous);
    }
}
