package io.javisor.emulation.loader;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import static io.javisor.emulation.loader.ElfDescriptor.*;

/**
 * A parsed ELF64 little-endian RISC-V executable (ET_EXEC or ET_DYN).
 * <p>
 * Everything is validated while parsing, so that an instance, once built, can be loaded
 * without further checks against the file: a malformed file fails here with an
 * {@link ElfFormatException}, never later and never with an index exception.
 * The image keeps its own copy of the bytes, so a caller changing its array afterwards
 * cannot invalidate what was checked.
 */
public final class ElfImage
{
    private static final VarHandle U16 = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle U32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle U64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /** Files.readAllBytes cannot go beyond this; reject earlier with a clear message. */
    private static final long MAX_FILE_LENGTH = Integer.MAX_VALUE - 8;

    private final byte[] data;
    private final int type;
    private final int machine;
    private final int flags;
    private final long entry;
    private final List<ElfSegment> segments;
    private final Map<String, Long> symbols;

    private ElfImage(final byte[] data)
    {
        this.data = data;
        checkIdentAndHeader();
        type = u16(E_TYPE_OFFSET);
        machine = u16(E_MACHINE_OFFSET);
        flags = u32(E_FLAGS_OFFSET);
        entry = u64(E_ENTRY_OFFSET);
        segments = parseSegments();
        symbols = parseSymbols();
    }

    /**
     * Parse an ELF image from a copy of {@code bytes}.
     */
    public static ElfImage parse(final byte[] bytes)
    {
        if (null == bytes)
        {
            throw new ElfFormatException("ELF image is null");
        }
        return new ElfImage(bytes.clone());
    }

    /**
     * Read and parse an ELF file.
     */
    public static ElfImage read(final Path path) throws IOException
    {
        final long size = Files.size(path);
        if (size > MAX_FILE_LENGTH)
        {
            throw new ElfFormatException("ELF file " + path + " is " + size + " bytes, too large to load");
        }
        return new ElfImage(Files.readAllBytes(path));
    }

    /** e_type: {@link ElfDescriptor#ET_EXEC} or {@link ElfDescriptor#ET_DYN}. */
    public int type()
    {
        return type;
    }

    /** e_machine, always {@link ElfDescriptor#EM_RISCV}. */
    public int machine()
    {
        return machine;
    }

    /** e_flags (for RISC-V: RVC and float ABI bits). */
    public int flags()
    {
        return flags;
    }

    /** e_entry, a virtual address. */
    public long entry()
    {
        return entry;
    }

    /** PT_LOAD segments in program header order; at least one. */
    public List<ElfSegment> segments()
    {
        return segments;
    }

    /**
     * The value of a defined symbol, a global or weak one being preferred over a local one of the same name.
     */
    public OptionalLong symbol(final String name)
    {
        final Long value = symbols.get(name);
        return null == value ? OptionalLong.empty() : OptionalLong.of(value);
    }

    /** All defined, named symbols; empty for a stripped file. */
    public Map<String, Long> symbols()
    {
        return symbols;
    }

    /** Length of the file in bytes. */
    public int length()
    {
        return data.length;
    }

    /** The checked file bytes; callers in this package must not modify them. */
    byte[] data()
    {
        return data;
    }

    private void checkIdentAndHeader()
    {
        if (data.length < EHDR_LENGTH)
        {
            throw new ElfFormatException(
                "file is " + data.length + " bytes, shorter than the " + EHDR_LENGTH + "-byte ELF64 header");
        }
        if (u32(EI_MAG0_OFFSET) != ELF_MAGIC)
        {
            throw new ElfFormatException("bad ELF magic 0x" + Integer.toHexString(Integer.reverseBytes(u32(0))));
        }
        final int elfClass = data[EI_CLASS_OFFSET] & 0xFF;
        if (elfClass != ELFCLASS64)
        {
            throw new ElfFormatException("ELF class " + elfClass + " is not ELFCLASS64 (2)");
        }
        final int encoding = data[EI_DATA_OFFSET] & 0xFF;
        if (encoding != ELFDATA2LSB)
        {
            throw new ElfFormatException("ELF data encoding " + encoding + " is not little-endian (1)");
        }
        final int identVersion = data[EI_VERSION_OFFSET] & 0xFF;
        final int version = u32(E_VERSION_OFFSET);
        if (identVersion != EV_CURRENT || version != EV_CURRENT)
        {
            throw new ElfFormatException("ELF version " + identVersion + "/" + Integer.toUnsignedString(version)
                + " is not EV_CURRENT (1)");
        }
        final int fileType = u16(E_TYPE_OFFSET);
        if (fileType != ET_EXEC && fileType != ET_DYN)
        {
            throw new ElfFormatException("ELF type " + fileType + " is neither ET_EXEC (2) nor ET_DYN (3)");
        }
        final int fileMachine = u16(E_MACHINE_OFFSET);
        if (fileMachine != EM_RISCV)
        {
            throw new ElfFormatException("ELF machine " + fileMachine + " is not RISC-V (243)");
        }
    }

