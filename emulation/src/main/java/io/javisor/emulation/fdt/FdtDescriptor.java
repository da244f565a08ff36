package io.javisor.emulation.fdt;

/**
 * Layout of a flattened devicetree blob (DTB) as defined by the Devicetree Specification:
 * a header, the memory reservation block, the structure block and the strings block.
 * Every integer in a blob is big-endian.
 */
public final class FdtDescriptor
{
    public static final int FDT_MAGIC = 0xD00DFEED;
    /** The version written; readers that understand {@link #LAST_COMPATIBLE_VERSION} can read it. */
    public static final int VERSION = 17;
    public static final int LAST_COMPATIBLE_VERSION = 16;

    // Header fields, each a 32-bit big-endian word.
    public static final int MAGIC_OFFSET = 0;
    public static final int TOTALSIZE_OFFSET = 4;
    public static final int OFF_DT_STRUCT_OFFSET = 8;
    public static final int OFF_DT_STRINGS_OFFSET = 12;
    public static final int OFF_MEM_RSVMAP_OFFSET = 16;
    public static final int VERSION_OFFSET = 20;
    public static final int LAST_COMP_VERSION_OFFSET = 24;
    public static final int BOOT_CPUID_PHYS_OFFSET = 28;
    public static final int SIZE_DT_STRINGS_OFFSET = 32;
    public static final int SIZE_DT_STRUCT_OFFSET = 36;
    public static final int HEADER_LENGTH = 40;

    /** Reservation entries are two 64-bit words, address then size; the block is 8-byte aligned. */
    public static final int RESERVE_ENTRY_LENGTH = 16;
    public static final int RESERVE_ALIGNMENT = 8;

    // Structure block tokens, each a 32-bit word; the block and every token are 4-byte aligned.
    public static final int FDT_BEGIN_NODE = 0x1;
    public static final int FDT_END_NODE = 0x2;
    public static final int FDT_PROP = 0x3;
    public static final int FDT_NOP = 0x4;
    public static final int FDT_END = 0x9;
    public static final int TOKEN_ALIGNMENT = 4;

    /** FDT_PROP is followed by the value length and the name's offset in the strings block, then the value. */
    public static final int PROP_LEN_OFFSET = 4;
    public static final int PROP_NAMEOFF_OFFSET = 8;
    public static final int PROP_VALUE_OFFSET = 12;

    /** Node and property names are at most this long (a node's unit address not counted). */
    public static final int MAX_NAME_LENGTH = 31;

    private FdtDescriptor()
    {
    }

    /** Round {@code value} up to a multiple of the power of two {@code alignment}. */
    public static int align(final int value, final int alignment)
    {
        return (value + alignment - 1) & -alignment;
    }
}
