package io.javisor.emulation.machine;

import io.javisor.emulation.loader.ElfDescriptor;
import io.javisor.emulation.loader.ElfImage;
import io.javisor.emulation.loader.TestElfWriter;

import io.javisor.emulation.guests.GuestImages;

import java.nio.file.Path;

/** The committed guest ELFs, and tiny programs assembled by tests. */
final class GuestPrograms
{
    /** Surefire runs in the module directory. */
    static final Path BIN = Path.of("guests", "bin");

    private GuestPrograms()
    {
    }

    static Path elf(final String name)
    {
        return BIN.resolve(name + ".elf");
    }

    static ElfImage image(final String name)
    {
        return GuestImages.load(name);
    }

    static String expected(final String name)
    {
        return GuestImages.expectedOutput(name);
    }

    /** A bare program of 32-bit instructions at 0x8000_0000, with a 16-byte tohost/fromhost page after it. */
    static ElfImage bare(final int... insns)
    {
        final byte[] code = new byte[insns.length * 4];
        for (int i = 0; i < insns.length; i++)
        {
            for (int b = 0; b < 4; b++)
            {
                code[4 * i + b] = (byte)(insns[i] >>> (8 * b));
            }
        }
        final byte[] bytes = new TestElfWriter()
            .entry(0x8000_0000L)
            .segment(0x8000_0000L, code, code.length, ElfDescriptor.PF_R | ElfDescriptor.PF_X)
            .segment(0x8000_1000L, new byte[16], 16, ElfDescriptor.PF_R | ElfDescriptor.PF_W)
            .symbol("tohost", 0x8000_1000L, false)
            .symbol("fromhost", 0x8000_1008L, false)
            .build()
            .bytes();
        return ElfImage.parse(bytes);
    }
}
