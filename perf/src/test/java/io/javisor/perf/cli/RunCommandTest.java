package io.javisor.perf.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code javisor run}: the guest's code is the exit code; bad input is one line naming it. */
class RunCommandTest
{
    private static final Path GUESTS = Path.of("..", "emulation", "guests", "bin");
    private final StringWriter err = new StringWriter();

    private int run(final String... args)
    {
        final CommandLine commandLine = JavisorMain.commandLine();
        commandLine.setOut(new PrintWriter(new StringWriter(), true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }

    @Test
    void exitsWithTheGuestsCode()
    {
        assertEquals(0, run("run", "--bios", "none", "--kernel", GUESTS.resolve("hello.elf").toString()));
        assertEquals(0, run("run", "--kernel", GUESTS.resolve("hello-sbi.elf").toString(), "--stats"));
        assertTrue(err.toString().contains("sbi: shutdown"), err.toString());
    }

    @Test
    void aRunawayGuestIsStoppedByItsBudget()
    {
        assertEquals(124, run("run", "--bios", "none", "--kernel", GUESTS.resolve("cpubench.elf").toString(),
            "--max-instructions", "100000"));
        assertTrue(err.toString().contains("instruction budget of 100000 used up"), err.toString());
    }

    @Test
    void eitherCpuTierRunsTheGuestAndStatsReportTheTranslator()
    {
        assertEquals(0, run("run", "--bios", "none", "--cpu", "interp", "--stats", "--kernel",
            GUESTS.resolve("hello.elf").toString()));
        assertTrue(!err.toString().contains("jit:"), err.toString());
        err.getBuffer().setLength(0);
        assertEquals(0, run("run", "--bios", "none", "--cpu", "jit", "--stats", "--kernel",
            GUESTS.resolve("hello.elf").toString()));
        assertTrue(err.toString().contains("javisor run: jit: "), err.toString());
        err.getBuffer().setLength(0);
        assertEquals(2, run("run", "--bios", "none", "--cpu", "tcg", "--kernel", GUESTS.resolve("hello.elf").toString()));
        assertEquals("javisor run: --cpu must be interp or jit, not tcg\n", err.toString());
    }

    @Test
    void badInputIsOneLineNamingTheProblem(@TempDir final Path dir) throws IOException
    {
        assertEquals(2, run("run", "--bios", "none", "--kernel", dir.resolve("missing.elf").toString()));
        assertEquals("javisor run: kernel " + dir.resolve("missing.elf") + ": no such file\n", err.toString());

        final Path text = Files.writeString(dir.resolve("notes.txt"), "not an ELF at all");
        err.getBuffer().setLength(0);
        assertEquals(2, run("run", "--kernel", text.toString()));
        assertTrue(err.toString().startsWith("javisor run: kernel " + text + ": not a RISC-V ELF64 image"), err.toString());
        assertEquals(1, err.toString().lines().count());

        err.getBuffer().setLength(0);
        assertEquals(2, run("run", "--bios", "builtin", "--kernel", GUESTS.resolve("hello.elf").toString()));
        assertTrue(err.toString().contains("an S-mode kernel is entered at 0x80200000"), err.toString());

        err.getBuffer().setLength(0);
        assertEquals(2, run("run", "--memory", "1", "--kernel", GUESTS.resolve("hello-sbi.elf").toString()));
        assertEquals("javisor run: memory must be between 4 and 2048 MiB, got 1 MiB\n", err.toString());

        err.getBuffer().setLength(0);
        assertEquals(2, run("run"));
        assertEquals("javisor run: no kernel given (--kernel ELF)\n", err.toString());
    }
}
