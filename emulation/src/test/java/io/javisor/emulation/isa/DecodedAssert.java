package io.javisor.emulation.isa;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Assertions over packed {@link Decoded} words that print both sides readably on failure. */
final class DecodedAssert
{
    private DecodedAssert()
    {
    }

    static void assertDecoded(final long expected, final long actual)
    {
        assertEquals(Decoded.toString(expected), Decoded.toString(actual));
        assertEquals(expected, actual);
    }

    static void assertDecodes(
        final int insn, final int opcode, final int rd, final int rs1, final int rs2, final int imm)
    {
        final long decoded = Decoder.decode(insn);
        final String where = Integer.toHexString(insn) + " -> " + Decoded.toString(decoded);
        assertEquals(Opcode.name(opcode), Opcode.name(Decoded.opcode(decoded)), where);
        assertEquals(rd, Decoded.rd(decoded), where);
        assertEquals(rs1, Decoded.rs1(decoded), where);
        assertEquals(rs2, Decoded.rs2(decoded), where);
        assertEquals(imm, Decoded.imm(decoded), where);
        assertEquals(4, Decoded.length(decoded), where);
    }

    /** A compressed instruction must decode exactly as its expansion, but with length 2. */
    static void assertExpands(final short compressed, final int expansion)
    {
        final long expected = Decoded.compressed(Decoder.decode(expansion));
        final long actual = CompressedDecoder.decodeCompressed(compressed);
        assertEquals(
            Decoded.toString(expected), Decoded.toString(actual), "c=" + Integer.toHexString(compressed & 0xFFFF));
        assertEquals(expected, actual);
        assertEquals(2, Decoded.length(actual));
    }

    static void assertIllegal(final int insn)
    {
        assertEquals(Decoded.ILLEGAL, Decoder.decode(insn), () -> "expected illegal: " + Integer.toHexString(insn) +
            " got " + Decoded.toString(Decoder.decode(insn)));
    }

    static void assertIllegalCompressed(final int halfword)
    {
        final long decoded = CompressedDecoder.decodeCompressed((short)halfword);
        assertEquals(Decoded.ILLEGAL_COMPRESSED, decoded,
            () -> "expected illegal: " + Integer.toHexString(halfword) + " got " + Decoded.toString(decoded));
    }
}
