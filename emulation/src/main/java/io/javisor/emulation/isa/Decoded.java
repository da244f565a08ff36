package io.javisor.emulation.isa;

/**
 * Layout of a decoded instruction packed into one {@code long}, so that decoding allocates
 * nothing and a per-page cache is a plain {@code long[]}.
 * <pre>
 *  63            32 31    26 25  24  23  22   18 17   13 12    8 7      0
 * +----------------+--------+---+---+---+-------+-------+-------+--------+
 * |  immediate     |  zero  | C |aq |rl |  rs2  |  rs1  |  rd   | opcode |
 * +----------------+--------+---+---+---+-------+-------+-------+--------+
 * </pre>
 * Invariants:
 * <ul>
 *   <li>Register fields an instruction's format does not use are zero, so two decodings of
 *   equivalent instructions compare equal as longs.</li>
 *   <li>The immediate is already sign-extended and scaled (branch and jump offsets in bytes,
 *   U-type as the final shifted value). Shift instructions hold the shift amount there.
 *   CSR instructions hold the unsigned 12-bit CSR number there; the CSR*I forms hold their
 *   5-bit unsigned immediate in the rs1 field. FENCE holds its fm/pred/succ bits unsigned.</li>
 *   <li>C is set exactly when the instruction came from a 16-bit encoding; length is 2 then
 *   and 4 otherwise.</li>
 * </ul>
 */
public final class Decoded
{
    static final int RD_SHIFT = 8;
    static final int RS1_SHIFT = 13;
    static final int RS2_SHIFT = 18;
    static final int RL_BIT = 23;
    static final int AQ_BIT = 24;
    static final int COMPRESSED_BIT = 25;
    static final int IMM_SHIFT = 32;

    /** The decoding of every illegal 32-bit word. */
    public static final long ILLEGAL = Opcode.ILLEGAL;

    /** The decoding of every illegal 16-bit halfword. */
    public static final long ILLEGAL_COMPRESSED = Opcode.ILLEGAL | 1L << COMPRESSED_BIT;

    private Decoded()
    {
    }

    /**
     * Pack the fields of a 32-bit instruction.
     *
     * @param opcode one of {@link Opcode}.
     * @param rd     destination register, 0..31.
     * @param rs1    first source register (or zimm), 0..31.
     * @param rs2    second source register, 0..31.
     * @param imm    immediate, as described in the class comment.
     * @return the packed word.
     */
    public static long pack(final int opcode, final int rd, final int rs1, final int rs2, final int imm)
    {
        return opcode | (long)rd << RD_SHIFT | (long)rs1 << RS1_SHIFT | (long)rs2 << RS2_SHIFT |
            (long)imm << IMM_SHIFT;
    }

    /**
     * Mark a decoded word as coming from a 16-bit encoding.
     *
     * @param decoded a packed word.
     * @return the same word with length 2.
     */
    public static long compressed(final long decoded)
    {
        return decoded | 1L << COMPRESSED_BIT;
    }

    public static int opcode(final long decoded)
    {
        return (int)decoded & 0xFF;
    }

    public static int rd(final long decoded)
    {
        return (int)(decoded >>> RD_SHIFT) & 0x1F;
    }

    public static int rs1(final long decoded)
    {
        return (int)(decoded >>> RS1_SHIFT) & 0x1F;
    }

    public static int rs2(final long decoded)
    {
        return (int)(decoded >>> RS2_SHIFT) & 0x1F;
    }

    public static int imm(final long decoded)
    {
        return (int)(decoded >> IMM_SHIFT);
    }

    /**
     * @param decoded a CSR instruction's packed word.
     * @return the CSR number, 0..4095.
     */
    public static int csr(final long decoded)
    {
        return (int)(decoded >>> IMM_SHIFT) & 0xFFF;
    }

    public static boolean aq(final long decoded)
    {
        return (decoded & 1L << AQ_BIT) != 0;
    }

    public static boolean rl(final long decoded)
    {
        return (decoded & 1L << RL_BIT) != 0;
    }

    /**
     * @param decoded a packed word.
     * @return the instruction length in bytes: 2 or 4.
     */
    public static int length(final long decoded)
    {
        return 4 - (int)((decoded >>> COMPRESSED_BIT) & 1) * 2;
    }

    /**
     * Render for traces and test failures; allocates, so never call it on a hot path.
     *
     * @param decoded a packed word.
     * @return a human readable rendering.
     */
    public static String toString(final long decoded)
    {
        return Opcode.name(opcode(decoded)) + " rd=" + rd(decoded) + " rs1=" + rs1(decoded) +
            " rs2=" + rs2(decoded) + " imm=" + imm(decoded) + (aq(decoded) ? " aq" : "") +
            (rl(decoded) ? " rl" : "") + " len=" + length(decoded);
    }
}
