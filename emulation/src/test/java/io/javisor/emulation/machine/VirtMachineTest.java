package io.javisor.emulation.machine;

import io.javisor.emulation.cpu.Interpreter;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

import static io.javisor.emulation.isa.Asm.add;
import static io.javisor.emulation.isa.Asm.addi;
import static io.javisor.emulation.isa.Asm.andi;
import static io.javisor.emulation.isa.Asm.auipc;
import static io.javisor.emulation.isa.Asm.beq;
import static io.javisor.emulation.isa.Asm.bne;
import static io.javisor.emulation.isa.Asm.csrrw;
import static io.javisor.emulation.isa.Asm.ecall;
import static io.javisor.emulation.isa.Asm.jal;
import static io.javisor.emulation.isa.Asm.lbu;
import static io.javisor.emulation.isa.Asm.ld;
import static io.javisor.emulation.isa.Asm.lui;
import static io.javisor.emulation.isa.Asm.or;
import static io.javisor.emulation.isa.Asm.ori;
import static io.javisor.emulation.isa.Asm.sb;
import static io.javisor.emulation.isa.Asm.sd;
import static io.javisor.emulation.isa.Asm.slli;
import static io.javisor.emulation.isa.Asm.sw;
import static io.javisor.emulation.isa.Asm.wfi;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The virt machine's boot modes, exits and console, with committed guests and tiny assembled ones. */
class VirtMachineTest
{
    private static final int T0 = 5;
    private static final int T1 = 6;
    private static final int T2 = 7;
    private static final int S0 = 8;
    private static final int S1 = 9;
    private static final int T3 = 28;

    private static MachineExit run(final MachineConfig config)
    {
        try (VirtMachine machine = VirtMachine.create(config))
        {
            return machine.run();
        }
    }

    @Test
    void bareHelloPrintsThroughTheUartAndPassesThroughTheFinisher()
    {
        final RecordingConsole console = new RecordingConsole("");
        final MachineExit exit = run(new MachineConfig().bootMode(BootMode.BARE)
            .kernel(GuestPrograms.image("hello")).console(console));
        assertEquals(MachineExit.Kind.FINISHER, exit.kind());
        assertEquals(0, exit.exitCode());
        assertEquals(GuestPrograms.expected("hello"), console.text());
        assertTrue(exit.instructions() > 0);
    }

    @Test
    void builtinFirmwareRunsAnSbiKernelInSupervisorModeUntilItShutsDown()
    {
        final RecordingConsole console = new RecordingConsole("");
        final MachineExit exit = run(new MachineConfig().bootMode(BootMode.BUILTIN)
            .kernel(GuestPrograms.image("hello-sbi")).console(console));
        assertEquals(MachineExit.Kind.SHUTDOWN, exit.kind(), exit.detail());
        assertEquals(0, exit.exitCode());
        // OpenSBI 1.1 (QEMU's reference run) has no DBCN; javisor's firmware has.
        final String expected = "javisor-guest: start\n" +
            GuestPrograms.expected("hello-sbi").replace("probe DBCN: no", "probe DBCN: yes");
        assertEquals(expected, console.text());
    }

    @Test
    void theLargestGuestRunsOnTheFastPathToo()
    {
        // 2 GiB is past what one Agrona buffer can view; RAM is reserved, not committed.
        try (VirtMachine machine = VirtMachine.create(new MachineConfig().memoryMiB(2048).bootMode(BootMode.BARE)
            .kernel(GuestPrograms.image("cpubench-small"))))
        {
            final MachineExit exit = machine.run();
            assertEquals(MachineExit.Kind.FINISHER, exit.kind(), exit.detail());
            assertTrue(machine.interpreter().decodedPages() > 0, "instructions ran pre-decoded");
        }
    }

    @Test
    void htifExitCodeEndsTheRun()
    {
        final MachineExit exit = run(new MachineConfig().bootMode(BootMode.BARE).kernel(GuestPrograms.bare(
            auipc(T0, 1),                 // t0 = tohost (0x8000_1000)
            addi(T1, 0, 42 << 1 | 1),
            sd(T1, T0, 0),
            jal(0, 0))));
        assertEquals(MachineExit.Kind.HTIF, exit.kind());
        assertEquals(42, exit.exitCode());
    }

