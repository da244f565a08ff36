package io.javisor.emulation.loader;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static io.javisor.emulation.loader.ElfDescriptor.*;

/**
 * A raw RISC-V Linux kernel {@code Image} (what {@code make Image} builds), loaded as QEMU's
 * {@code -kernel} loads one: its bytes at the S-mode kernel address, entered at its first byte. It is
 * recognised by its header (Linux's Documentation/arch/riscv/boot-image-header.rst: {@code image_size}
 * at 16, the magic {@code "RISCV\0\0\0"} at 48 and {@code "RSC\x05"} at 56) and turned into an
 * equivalent one-segment {@link ElfImage}, so that everything that loads ELF kernels loads it too.
 * Stateless.
 */
public final class RiscvKernelImage
{
    static final int IMAGE_SIZE_OFFSET = 16;
    static final int MAGIC_OFFSET = 48;
    static final long MAGIC = 0x0000_0056_4353_4952L; // "RISCV\0\0\0" as a little-endian long
    static final int MAGIC2_OFFSET = 56;
    static final int MAGIC2 = 0x0543_5352; // "RSC\x05" as a little-endian int
    static final int HEADER_LENGTH = 64;
    /** Where the synthesised ELF keeps the image's bytes: page aligned, after its two headers. */
    private static final int DATA_OFFSET = 0x1000;

    private RiscvKernelImage()
    {
    }

    /**
     * @return whether {@code bytes} start with a RISC-V kernel Image header.
     */
    public static boolean isImage(final byte[] bytes)
    {
        if (bytes.length < HEADER_LENGTH)
        {
            return false;
        }
        final ByteBuffer header = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        return header.getLong(MAGIC_OFFSET) == MAGIC || header.getInt(MAGIC2_OFFSET) == MAGIC2;
    }

    /**
     * The Image as an ELF whose one PT_LOAD segment puts its bytes at {@code loadAddress} (memory size:
     * the header's {@code image_size} when larger, which covers the kernel's BSS) and whose entry is
     * that address.
     *
     * @throws ElfFormatException when {@code bytes} are not an Image.
     */
    public static ElfImage toElf(final byte[] bytes, final long loadAddress)
    {
        if (!isImage(bytes))
        {
            throw new ElfFormatException("not a RISC-V kernel Image (no RISCV/RSC\\x05 magic in its header)");
        }
        final long imageSize = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(IMAGE_SIZE_OFFSET);
        final long memorySize = Math.max(bytes.length, imageSize);
        final ByteBuffer elf = ByteBuffer.allocate(DATA_OFFSET + bytes.length).order(ByteOrder.LITTLE_ENDIAN);
        elf.putInt(EI_MAG0_OFFSET, ELF_MAGIC);
        elf.put(EI_CLASS_OFFSET, (byte)ELFCLASS64);
        elf.put(EI_DATA_OFFSET, (byte)ELFDATA2LSB);
        elf.put(EI_VERSION_OFFSET, (byte)EV_CURRENT);
        elf.putShort(E_TYPE_OFFSET, (short)ET_EXEC);
        elf.putShort(E_MACHINE_OFFSET, (short)EM_RISCV);
        elf.putInt(E_VERSION_OFFSET, EV_CURRENT);
        elf.putLong(E_ENTRY_OFFSET, loadAddress);
        elf.putLong(E_PHOFF_OFFSET, EHDR_LENGTH);
        elf.putShort(E_EHSIZE_OFFSET, (short)EHDR_LENGTH);
        elf.putShort(E_PHENTSIZE_OFFSET, (short)PHDR_LENGTH);
        elf.putShort(E_PHNUM_OFFSET, (short)1);
        final int ph = EHDR_LENGTH;
        elf.putInt(ph + P_TYPE_OFFSET, PT_LOAD);
        elf.putInt(ph + P_FLAGS_OFFSET, PF_R | PF_W | PF_X);
        elf.putLong(ph + P_OFFSET_OFFSET, DATA_OFFSET);
        elf.putLong(ph + P_VADDR_OFFSET, loadAddress);
        elf.putLong(ph + P_PADDR_OFFSET, loadAddress);
        elf.putLong(ph + P_FILESZ_OFFSET, bytes.length);
        elf.putLong(ph + P_MEMSZ_OFFSET, memorySize);
        elf.putLong(ph + P_ALIGN_OFFSET, DATA_OFFSET);
        elf.put(DATA_OFFSET, bytes, 0, bytes.length);
        return ElfImage.parse(elf.array());
    }
}
