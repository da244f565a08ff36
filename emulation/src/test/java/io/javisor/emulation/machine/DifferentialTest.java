package io.javisor.emulation.machine;

import io.javisor.emulation.reference.QemuRun;
import io.javisor.emulation.reference.QemuRunner;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every committed guest program on javisor and on {@code qemu-system-riscv64} in the same run:
 * the same console output byte for byte and the same exit code. Bare programs run with
 * {@code -bios none} on both; the SBI program runs under Debian's OpenSBI fw_jump on both, and
 * only what the kernel printed (after its start line, CR removed) is compared, since the banner
 * describes each machine. The full-size cpubench is left to {@code javisor bench cpu}.
 */
class DifferentialTest
{
    @ParameterizedTest
    @ValueSource(strings = {
        "hello", "cpubench-small", "isa-alu", "isa-muldiv", "isa-compressed", "isa-atomic", "isa-trap",
        "isa-interrupt", "isa-priv", "isa-sv39"})
    void bareProgramBehavesAsOnQemu(final String name) throws Exception
    {
        final RecordingConsole console = new RecordingConsole("");
        final MachineExit exit;
        try (VirtMachine machine = VirtMachine.create(new MachineConfig().bootMode(BootMode.BARE)
            .kernel(GuestPrograms.image(name)).console(console).maxInstructions(1_000_000_000L)))
        {
            exit = machine.run();
        }
        assertEquals(MachineExit.Kind.FINISHER, exit.kind(), exit.detail());
        // The committed expectation was recorded from QEMU; it holds when QEMU is not installed.
        assertEquals(GuestPrograms.expected(name), console.text(), name + " output vs expected/" + name + ".out");
        assertEquals(0, exit.exitCode());

        assumeTrue(QemuRunner.isAvailable(), "qemu-system-riscv64 not installed: compared with the recorded output only");
        final QemuRun qemu = QemuRunner.create().run(GuestPrograms.elf(name));
        assertEquals(qemu.outputText(), console.text(), name + " output: javisor vs QEMU");
        assertEquals(qemu.exitCode(), exit.exitCode(), name + " exit code: javisor vs QEMU");
    }

    @ParameterizedTest
    @ValueSource(strings = {"hello-sbi"})
    void sbiProgramUnderOpenSbiBehavesAsOnQemu(final String name) throws Exception
    {
        assumeTrue(java.nio.file.Files.isRegularFile(QemuRunner.OPENSBI_FW_JUMP), "Debian's opensbi not installed");
        final RecordingConsole console = new RecordingConsole("");
        final MachineExit exit;
        try (VirtMachine machine = VirtMachine.create(new MachineConfig().bootMode(BootMode.EXTERNAL)
            .firmware(io.javisor.emulation.loader.ElfImage.read(QemuRunner.OPENSBI_FW_JUMP))
            .kernel(GuestPrograms.image(name)).console(console).maxInstructions(1_000_000_000L)))
        {
            exit = machine.run();
        }
        final String javisor = QemuRun.afterStartLine(console.bytes());
        assertEquals(GuestPrograms.expected(name), javisor);

        assumeTrue(QemuRunner.isAvailable(), "qemu-system-riscv64 not installed: compared with the recorded output only");
        final QemuRun qemu = QemuRunner.create().withBios(QemuRunner.OPENSBI_FW_JUMP).run(GuestPrograms.elf(name));
        assertEquals(qemu.outputAfterStartLine(), javisor, name + " output: javisor vs QEMU");
        assertEquals(qemu.exitCode(), exit.exitCode(), name + " exit code: javisor vs QEMU");
    }
}
