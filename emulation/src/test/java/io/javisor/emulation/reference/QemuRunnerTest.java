package io.javisor.emulation.reference;

import io.javisor.emulation.guests.GuestImages;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Runs the committed guest programs ({@code guests/bin/}) on QEMU and compares their exit code and
 * console output with {@code guests/expected/<name>.out}. The full-size cpubench is left out (it
 * takes tens of seconds); cpubench-small runs the same code.
 */
class QemuRunnerTest
{
    private static final Path GUESTS = Path.of("guests");

    private static void assumeQemu()
    {
        Assumptions.assumeTrue(QemuRunner.isAvailable(), "qemu-system-riscv64 not installed");
    }

    private static String expected(final String name)
    {
        return GuestImages.expectedOutput(name);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "hello, 0",
        "cpubench-small, 0",
        "isa-alu, 0",
        "isa-muldiv, 0",
        "isa-compressed, 0",
        "isa-atomic, 0",
        "isa-trap, 0",
        "isa-interrupt, 0",
        "isa-priv, 0",
        "isa-sv39, 0",
    })
    void bareGuestMatchesExpected(final String name, final int exitCode) throws Exception
    {
        assumeQemu();
        final QemuRun run = QemuRunner.create().withTimeoutMillis(20_000)
            .run(GUESTS.resolve("bin").resolve(name + ".elf"));

        assertFalse(run.timedOut(), name + " timed out");
        assertEquals(expected(name), run.outputText(), name + " output; stderr: " + run.diagnostics());
        assertEquals(exitCode, run.exitCode(), name + " exit code");
        assertTrue(run.elapsedNanos() > 0);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({ "hello-sbi, 0" })
    void sbiGuestMatchesExpectedAfterStartLine(final String name, final int exitCode) throws Exception
    {
        assumeQemu();
        Assumptions.assumeTrue(Files.isRegularFile(QemuRunner.OPENSBI_FW_JUMP), "opensbi not installed");
        final QemuRun run = QemuRunner.create().withBios(QemuRunner.OPENSBI_FW_JUMP).withTimeoutMillis(20_000)
            .run(GUESTS.resolve("bin").resolve(name + ".elf"));

        assertFalse(run.timedOut(), name + " timed out");
        assertEquals(expected(name), run.outputAfterStartLine(), name + " output; stderr: " + run.diagnostics());
        assertEquals(exitCode, run.exitCode(), name + " exit code");
    }

    @Test
    void killsTheChildAtTheTimeout() throws Exception
    {
        assumeQemu();
        final QemuRun run = QemuRunner.create().withTimeoutMillis(1).run(GUESTS.resolve("bin/hello.elf"));

        assertTrue(run.timedOut());
        assertEquals(-1, run.exitCode());
    }

    @Test
    void everyCommittedGuestHasAnExpectedOutput() throws Exception
    {
        try (var elfs = Files.list(GUESTS.resolve("bin")))
        {
            for (final Path elf : elfs.toList())
            {
                final String name = elf.getFileName().toString().replace(".elf", "");
                assertTrue(Files.isRegularFile(GUESTS.resolve("expected").resolve(name + ".out")), name);
            }
        }
    }

    @Test
    void commandLineIsQuietAndOffline()
    {
        assumeQemu();
        final List<String> command = QemuRunner.create().withMemoryMib(64).command(Path.of("x.elf"));

        assertTrue(command.get(0).endsWith(QemuRunner.QEMU_BINARY));
        assertEquals(List.of("-M", "virt", "-m", "64", "-nographic", "-monitor", "none", "-serial", "stdio",
            "-nic", "none", "-no-reboot", "-bios", "none", "-kernel", "x.elf"), command.subList(1, command.size()));
    }

    @Test
    void outputAfterStartLineSkipsTheFirmwareBanner()
    {
        final byte[] out = "OpenSBI v1.1\r\nbanner\r\njavisor-guest: start\r\nline\r\n".getBytes(StandardCharsets.ISO_8859_1);
        assertEquals("line\n", new QemuRun(out, "", 0, 1, false).outputAfterStartLine());
        assertEquals("", new QemuRun("javisor-guest: start\n".getBytes(StandardCharsets.ISO_8859_1), "", 0, 1, false)
            .outputAfterStartLine());
        assertNull(new QemuRun(new byte[0], "", 0, 1, false).outputAfterStartLine());
    }
}
