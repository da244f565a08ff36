package io.javisor.emulation.loader;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;

import io.javisor.memory.testing.Seed;
import io.javisor.memory.testing.Seeded;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.javisor.emulation.loader.ElfDescriptor.*;
import static org.junit.jupiter.api.Assertions.*;

@Seeded
class ElfImageTest
{
    private static final long RAM = 0x8000_0000L;

    @Test
    void parsesHeaderSegmentsAndSymbols()
    {
        final ElfImage image = ElfImage.parse(TestElfWriter.typical().entry(0x8000_0004L).build().bytes());

        assertEquals(ET_EXEC, image.type());
        assertEquals(EM_RISCV, image.machine());
        assertEquals(0x8000_0004L, image.entry());
        final List<ElfSegment> segments = image.segments();
        assertEquals(2, segments.size());
        final ElfSegment code = segments.get(0);
        assertEquals(RAM, code.physicalAddress());
        assertEquals(RAM, code.virtualAddress());
        assertEquals(100, code.fileSize());
        assertEquals(100, code.memorySize());
        assertTrue(code.executable() && code.readable() && !code.writable());
        final ElfSegment data = segments.get(1);
        assertEquals(8, data.fileSize());
        assertEquals(0x40, data.memorySize());
        assertTrue(data.writable() && !data.executable());

        assertEquals(OptionalLong.of(0x8000_1000L), image.symbol("tohost"));
        assertEquals(OptionalLong.of(0x8000_1008L), image.symbol("fromhost"));
        assertEquals(OptionalLong.of(0x8000_0010L), image.symbol("loop"));
        assertEquals(OptionalLong.empty(), image.symbol("missing"));
    }

    @Test
    void acceptsSharedObjectTypeAndStrippedFile()
    {
        final TestElfWriter.Built built = TestElfWriter.typical().type(ET_DYN).build();
        final byte[] stripped = built.bytes().clone();
        putU16(stripped, E_SHNUM_OFFSET, 0);
        putU64(stripped, E_SHOFF_OFFSET, 0);

        assertEquals(ET_DYN, ElfImage.parse(built.bytes()).type());
        assertTrue(ElfImage.parse(stripped).symbols().isEmpty());
    }

    @Test
    void globalSymbolWinsOverLocalOfSameName()
    {
        final TestElfWriter writer = TestElfWriter.typical()
            .symbol("dup", 1, true)
            .symbol("dup", 2, false)
            .symbol("dup", 3, false);
        assertEquals(OptionalLong.of(2), ElfImage.parse(writer.build().bytes()).symbol("dup"));
    }

    @Test
    void loadsSegmentsAndZeroFillsTail()
    {
        final ElfImage image = ElfImage.parse(TestElfWriter.typical().build().bytes());
        final ByteArrayLoadTarget target = new ByteArrayLoadTarget(RAM, 0x2000);

        final LoadedExtent extent = ElfLoader.load(image, target);

        assertEquals(RAM, extent.start());
        assertEquals(0x8000_1040L, extent.end());
        for (int i = 0; i < 100; i++)
        {
            assertEquals((byte)(i + 1), target.at(RAM + i));
        }
        assertEquals(ByteArrayLoadTarget.MARKER, target.at(RAM + 100), "bytes past memsz are left alone");
        assertEquals((byte)0x11, target.at(0x8000_1000L));
        assertEquals((byte)0x88, target.at(0x8000_1007L));
        for (long a = 0x8000_1008L; a < 0x8000_1040L; a++)
        {
            assertEquals(0, target.at(a), "bss at 0x" + Long.toHexString(a));
        }
        assertEquals(ByteArrayLoadTarget.MARKER, target.at(0x8000_1040L));
    }

    @Test
    void readsFromPath(@TempDir final Path dir) throws IOException
    {
        final Path file = dir.resolve("guest.elf");
        Files.write(file, TestElfWriter.typical().build().bytes());
        assertEquals(OptionalLong.of(0x8000_1000L), ElfImage.read(file).symbol("tohost"));
    }

    @Test
    void segmentOutsideTargetIsRejectedBeforeAnyWrite()
    {
        final ElfImage image = ElfImage.parse(TestElfWriter.typical().build().bytes());
        final ByteArrayLoadTarget target = new ByteArrayLoadTarget(RAM, 0x1000);

        final ElfFormatException e = assertThrows(ElfFormatException.class, () -> ElfLoader.load(image, target));
        assertMessage(e, "segment 1 at physical 0x80001000");
        assertEquals(ByteArrayLoadTarget.MARKER, target.at(RAM), "nothing written");
    }

