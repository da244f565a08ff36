package io.javisor.emulation.machine;

import io.javisor.emulation.reference.QemuRunner;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * javisor's retired-instruction count is exact: it equals what QEMU executes, counted from a
 * single-step execution trace ({@code -singlestep -d exec,nochain}: one "Trace" line per
 * instruction started). QEMU also starts its 6-instruction reset vector at 0x1000, and starts
 * (and logs) every fetched instruction that then traps instead of retiring; javisor counts those
 * as exceptions (a fetch that faults is logged by neither). Programs whose paths depend on wall-clock time (the interrupt test) are left out.
 */
class InstructionCountTest
{
    private static final int QEMU_RESET_VECTOR_INSTRUCTIONS = 6;

    @ParameterizedTest
    @ValueSource(strings = {"hello", "isa-alu", "isa-muldiv", "isa-compressed", "isa-atomic", "isa-trap",
        "isa-priv", "isa-sv39"})
    void retiredPlusTrappedEqualsWhatQemuExecutes(final String name, @TempDir final Path dir) throws Exception
    {
        assumeTrue(QemuRunner.isAvailable(), "qemu-system-riscv64 not installed");
        final long retired;
        final long trapped;
        try (VirtMachine machine = VirtMachine.create(new MachineConfig().bootMode(BootMode.BARE)
            .kernel(GuestPrograms.image(name))))
        {
            final MachineExit exit = machine.run();
            assertEquals(MachineExit.Kind.FINISHER, exit.kind());
            retired = exit.instructions();
            // A fetch that faults decodes nothing, and QEMU logs no trace line for it.
            trapped = machine.interpreter().exceptions() - machine.interpreter().fetchFaults();
        }

        final Path log = dir.resolve("trace.log");
        final List<String> command = new java.util.ArrayList<>(QemuRunner.create().command(GuestPrograms.elf(name)));
        command.addAll(List.of("-singlestep", "-d", "exec,nochain", "-D", log.toString()));
        final Process qemu = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.DISCARD).redirectInput(ProcessBuilder.Redirect.PIPE).start();
        qemu.getOutputStream().close();
        assertTrue(qemu.waitFor(30, TimeUnit.SECONDS), "qemu finished");
        final long started;
        try (var lines = Files.lines(log))
        {
            started = lines.filter(line -> line.startsWith("Trace ")).count();
        }
        assertEquals(started, QEMU_RESET_VECTOR_INSTRUCTIONS + retired + trapped,
            name + ": QEMU started " + started + " instructions; javisor retired " + retired + " and trapped " + trapped);
    }
}
