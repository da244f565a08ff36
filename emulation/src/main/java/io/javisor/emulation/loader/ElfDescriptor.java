package io.javisor.emulation.loader;

/**
 * File layout of the ELF64 structures javisor reads: the file header, program headers,
 * section headers and symbol table entries, plus the constant values it checks.
 * All multi-byte fields are little-endian because only ELFDATA2LSB files are accepted.
 */
public final class ElfDescriptor
{
    // e_ident
    public static final int EI_MAG0_OFFSET = 0;
    public static final int ELF_MAGIC = 0x464C457F; // "\177ELF" read as a little-endian int
    public static final int EI_CLASS_OFFSET = 4;
    public static final int ELFCLASS64 = 2;
    public static final int EI_DATA_OFFSET = 5;
    public static final int ELFDATA2LSB = 1;
    public static final int EI_VERSION_OFFSET = 6;
    public static final int EV_CURRENT = 1;

    // File header (Elf64_Ehdr)
    public static final int E_TYPE_OFFSET = 16;
    public static final int E_MACHINE_OFFSET = 18;
    public static final int E_VERSION_OFFSET = 20;
    public static final int E_ENTRY_OFFSET = 24;
    public static final int E_PHOFF_OFFSET = 32;
    public static final int E_SHOFF_OFFSET = 40;
    public static final int E_FLAGS_OFFSET = 48;
    public static final int E_EHSIZE_OFFSET = 52;
    public static final int E_PHENTSIZE_OFFSET = 54;
    public static final int E_PHNUM_OFFSET = 56;
    public static final int E_SHENTSIZE_OFFSET = 58;
    public static final int E_SHNUM_OFFSET = 60;
    public static final int E_SHSTRNDX_OFFSET = 62;
    public static final int EHDR_LENGTH = 64;

    public static final int ET_EXEC = 2;
    public static final int ET_DYN = 3;
    public static final int EM_RISCV = 243;

    // Program header (Elf64_Phdr)
    public static final int P_TYPE_OFFSET = 0;
    public static final int P_FLAGS_OFFSET = 4;
    public static final int P_OFFSET_OFFSET = 8;
    public static final int P_VADDR_OFFSET = 16;
    public static final int P_PADDR_OFFSET = 24;
    public static final int P_FILESZ_OFFSET = 32;
    public static final int P_MEMSZ_OFFSET = 40;
    public static final int P_ALIGN_OFFSET = 48;
    public static final int PHDR_LENGTH = 56;

    public static final int PT_LOAD = 1;
    public static final int PF_X = 1;
    public static final int PF_W = 2;
    public static final int PF_R = 4;
    /** e_phnum value meaning "the real count is elsewhere" (extended numbering, unsupported). */
    public static final int PN_XNUM = 0xFFFF;

    // Section header (Elf64_Shdr)
    public static final int SH_NAME_OFFSET = 0;
    public static final int SH_TYPE_OFFSET = 4;
    public static final int SH_FLAGS_OFFSET = 8;
    public static final int SH_ADDR_OFFSET = 16;
    public static final int SH_OFFSET_OFFSET = 24;
    public static final int SH_SIZE_OFFSET = 32;
    public static final int SH_LINK_OFFSET = 40;
    public static final int SH_INFO_OFFSET = 44;
    public static final int SH_ADDRALIGN_OFFSET = 48;
    public static final int SH_ENTSIZE_OFFSET = 56;
    public static final int SHDR_LENGTH = 64;

    public static final int SHT_SYMTAB = 2;
    public static final int SHT_STRTAB = 3;

    // Symbol table entry (Elf64_Sym)
    public static final int ST_NAME_OFFSET = 0;
    public static final int ST_INFO_OFFSET = 4;
    public static final int ST_OTHER_OFFSET = 5;
    public static final int ST_SHNDX_OFFSET = 6;
    public static final int ST_VALUE_OFFSET = 8;
    public static final int ST_SIZE_OFFSET = 16;
    public static final int SYM_LENGTH = 24;

    public static final int SHN_UNDEF = 0;
    public static final int STB_LOCAL = 0;

    private ElfDescriptor()
    {
    }
}
