package io.javisor.emulation.loader;

/**
 * One PT_LOAD program header, already checked against the file: {@code fileOffset + fileSize}
 * lies inside the file, {@code fileSize <= memorySize}, and neither address range wraps.
 *
 * @param index        position in the program header table, for messages.
 * @param virtualAddress p_vaddr.
 * @param physicalAddress p_paddr, where {@link ElfLoader} places the segment.
 * @param fileOffset   p_offset.
 * @param fileSize     p_filesz; fits an int because it lies inside a byte[].
 * @param memorySize   p_memsz; the tail beyond fileSize is zero-filled.
 * @param flags        PF_R | PF_W | PF_X bits.
 * @param align        p_align.
 */
public record ElfSegment(
    int index,
    long virtualAddress,
    long physicalAddress,
    long fileOffset,
    long fileSize,
    long memorySize,
    int flags,
    long align)
{
    public boolean readable()
    {
        return (flags & ElfDescriptor.PF_R) != 0;
    }

    public boolean writable()
    {
        return (flags & ElfDescriptor.PF_W) != 0;
    }

    public boolean executable()
    {
        return (flags & ElfDescriptor.PF_X) != 0;
    }
}
