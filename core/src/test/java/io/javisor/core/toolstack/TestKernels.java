package io.javisor.core.toolstack;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Tiny S-mode kernels as raw RISC-V kernel Images, for the builtin firmware: each prints a byte or two
 * through the legacy SBI console and then ends one way (power-off, reboot, crash). Constants and one
 * writer; stateless.
 */
final class TestKernels
{
    /** addi a0,x0,'b'; addi a7,x0,1; ecall (legacy putchar); the same with '\n'. */
    static final int[] PUT_B_NEWLINE = {0x06200513, 0x00100893, 0x73, 0x00A00513, 0x73};
    /** a7 = SRST (lui + addi), a6 = 0 (system reset), a0 = 1 (cold reboot), a1 = 0; ecall. */
    static final int[] SBI_REBOOT = {0x535258B7, 0x35488893, 0x00000813, 0x00100513, 0x00000593, 0x73};
    /** a7 = 8: legacy shutdown; ecall. */
    static final int[] SBI_SHUTDOWN = {0x00800893, 0x73};
    /** An illegal instruction with stvec still 0: the trap goes to address 0, which faults again: a trap loop, a crash. */
    static final int[] CRASH = {0x00000000};

    private TestKernels()
    {
    }

    /** Writes a raw kernel Image (the header's magics, code0 a jump over it) of {@code code}, in order. */
    static Path image(final Path dir, final String name, final int[]... code) throws IOException
    {
        final int words = Arrays.stream(code).mapToInt(c -> c.length).sum();
        final ByteBuffer image = ByteBuffer.allocate(64 + 4 * words).order(ByteOrder.LITTLE_ENDIAN);
        image.putInt(0, 0x0400006F); // j 64
        image.putLong(16, image.capacity()); // image_size
        image.putLong(48, 0x0000_0056_4353_4952L); // "RISCV"
        image.putInt(56, 0x0543_5352); // "RSC\x05"
        int at = 64;
        for (final int[] part : code)
        {
            for (final int instruction : part)
            {
                image.putInt(at, instruction);
                at += 4;
            }
        }
        return Files.write(dir.resolve(name), image.array());
    }
}