    @Test
    void htifConsolePutcharIsPrintedAndAcknowledged()
    {
        final RecordingConsole console = new RecordingConsole("");
        final MachineExit exit = run(new MachineConfig().bootMode(BootMode.BARE).console(console)
            .kernel(GuestPrograms.bare(
                auipc(T0, 1),
                addi(T1, 0, 1), slli(T1, T1, 56),
                addi(T2, 0, 1), slli(T2, T2, 48),
                or(T1, T1, T2), ori(T1, T1, 'A'),
                sd(T1, T0, 0),
                ld(T3, T0, 0),            // wait until the host took it
                bne(T3, 0, -4),
                ld(T3, T0, 8),            // fromhost acknowledges device 1, command 1
                beq(T3, 0, 12),
                addi(T1, 0, 1),           // exit 0
                sd(T1, T0, 0),
                jal(0, 0))));
        assertEquals(MachineExit.Kind.HTIF, exit.kind());
        assertEquals(0, exit.exitCode());
        assertEquals("A", console.text());
    }

    @Test
    void aTrapLoopCrashesTheGuestWithTheReasonRecorded()
    {
        final MachineExit exit = run(new MachineConfig().bootMode(BootMode.BARE).kernel(GuestPrograms.bare(
            lui(T0, 1),                            // mtvec = 0x1000: nothing there
            csrrw(0, Interpreter.CSR_MTVEC, T0),
            ecall())));
        assertEquals(MachineExit.Kind.CRASHED, exit.kind());
        assertEquals(126, exit.exitCode());
        assertTrue(exit.detail().contains("trap loop") && exit.detail().contains("0x1000"), exit.detail());
    }

    @Test
    void theInstructionBudgetStopsARunawayGuestExactly()
    {
        final MachineExit exit = run(new MachineConfig().bootMode(BootMode.BARE).maxInstructions(100_000)
            .kernel(GuestPrograms.bare(jal(0, 0))));
        assertEquals(MachineExit.Kind.BUDGET_EXHAUSTED, exit.kind());
        assertEquals(100_000, exit.instructions());
    }

    @Test
    void wfiSleepsUntilTheTimerInsteadOfSpinning()
    {
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        try (VirtMachine machine = VirtMachine.create(new MachineConfig().bootMode(BootMode.BARE)
            .kernel(GuestPrograms.bare(
                lui(S0, 0x2000),                         // s0 = CLINT
                lui(T0, 0xC), addi(T0, T0, -8), add(T0, T0, S0),
                ld(T1, T0, 0),                           // t1 = mtime
                lui(T2, 0x1E8), addi(T2, T2, 0x480),     // 2,000,000 ticks: 0.2 s at 10 MHz
                add(T1, T1, T2),
                lui(T0, 4), add(T0, T0, S0),
                sd(T1, T0, 0),                           // mtimecmp = mtime + 0.2 s
                addi(T2, 0, 1 << 7),
                csrrw(0, Interpreter.CSR_MIE, T2),       // MTIE; MIE stays off, WFI wakes anyway
                wfi(),
                lui(S1, 0x100), lui(T3, 5), addi(T3, T3, 0x555),
                sw(T3, S1, 0),                           // finisher: pass
                jal(0, 0)))))
        {
            final long cpuBefore = threads.getCurrentThreadCpuTime();
            final MachineExit exit = machine.run();
            final long cpuNanos = threads.getCurrentThreadCpuTime() - cpuBefore;
            assertEquals(MachineExit.Kind.FINISHER, exit.kind(), exit.detail());
            assertTrue(exit.nanos() >= 150_000_000L, "woke at the timer, not before: " + exit.nanos() + " ns");
            assertTrue(cpuNanos < exit.nanos() / 2, "slept: " + cpuNanos + " ns of CPU in " + exit.nanos() + " ns");
            assertEquals(18, exit.instructions(), "no instruction ran while waiting");
        }
    }

    @Test
    void waitingForAnInterruptThatCannotComeIsAHalt()
    {
        final MachineExit exit = run(new MachineConfig().bootMode(BootMode.BARE).kernel(GuestPrograms.bare(wfi())));
        assertEquals(MachineExit.Kind.HALTED, exit.kind());
    }