    @Test
    void rejectsMalformedHeaders()
    {
        final byte[] valid = TestElfWriter.typical().build().bytes();

        assertRejected(patch(valid, b -> b[1] = 'X'), "magic");
        assertRejected(patch(valid, b -> b[EI_CLASS_OFFSET] = 1), "class 1");
        assertRejected(patch(valid, b -> b[EI_DATA_OFFSET] = 2), "little-endian");
        assertRejected(patch(valid, b -> b[EI_VERSION_OFFSET] = 0), "version");
        assertRejected(patch(valid, b -> putU16(b, E_TYPE_OFFSET, 1)), "type 1");
        assertRejected(patch(valid, b -> putU16(b, E_MACHINE_OFFSET, 62)), "machine 62");
        assertRejected(Arrays.copyOf(valid, 40), "shorter than");
        assertRejected(new byte[0], "shorter than");
        assertThrows(ElfFormatException.class, () -> ElfImage.parse(null));
    }

    @Test
    void rejectsTablesAndSegmentsPastEndOfFile()
    {
        final TestElfWriter.Built built = TestElfWriter.typical().build();
        final byte[] valid = built.bytes();

        assertRejected(patch(valid, b -> putU64(b, E_PHOFF_OFFSET, valid.length - 10)), "program header table");
        assertRejected(patch(valid, b -> putU64(b, E_PHOFF_OFFSET, -8)), "program header table");
        assertRejected(patch(valid, b -> putU16(b, E_PHENTSIZE_OFFSET, 8)), "e_phentsize");
        assertRejected(patch(valid, b -> putU16(b, E_PHNUM_OFFSET, 0xFFFF)), "extended");
        assertRejected(patch(valid, b -> putU16(b, E_PHNUM_OFFSET, 0)), "no program headers");
        assertRejected(patch(valid, b -> putU32(b, built.phdr(0) + P_TYPE_OFFSET, 6)
            .putU32(b, built.phdr(1) + P_TYPE_OFFSET, 4)), "no PT_LOAD");
        assertRejected(patch(valid, b -> putU64(b, built.phdr(1) + P_OFFSET_OFFSET, valid.length - 4)),
            "segment 1 file contents");
        assertRejected(patch(valid, b -> putU64(b, built.phdr(0) + P_FILESZ_OFFSET, Long.MAX_VALUE)),
            "segment 0 file contents");
        assertRejected(patch(valid, b -> putU64(b, built.phdr(0) + P_OFFSET_OFFSET, -1L)), "segment 0");
        assertRejected(Arrays.copyOf(valid, built.segmentDataOffsets()[1] + 4), "beyond the end");
        assertRejected(patch(valid, b -> putU64(b, E_SHOFF_OFFSET, valid.length - 64)), "section header table");
        assertRejected(patch(valid, b -> putU64(b, built.shdr(1) + SH_SIZE_OFFSET, 1L << 40)), "symbol table");
        assertRejected(patch(valid, b -> putU64(b, built.shdr(2) + SH_OFFSET_OFFSET, valid.length)),
            "string table");
    }

    @Test
    void rejectsInconsistentSegments()
    {
        final TestElfWriter.Built built = TestElfWriter.typical().build();
        final byte[] valid = built.bytes();

        assertRejected(patch(valid, b -> putU64(b, built.phdr(1) + P_MEMSZ_OFFSET, 4)), "exceeds p_memsz");
        assertRejected(patch(valid, b -> putU64(b, built.phdr(1) + P_PADDR_OFFSET, RAM + 0x10)), "overlap");
        assertRejected(patch(valid, b -> putU64(b, built.phdr(0) + P_MEMSZ_OFFSET, 0x1001)), "overlap");
        assertRejected(patch(valid, b -> putU64(b, built.phdr(1) + P_MEMSZ_OFFSET, -0x1000L)), "wraps");
        assertRejected(patch(valid, b -> putU64(b, built.phdr(1) + P_VADDR_OFFSET, -4L)), "virtual");

        final byte[] huge = patch(valid, b -> putU64(b, built.phdr(1) + P_MEMSZ_OFFSET, 1L << 40));
        final ElfFormatException e = assertThrows(ElfFormatException.class,
            () -> ElfLoader.load(ElfImage.parse(huge), new ByteArrayLoadTarget(RAM, 0x2000)));
        assertMessage(e, "segment 1");

        final ElfImage negative = ElfImage.parse(
            patch(valid, b -> putU64(b, built.phdr(1) + P_MEMSZ_OFFSET, Long.MIN_VALUE)));
        assertMessage(assertThrows(ElfFormatException.class,
            () -> ElfLoader.load(negative, new ByteArrayLoadTarget(RAM, 0x2000))), "segment 1");
    }

