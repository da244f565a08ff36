package io.javisor.core.toolstack.cli;

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
        final CommandLine commandLine = new CommandLine(new RunCommand());
        commandLine.setOut(new PrintWriter(new StringWriter(), true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(java.util.Arrays.copyOfRange(args, 1, args.length)); // args[0] is "run", as typed
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

    @Test
    void disksAndNicsFromXlSpecs(@TempDir final Path dir) throws IOException
    {
        final Path image = dir.resolve("disk.img");
        try (java.io.RandomAccessFile file = new java.io.RandomAccessFile(image.toFile(), "rw"))
        {
            file.setLength(1 << 20);
        }
        assertEquals(0, run("run", "--bios", "none", "--kernel", GUESTS.resolve("virtio-blk.elf").toString(),
            "--disk", "format=raw, vdev=vda, access=rw, target=" + image, "--vif", "model=virtio, bridge=br0"), err.toString());
        assertTrue(Files.readAllBytes(image)[8 * 512] == 8, "the guest's pattern is in the image");

        // An xvdX disk of an HVM domain is a PV disk served by blkback, for a PV-on-HVM kernel's blkfront.
        err.getBuffer().setLength(0);
        assertEquals(0, run("run", "--kernel", GUESTS.resolve("hello-sbi.elf").toString(),
            "--disk", "format=raw, vdev=xvda, target=" + image), err.toString());

        err.getBuffer().setLength(0);
        assertEquals(2, run("run", "--bios", "none", "--kernel", GUESTS.resolve("hello.elf").toString(),
            "--disk", "format=raw, vdev=sdq9, target=" + image));
        assertTrue(err.toString().startsWith("javisor run: ") && err.toString().contains("sdq9"), err.toString());
        assertEquals(1, err.toString().lines().count());

        err.getBuffer().setLength(0);
        assertEquals(2, run("run", "--bios", "none", "--kernel", GUESTS.resolve("hello.elf").toString(),
            "--disk", "format=raw, vdev=vda, target=" + dir.resolve("missing.img")));
        assertEquals(1, err.toString().lines().count(), err.toString());
        assertTrue(err.toString().contains("missing.img"), err.toString());

        err.getBuffer().setLength(0);
        assertEquals(2, run("run", "--bios", "none", "--kernel", GUESTS.resolve("hello.elf").toString(),
            "--vif", "model=rtl8139"));
        assertEquals(1, err.toString().lines().count(), err.toString());
        assertTrue(err.toString().contains("rtl8139"), err.toString());
    }

    /**
     * A raw kernel Image (header with the RISCV and RSC\x05 magics, code0 a jump over the header) runs
     * from 0x8020_0000 under the built-in SBI: this one prints OK through legacy putchar and shuts down.
     */
    @Test
    void aRawKernelImageRunsLikeQemusKernelOption(@TempDir final Path dir) throws IOException
    {
        final java.nio.ByteBuffer image = java.nio.ByteBuffer.allocate(64 + 9 * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        image.putInt(0, 0x0400006F); // j 64: over the header
        image.putLong(16, 64 + 9 * 4); // image_size
        image.putLong(48, 0x0000_0056_4353_4952L); // "RISCV"
        image.putInt(56, 0x0543_5352); // "RSC\x05"
        final int[] program = {0x04F00513, 0x00100893, 0x73, 0x04B00513, 0x73, 0x00A00513, 0x73, 0x00800893, 0x73};
        for (int i = 0; i < program.length; i++)
        {
            image.putInt(64 + 4 * i, program[i]); // a0='O', a7=1 putchar; 'K'; '\n'; a7=8 shutdown
        }
        final Path file = Files.write(dir.resolve("Image"), image.array());
        final StringWriter out = new StringWriter();
        final CommandLine commandLine = new CommandLine(new RunCommand());
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        assertEquals(0, commandLine.execute("--kernel", file.toString(), "--stats"), err.toString());
        assertTrue(err.toString().contains("shutdown"), err.toString());
    }
}
