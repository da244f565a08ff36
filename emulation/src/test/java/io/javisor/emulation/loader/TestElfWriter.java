package io.javisor.emulation.loader;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds small ELF64 RISC-V executables for tests: header, PT_LOAD program headers with their
 * contents, and a .symtab/.strtab/.shstrtab with section headers. Reports where each part went
 * so that tests can corrupt specific fields.
 */
public final class TestElfWriter
{
    record Segment(long physicalAddress, byte[] contents, long memorySize, int flags)
    {
    }

    record Symbol(String name, long value, boolean local)
    {
    }

    /** The file and the offsets of its parts. */
    public record Built(byte[] bytes, int phoff, int[] segmentDataOffsets, int strtabOffset, int symtabOffset, int shoff)
    {
        int phdr(final int index)
        {
            return phoff + index * ElfDescriptor.PHDR_LENGTH;
        }

        /** Offset of symbol {@code index} (1-based: 0 is the null symbol). */
        int sym(final int index)
        {
            return symtabOffset + index * ElfDescriptor.SYM_LENGTH;
        }

        int shdr(final int index)
        {
            return shoff + index * ElfDescriptor.SHDR_LENGTH;
        }
    }

    static final int SHN_ABS = 0xFFF1;

    private final List<Segment> segments = new ArrayList<>();
    private final List<Symbol> symbols = new ArrayList<>();
    private long entry = 0x8000_0000L;
    private int type = ElfDescriptor.ET_EXEC;

    public TestElfWriter entry(final long entry)
    {
        this.entry = entry;
        return this;
    }

    TestElfWriter type(final int type)
    {
        this.type = type;
        return this;
    }

    public TestElfWriter segment(final long physicalAddress, final byte[] contents, final long memorySize, final int flags)
    {
        segments.add(new Segment(physicalAddress, contents, memorySize, flags));
        return this;
    }

    public TestElfWriter symbol(final String name, final long value, final boolean local)
    {
        symbols.add(new Symbol(name, value, local));
        return this;
    }

    /** A typical bare-metal test program: code, then data with a zero-filled tail, and HTIF symbols. */
    static TestElfWriter typical()
    {
        final byte[] code = new byte[100];
        for (int i = 0; i < code.length; i++)
        {
            code[i] = (byte)(i + 1);
        }
        final byte[] data = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, (byte)0x88};
        return new TestElfWriter()
            .segment(0x8000_0000L, code, code.length, ElfDescriptor.PF_R | ElfDescriptor.PF_X)
            .segment(0x8000_1000L, data, 0x40, ElfDescriptor.PF_R | ElfDescriptor.PF_W)
            .symbol("_start", 0x8000_0000L, false)
            .symbol("tohost", 0x8000_1000L, false)
            .symbol("fromhost", 0x8000_1008L, false)
            .symbol("loop", 0x8000_0010L, true);
    }

    public Built build()
    {
        final ByteBuffer out = ByteBuffer.allocate(64 * 1024).order(ByteOrder.LITTLE_ENDIAN);
        final int phoff = ElfDescriptor.EHDR_LENGTH;
        out.position(phoff + segments.size() * ElfDescriptor.PHDR_LENGTH);

        final int[] dataOffsets = new int[segments.size()];
        for (int i = 0; i < segments.size(); i++)
        {
            align(out, 8);
            dataOffsets[i] = out.position();
            out.put(segments.get(i).contents());
        }

        final int strtabOffset = out.position();
        final int[] nameOffsets = new int[symbols.size()];
        out.put((byte)0);
        for (int i = 0; i < symbols.size(); i++)
        {
            nameOffsets[i] = out.position() - strtabOffset;
            out.put(symbols.get(i).name().getBytes(StandardCharsets.UTF_8)).put((byte)0);
        }
        final int strtabSize = out.position() - strtabOffset;

        align(out, 8);
        final int symtabOffset = out.position();
        out.position(symtabOffset + ElfDescriptor.SYM_LENGTH);
        for (int i = 0; i < symbols.size(); i++)
        {
            final Symbol symbol = symbols.get(i);
            final int binding = symbol.local() ? 0 : 1;
            out.putInt(nameOffsets[i]).put((byte)(binding << 4 | 1)).put((byte)0).putShort((short)SHN_ABS)
                .putLong(symbol.value()).putLong(8);
        }
        final int symtabSize = out.position() - symtabOffset;

        final int shstrtabOffset = out.position();
        out.put("\0.symtab\0.strtab\0.shstrtab\0".getBytes(StandardCharsets.US_ASCII));
        final int shstrtabSize = out.position() - shstrtabOffset;

        align(out, 8);
        final int shoff = out.position();
        out.position(shoff + ElfDescriptor.SHDR_LENGTH);
        section(out, 1, ElfDescriptor.SHT_SYMTAB, symtabOffset, symtabSize, 2, 1, ElfDescriptor.SYM_LENGTH);
        section(out, 9, ElfDescriptor.SHT_STRTAB, strtabOffset, strtabSize, 0, 0, 0);
        section(out, 17, ElfDescriptor.SHT_STRTAB, shstrtabOffset, shstrtabSize, 0, 0, 0);
        final int length = out.position();

        out.position(0);
        out.put(new byte[]{0x7F, 'E', 'L', 'F', 2, 1, 1, 0}).putLong(0);
        out.putShort((short)type).putShort((short)ElfDescriptor.EM_RISCV).putInt(1)
            .putLong(entry).putLong(phoff).putLong(shoff).putInt(0x5)
            .putShort((short)ElfDescriptor.EHDR_LENGTH)
            .putShort((short)ElfDescriptor.PHDR_LENGTH).putShort((short)segments.size())
            .putShort((short)ElfDescriptor.SHDR_LENGTH).putShort((short)4).putShort((short)3);
        for (int i = 0; i < segments.size(); i++)
        {
            final Segment segment = segments.get(i);
            out.putInt(ElfDescriptor.PT_LOAD).putInt(segment.flags()).putLong(dataOffsets[i])
                .putLong(segment.physicalAddress()).putLong(segment.physicalAddress())
                .putLong(segment.contents().length).putLong(segment.memorySize()).putLong(8);
        }

        final byte[] bytes = new byte[length];
        out.get(0, bytes);
        return new Built(bytes, phoff, dataOffsets, strtabOffset, symtabOffset, shoff);
    }

    private static void section(
        final ByteBuffer out, final int name, final int type, final long offset, final long size,
        final int link, final int info, final long entsize)
    {
        out.putInt(name).putInt(type).putLong(0).putLong(0).putLong(offset).putLong(size)
            .putInt(link).putInt(info).putLong(1).putLong(entsize);
    }

    private static void align(final ByteBuffer out, final int alignment)
    {
        while (out.position() % alignment != 0)
        {
            out.put((byte)0);
        }
    }
}