    @Test
    void rejectsBadSymbolTables()
    {
        final TestElfWriter.Built built = TestElfWriter.typical().build();
        final byte[] valid = built.bytes();

        assertRejected(patch(valid, b -> putU32(b, built.sym(2) + ST_NAME_OFFSET, 0xFFFF)),
            "symbol 2 name offset 65535");
        assertRejected(patch(valid, b -> putU32(b, built.sym(1) + ST_NAME_OFFSET, -1)), "outside the string table");
        assertRejected(patch(valid, b -> putU64(b, built.shdr(1) + SH_ENTSIZE_OFFSET, 16)), "sh_entsize");
        assertRejected(patch(valid, b -> putU64(b, built.shdr(1) + SH_SIZE_OFFSET, 30)), "multiple");
        assertRejected(patch(valid, b -> putU32(b, built.shdr(1) + SH_LINK_OFFSET, 9)), "sh_link 9");
        assertRejected(patch(valid, b -> putU32(b, built.shdr(1) + SH_LINK_OFFSET, 1)), "not a string table");
        assertRejected(patch(valid, b -> putU16(b, E_SHENTSIZE_OFFSET, 10)), "e_shentsize");

        // Make the string table end in the middle of the last name, dropping its terminator.
        final long strSize = ByteBuffer.wrap(valid).order(ByteOrder.LITTLE_ENDIAN).getLong(built.shdr(2) + SH_SIZE_OFFSET);
        assertRejected(patch(valid, b -> putU64(b, built.shdr(2) + SH_SIZE_OFFSET, strSize - 2)), "NUL-terminated");
    }

    @Test
    void fuzzedFilesFailOnlyWithElfFormatException(final Seed seed)
    {
        final byte[] valid = TestElfWriter.typical().build().bytes();
        final Random random = seed.random();
        int accepted = 0;
        for (int round = 0; round < 10_000; round++)
        {
            final byte[] fuzzed = valid.clone();
            final int flips = 1 + random.nextInt(4);
            for (int f = 0; f < flips; f++)
            {
                // Half of the flips land in the headers and tables at the front, where they matter most.
                final int at = random.nextBoolean() ? random.nextInt(64 + 2 * PHDR_LENGTH) : random.nextInt(fuzzed.length);
                fuzzed[at] = (byte)random.nextInt(256);
            }
            final byte[] input = random.nextInt(10) == 0 ? Arrays.copyOf(fuzzed, random.nextInt(fuzzed.length)) : fuzzed;
            try
            {
                final ElfImage image = ElfImage.parse(input);
                image.symbol("tohost");
                ElfLoader.load(image, new ByteArrayLoadTarget(RAM, 0x2000));
                accepted++;
            }
            catch (final ElfFormatException e)
            {
                assertFalse(e.getMessage().contains("\n"), e.getMessage());
            }
            catch (final RuntimeException e)
            {
                fail("round " + round + ": " + e, e);
            }
        }
        assertTrue(accepted > 0, "some fuzzed files should still load");
    }

    @Test
    void parsesRealRiscvFirmwareIfInstalled() throws IOException
    {
        final Path firmware = Path.of("/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.elf");
        Assumptions.assumeTrue(Files.isRegularFile(firmware),
            "no real RISC-V ELF: install Debian's opensbi package (fw_jump.elf) to run this test");

        final ElfImage image = ElfImage.read(firmware);
        assertEquals(EM_RISCV, image.machine());
        assertFalse(image.segments().isEmpty());
        final ElfSegment first = image.segments().get(0);
        assertEquals(RAM, first.physicalAddress());
        assertEquals(RAM, image.entry());

        final ByteArrayLoadTarget target = new ByteArrayLoadTarget(RAM, 1 << 20);
        final LoadedExtent extent = ElfLoader.load(image, target);
        assertEquals(RAM, extent.start());
        final byte[] file = Files.readAllBytes(firmware);
        for (int i = 0; i < 64; i++)
        {
            assertEquals(file[(int)first.fileOffset() + i], target.at(RAM + i));
        }
    }

    private static void assertRejected(final byte[] bytes, final String expected)
    {
        final ElfFormatException e = assertThrows(ElfFormatException.class, () -> ElfImage.parse(bytes));
        assertMessage(e, expected);
    }

    private static void assertMessage(final ElfFormatException e, final String expected)
    {
        assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }

    interface Patch
    {
        void apply(byte[] bytes);
    }

    private static byte[] patch(final byte[] valid, final Patch patch)
    {
        final byte[] copy = valid.clone();
        patch.apply(copy);
        return copy;
    }

    /** Little-endian field writers; return a chainer so one patch can change several fields. */
    static final class Put
    {
        Put putU16(final byte[] b, final int at, final int value)
        {
            ElfImageTest.putU16(b, at, value);
            return this;
        }

        Put putU32(final byte[] b, final int at, final int value)
        {
            ElfImageTest.putU32(b, at, value);
            return this;
        }

        Put putU64(final byte[] b, final int at, final long value)
        {
            ElfImageTest.putU64(b, at, value);
            return this;
        }
    }

    static Put putU16(final byte[] b, final int at, final int value)
    {
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putShort(at, (short)value);
        return new Put();
    }

    static Put putU32(final byte[] b, final int at, final int value)
    {
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(at, value);
        return new Put();
    }

    static Put putU64(final byte[] b, final int at, final long value)
    {
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(at, value);
        return new Put();
    }
}
