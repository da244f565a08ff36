package io.javisor.emulation.fuzz;

/**
 * Appends instructions to a RAM image between two addresses, little-endian, a halfword at a time
 * (so 32-bit instructions may sit at any even address and straddle pages), with back-patching for
 * forward references.
 */
final class CodeBuffer
{
    private final byte[] ram;
    private final int end;
    private int at;

    CodeBuffer(final byte[] ram, final long from, final long to)
    {
        this.ram = ram;
        this.at = (int)(from - FuzzLayout.BASE);
        this.end = (int)(to - FuzzLayout.BASE);
    }

    /** The guest address the next instruction goes to. */
    long pc()
    {
        return FuzzLayout.BASE + at;
    }

    int room()
    {
        return end - at;
    }

    void moveTo(final long pc)
    {
        at = (int)(pc - FuzzLayout.BASE);
    }

    void word(final int insn)
    {
        patchWord(pc(), insn);
        at += 4;
    }

    void half(final short insn)
    {
        patchHalf(pc(), insn);
        at += 2;
    }

    void patchWord(final long pc, final int insn)
    {
        patchHalf(pc, (short)insn);
        patchHalf(pc + 2, (short)(insn >>> 16));
    }

    void patchHalf(final long pc, final short insn)
    {
        final int o = (int)(pc - FuzzLayout.BASE);
        ram[o] = (byte)insn;
        ram[o + 1] = (byte)(insn >>> 8);
    }

    int halfAt(final long pc)
    {
        final int o = (int)(pc - FuzzLayout.BASE);
        return ram[o] & 0xFF | (ram[o + 1] & 0xFF) << 8;
    }
}
