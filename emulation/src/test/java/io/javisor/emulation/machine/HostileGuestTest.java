package io.javisor.emulation.machine;

import io.javisor.emulation.cpu.CpuState;
import io.javisor.emulation.cpu.Interpreter;
import io.javisor.emulation.loader.ElfDescriptor;
import io.javisor.emulation.loader.ElfImage;
import io.javisor.emulation.loader.TestElfWriter;
import io.javisor.memory.testing.Seed;
import io.javisor.memory.testing.Seeded;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.SplittableRandom;

import static io.javisor.emulation.isa.Asm.addi;
import static io.javisor.emulation.isa.Asm.auipc;
import static io.javisor.emulation.isa.Asm.csrrs;
import static io.javisor.emulation.isa.Asm.csrrw;
import static io.javisor.emulation.isa.Asm.jal;
import static io.javisor.emulation.isa.Asm.mret;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Guests that do everything wrong: random code in every privilege mode, and trap storms. The host
 * must stay healthy (no exception escapes the model, so no "failed" crash), and every run must end
 * in one of the ways a guest can end.
 */
@Seeded
class HostileGuestTest
{
    private static final EnumSet<MachineExit.Kind> GUEST_ENDINGS = EnumSet.of(MachineExit.Kind.FINISHER,
        MachineExit.Kind.HTIF, MachineExit.Kind.RESET, MachineExit.Kind.BUDGET_EXHAUSTED, MachineExit.Kind.HALTED,
        MachineExit.Kind.CRASHED);

    private static ElfImage randomImage(final SplittableRandom random, final int bytes)
    {
        final byte[] code = new byte[bytes];
        random.nextBytes(code);
        return ElfImage.parse(new TestElfWriter().entry(0x8000_0000L)
            .segment(0x8000_0000L, code, code.length, ElfDescriptor.PF_R | ElfDescriptor.PF_X).build().bytes());
    }

    @Test
    void randomCodeInEveryModeNeverBreaksTheHost(final Seed seed)
    {
        final SplittableRandom random = seed.splittableRandom();
        long retired = 0;
        for (int round = 0; round < 300; round++)
        {
            final int priv = new int[] {CpuState.PRIV_M, CpuState.PRIV_S, CpuState.PRIV_U}[round % 3];
            try (VirtMachine machine = VirtMachine.create(new MachineConfig().memoryMiB(4).bootMode(BootMode.BARE)
                .kernel(randomImage(random, 16 * 1024)).maxInstructions(20_000)))
            {
                final CpuState cpu = machine.cpu();
                cpu.priv = priv;
                cpu.mtvec = 0x8000_0000L + random.nextInt(4096) * 4L;   // handlers inside the random code
                cpu.stvec = 0x8000_0000L + random.nextInt(4096) * 4L;
                cpu.medeleg = random.nextLong() & CpuState.MEDELEG_WRITABLE;
                for (int r = 1; r < 32; r++)
                {
                    cpu.x[r] = random.nextInt(4) == 0 ? 0x8000_0000L + random.nextInt(1 << 22) : random.nextLong();
                }
                final MachineExit exit = machine.run();
                final int r = round;
                retired += exit.instructions();
                assertTrue(GUEST_ENDINGS.contains(exit.kind()), () -> "round " + r + ": " + exit);
                assertFalse(exit.detail().contains("failed"), () -> "round " + r + ": " + exit.detail());
                assertEquals(0, cpu.x[0], "x0 stays zero");
                assertEquals(0, cpu.pc & 1, "pc stays even");
                assertTrue(exit.instructions() <= 20_000);
            }
        }
        // Not vacuous: the random programs did run (about a third reach the budget, trapping
        // all the way; the rest end in trap loops).
        assertTrue(retired > 1_000_000, "retired " + retired);
    }

    @Test
    void aTrapStormIsServedTrapByTrapWithoutHurtingTheHost()
    {
        // Every instruction of the loop traps (illegal CSR), the handler steps over it and returns.
        final MachineExit exit;
        try (VirtMachine machine = VirtMachine.create(new MachineConfig().bootMode(BootMode.BARE)
            .maxInstructions(3_000_000).kernel(GuestPrograms.bare(
                auipc(5, 0),
                addi(5, 5, 24),                                   // handler at base + 24
                csrrw(0, Interpreter.CSR_MTVEC, 5),
                csrrs(6, 0x7FF, 0),                               // no such CSR: illegal instruction
                jal(0, -4),
                jal(0, 0),
                csrrs(7, Interpreter.CSR_MEPC, 0),               // handler: mepc += 4; mret
                addi(7, 7, 4),
                csrrw(0, Interpreter.CSR_MEPC, 7),
                mret()))))
        {
            exit = machine.run();
            assertTrue(machine.cpu().mcause == Interpreter.CAUSE_ILLEGAL_INSTRUCTION);
        }
        assertEquals(MachineExit.Kind.BUDGET_EXHAUSTED, exit.kind());
        assertEquals(3_000_000, exit.instructions());
    }
}
