package io.javisor.emulation.cpu;

import io.javisor.emulation.isa.Decoded;

/**
 * The layout of one {@link DecodedPages} slot: a {@link Decoded} word re-packed for the fast
 * path, whose destination register field has six bits so that {@code rd = x0} can name the
 * write sink {@code x[32]}; the fast path then writes every result without testing for x0.
 * <pre>
 *  63           32 31     26 25   24  23   19 18   14 13    8 7      0
 * +---------------+---------+-----+---+-------+-------+-------+--------+
 * |  immediate    |  zero   |valid| C |  rs2  |  rs1  |  rd   | opcode |
 * +---------------+---------+-----+---+-------+-------+-------+--------+
 * </pre>
 * The valid bit makes every filled slot non-zero; C marks a 16-bit encoding (length 2).
 */
final class CachedInstruction
{
    static final int SINK = 32;
    /** The page-end sentinel: valid, opcode {@code ILLEGAL}, so the fast path stops on it. */
    static final long END = 1L << 25;
    private static final long VALID = 1L << 25;
    private static final long COMPRESSED = 1L << 24;

    private CachedInstruction()
    {
    }

    static long of(final long decoded)
    {
        final int rd = Decoded.rd(decoded);
        return Decoded.opcode(decoded) |
            (long)(rd == 0 ? SINK : rd) << 8 |
            (long)Decoded.rs1(decoded) << 14 |
            (long)Decoded.rs2(decoded) << 19 |
            (Decoded.length(decoded) == 2 ? COMPRESSED : 0) |
            VALID |
            (long)Decoded.imm(decoded) << 32;
    }

    static int opcode(final long slot)
    {
        return (int)slot & 0xFF;
    }

    static int rd(final long slot)
    {
        return (int)(slot >>> 8) & 0x3F;
    }

    static int rs1(final long slot)
    {
        return (int)(slot >>> 14) & 0x1F;
    }

    static int rs2(final long slot)
    {
        return (int)(slot >>> 19) & 0x1F;
    }

    /** @return the instruction's length in halfword slots: 1 or 2. */
    static int slots(final long slot)
    {
        return 2 - ((int)(slot >>> 24) & 1);
    }

    static long imm(final long slot)
    {
        return slot >> 32;
    }

    static int length(final long slot)
    {
        return 4 - (int)((slot >>> 24) & 1) * 2;
    }
}