    @Test
    void stopFromAnotherThreadEndsARunningGuest() throws Exception
    {
        try (VirtMachine machine = VirtMachine.create(new MachineConfig().bootMode(BootMode.BARE)
            .kernel(GuestPrograms.bare(jal(0, 0)))))
        {
            final Thread stopper = new Thread(() ->
            {
                try
                {
                    Thread.sleep(100);
                }
                catch (final InterruptedException ignored)
                {
                    return;
                }
                machine.stop();
            });
            stopper.start();
            final MachineExit exit = machine.run();
            stopper.join();
            assertEquals(MachineExit.Kind.STOPPED, exit.kind());
            assertTrue(exit.instructions() > 0);
        }
    }

    @Test
    void consoleInputReachesTheUart()
    {
        final RecordingConsole console = new RecordingConsole("abq");
        final MachineExit exit = run(new MachineConfig().bootMode(BootMode.BARE).console(console)
            .kernel(GuestPrograms.bare(
                lui(S0, 0x10000),        // UART0
                lbu(T0, S0, 5),          // LSR
                andi(T0, T0, 1),         // data ready
                beq(T0, 0, -8),
                lbu(T1, S0, 0),          // RBR
                sb(T1, S0, 0),           // echo to THR
                addi(T2, 0, 'q'),
                bne(T1, T2, -24),
                lui(S1, 0x100),          // finisher
                lui(T3, 5),
                addi(T3, T3, 0x555),
                sw(T3, S1, 0),
                jal(0, 0))));
        assertEquals(MachineExit.Kind.FINISHER, exit.kind());
        assertEquals("abq", console.text());
    }

    @Test
    void badConfigurationsAreRefusedWithOneLine()
    {
        assertEquals("memory must be between 4 and 2048 MiB, got 1 MiB",
            assertThrows(IllegalArgumentException.class, () -> new MachineConfig().memoryMiB(1).validate()).getMessage());
        assertEquals("boot mode bare needs a kernel ELF",
            assertThrows(IllegalArgumentException.class, () -> new MachineConfig().validate()).getMessage());
        assertEquals("external firmware mode needs a firmware ELF",
            assertThrows(IllegalArgumentException.class,
                () -> new MachineConfig().bootMode(BootMode.EXTERNAL).validate()).getMessage());
        final IllegalArgumentException notAtKernelBase = assertThrows(IllegalArgumentException.class,
            () -> VirtMachine.create(new MachineConfig().bootMode(BootMode.BUILTIN).kernel(GuestPrograms.image("hello"))));
        assertTrue(notAtKernelBase.getMessage().contains("entered at 0x80200000"), notAtKernelBase.getMessage());
    }

    @Test
    void preloadedBytesAreInRamBeforeTheFirstInstructionAndMustFitIt()
    {
        final byte[] bytes = "preloaded by the host".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        final long at = 0x8010_0000L;
        try (VirtMachine machine = VirtMachine.create(new MachineConfig().memoryMiB(16).kernel(GuestPrograms.image("hello"))
            .preload(at, bytes)))
        {
            final byte[] read = new byte[bytes.length];
            machine.memory().getBytes(at - io.javisor.emulation.cpu.RamBus.RAM_BASE, read, 0, read.length);
            assertEquals(new String(bytes, java.nio.charset.StandardCharsets.US_ASCII),
                new String(read, java.nio.charset.StandardCharsets.US_ASCII));
        }
        assertEquals("preloaded bytes at 0x7ffffff0-0x80000010 lie outside the guest's RAM (0x80000000-0x81000000)",
            assertThrows(IllegalArgumentException.class, () -> VirtMachine.create(new MachineConfig().memoryMiB(16)
                .kernel(GuestPrograms.image("hello")).preload(0x7FFF_FFF0L, new byte[32]))).getMessage());
        final IllegalArgumentException overTree = assertThrows(IllegalArgumentException.class, () -> VirtMachine.create(
            new MachineConfig().memoryMiB(16).kernel(GuestPrograms.image("hello")).preload(0x80C0_0000L, new byte[0x40_0000])));
        assertTrue(overTree.getMessage().contains("reach the device tree"), overTree.getMessage());
    }
}