    private List<ElfSegment> parseSegments()
    {
        final long phoff = u64(E_PHOFF_OFFSET);
        final int phentsize = u16(E_PHENTSIZE_OFFSET);
        final int phnum = u16(E_PHNUM_OFFSET);
        if (phnum == PN_XNUM)
        {
            throw new ElfFormatException("extended program header numbering (e_phnum 0xffff) is not supported");
        }
        if (phnum == 0)
        {
            throw new ElfFormatException("no program headers (e_phnum 0)");
        }
        if (phentsize < PHDR_LENGTH)
        {
            throw new ElfFormatException("e_phentsize " + phentsize + " is smaller than " + PHDR_LENGTH);
        }
        // phnum and phentsize are 16-bit, so their product cannot overflow a long.
        checkRange("program header table", phoff, (long)phnum * phentsize);

        final List<ElfSegment> loads = new ArrayList<>();
        for (int i = 0; i < phnum; i++)
        {
            final int at = (int)(phoff + (long)i * phentsize);
            if (u32(at + P_TYPE_OFFSET) != PT_LOAD)
            {
                continue;
            }
            final long offset = u64(at + P_OFFSET_OFFSET);
            final long vaddr = u64(at + P_VADDR_OFFSET);
            final long paddr = u64(at + P_PADDR_OFFSET);
            final long filesz = u64(at + P_FILESZ_OFFSET);
            final long memsz = u64(at + P_MEMSZ_OFFSET);
            final String what = "segment " + i;
            checkRange(what + " file contents", offset, filesz);
            if (Long.compareUnsigned(filesz, memsz) > 0)
            {
                throw new ElfFormatException(what + " p_filesz 0x" + Long.toHexString(filesz)
                    + " exceeds p_memsz 0x" + Long.toHexString(memsz));
            }
            checkNoWrap(what + " physical", paddr, memsz);
            checkNoWrap(what + " virtual", vaddr, memsz);
            loads.add(new ElfSegment(i, vaddr, paddr, offset, filesz, memsz,
                u32(at + P_FLAGS_OFFSET), u64(at + P_ALIGN_OFFSET)));
        }
        if (loads.isEmpty())
        {
            throw new ElfFormatException("no PT_LOAD segment among " + phnum + " program headers");
        }
        checkNoOverlap(loads);
        return Collections.unmodifiableList(loads);
    }

    private static void checkNoOverlap(final List<ElfSegment> loads)
    {
        final List<ElfSegment> sorted = new ArrayList<>(loads.size());
        for (final ElfSegment segment : loads)
        {
            // An empty segment occupies nothing, so it cannot collide with anything.
            if (segment.memorySize() != 0)
            {
                sorted.add(segment);
            }
        }
        sorted.sort(Comparator.comparing(ElfSegment::physicalAddress, Long::compareUnsigned));
        for (int i = 1; i < sorted.size(); i++)
        {
            final ElfSegment lower = sorted.get(i - 1);
            final ElfSegment upper = sorted.get(i);
            // Sorted and non-wrapping, so the unsigned distance between the starts is exact.
            if (Long.compareUnsigned(upper.physicalAddress() - lower.physicalAddress(), lower.memorySize()) < 0)
            {
                throw new ElfFormatException("segment " + lower.index() + " and segment " + upper.index()
                    + " overlap at physical 0x" + Long.toHexString(upper.physicalAddress()));
            }
        }
    }

    private Map<String, Long> parseSymbols()
    {
        final long shoff = u64(E_SHOFF_OFFSET);
        final int shnum = u16(E_SHNUM_OFFSET);
        // No section headers (or the extended-count form, used only by files with >65279 sections)
        // means there is no symbol table to read: a stripped image is still loadable.
        if (shoff == 0 || shnum == 0)
        {
            return Map.of();
        }
        final int shentsize = u16(E_SHENTSIZE_OFFSET);
        if (shentsize < SHDR_LENGTH)
        {
            throw new ElfFormatException("e_shentsize " + shentsize + " is smaller than " + SHDR_LENGTH);
        }
        checkRange("section header table", shoff, (long)shnum * shentsize);

        int symtab = -1;
        for (int i = 0; i < shnum; i++)
        {
            if (u32(sectionHeader(shoff, shentsize, i) + SH_TYPE_OFFSET) == SHT_SYMTAB)
            {
                symtab = i;
                break;
            }
        }
        if (symtab < 0)
        {
            return Map.of();
        }

        final int symHeader = sectionHeader(shoff, shentsize, symtab);
        final long symOffset = u64(symHeader + SH_OFFSET_OFFSET);
        final long symSize = u64(symHeader + SH_SIZE_OFFSET);
        final long symEntsize = u64(symHeader + SH_ENTSIZE_OFFSET);
        final int strIndex = u32(symHeader + SH_LINK_OFFSET);
        checkRange("symbol table (section " + symtab + ")", symOffset, symSize);
        if (symEntsize != SYM_LENGTH)
        {
            throw new ElfFormatException("symbol table sh_entsize " + symEntsize + " is not " + SYM_LENGTH);
        }
        if (symSize % SYM_LENGTH != 0)
        {
            throw new ElfFormatException("symbol table size " + symSize + " is not a multiple of " + SYM_LENGTH);
        }
        if (strIndex <= 0 || strIndex >= shnum)
        {
            throw new ElfFormatException("symbol table sh_link " + Integer.toUnsignedString(strIndex)
                + " is not a section index below " + shnum);
        }
        final int strHeader = sectionHeader(shoff, shentsize, strIndex);
        if (u32(strHeader + SH_TYPE_OFFSET) != SHT_STRTAB)
        {
            throw new ElfFormatException("symbol table sh_link " + strIndex + " is not a string table");
        }
        final long strOffset = u64(strHeader + SH_OFFSET_OFFSET);
        final long strSize = u64(strHeader + SH_SIZE_OFFSET);
        checkRange("string table (section " + strIndex + ")", strOffset, strSize);

        final Map<String, Long> result = new HashMap<>();
        final Map<String, Boolean> local = new HashMap<>();
        final int count = (int)(symSize / SYM_LENGTH);
        // Entry 0 is the reserved undefined symbol.
        for (int i = 1; i < count; i++)
        {
            final int at = (int)(symOffset + (long)i * SYM_LENGTH);
            final int nameOffset = u32(at + ST_NAME_OFFSET);
            if (nameOffset == 0 || u16(at + ST_SHNDX_OFFSET) == SHN_UNDEF)
            {
                continue;
            }
            final String name = string(i, (int)strOffset, (int)strSize, nameOffset);
            final boolean isLocal = ((data[at + ST_INFO_OFFSET] & 0xFF) >>> 4) == STB_LOCAL;
            final Boolean existingLocal = local.get(name);
            // First definition wins, except that a global or weak one replaces a local one.
            if (null == existingLocal || (existingLocal && !isLocal))
            {
                result.put(name, u64(at + ST_VALUE_OFFSET));
                local.put(name, isLocal);
            }
        }
        return Collections.unmodifiableMap(result);
    }

    private String string(final int symbol, final int tableOffset, final int tableSize, final int nameOffset)
    {
        if (nameOffset < 0 || nameOffset >= tableSize)
        {
            throw new ElfFormatException("symbol " + symbol + " name offset " + Integer.toUnsignedString(nameOffset)
                + " is outside the string table (size " + tableSize + ")");
        }
        final int start = tableOffset + nameOffset;
        final int limit = tableOffset + tableSize;
        int end = start;
        while (end < limit && data[end] != 0)
        {
            end++;
        }
        if (end == limit)
        {
            throw new ElfFormatException("symbol " + symbol + " name at string table offset " + nameOffset
                + " is not NUL-terminated");
        }
        return new String(data, start, end - start, StandardCharsets.UTF_8);
    }

    private static int sectionHeader(final long shoff, final int shentsize, final int index)
    {
        // The whole table was range-checked against an int-sized file, so this fits an int.
        return (int)(shoff + (long)index * shentsize);
    }

    /**
     * Reject {@code [offset, offset + length)} unless it lies within the file; both are unsigned
     * 64-bit file fields, so a negative long means a value of 2^63 or more.
     */
    private void checkRange(final String what, final long offset, final long length)
    {
        if (offset < 0 || length < 0 || offset > data.length - length)
        {
            throw new ElfFormatException(what + " at offset 0x" + Long.toHexString(offset) + " size 0x"
                + Long.toHexString(length) + " lies beyond the end of the " + data.length + "-byte file");
        }
    }

    private static void checkNoWrap(final String what, final long address, final long length)
    {
        // A range ending exactly at 2^64 is still representable; only one that goes past it wraps.
        if (length != 0 && Long.compareUnsigned(address + length - 1, address) < 0)
        {
            throw new ElfFormatException(what + " range at 0x" + Long.toHexString(address) + " size 0x"
                + Long.toHexString(length) + " wraps past the end of the address space");
        }
    }

    private int u16(final int offset)
    {
        return (short)U16.get(data, offset) & 0xFFFF;
    }

    private int u32(final int offset)
    {
        return (int)U32.get(data, offset);
    }

    private long u64(final int offset)
    {
        return (long)U64.get(data, offset);
    }
}
