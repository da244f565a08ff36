package io.javisor.emulation.isa;

import static io.javisor.emulation.isa.Decoded.ILLEGAL_COMPRESSED;
import static io.javisor.emulation.isa.Decoded.compressed;
import static io.javisor.emulation.isa.Decoded.pack;

/**
 * Expands RV64C 16-bit instructions into the {@link Decoded} word of their 32-bit equivalent,
 * marked with length 2. Reserved encodings, and the floating-point loads and stores (no F/D),
 * give {@link Decoded#ILLEGAL_COMPRESSED}. HINT encodings (e.g. rd = x0) expand like their
 * base instruction, which then has no architectural effect.
 */
public final class CompressedDecoder
{
    private static final int SP = 2;
    private static final int RA = 1;

    private CompressedDecoder()
    {
    }

    /**
     * Decode a 16-bit instruction.
     *
     * @param halfword the instruction parcel.
     * @return the decoded word, always of length 2.
     */
    public static long decodeCompressed(final short halfword)
    {
        final int c = halfword & 0xFFFF;
        final int funct3 = c >>> 13;
        switch (c & 3)
        {
            case 0: return quadrant0(c, funct3);
            case 1: return quadrant1(c, funct3);
            case 2: return quadrant2(c, funct3);
            default: return ILLEGAL_COMPRESSED;
        }
    }

    /** The 3-bit register fields name x8..x15. */
    private static int rdPrime(final int c)
    {
        return 8 + ((c >>> 2) & 7);
    }

    private static int rs1Prime(final int c)
    {
        return 8 + ((c >>> 7) & 7);
    }

    private static int fullRd(final int c)
    {
        return (c >>> 7) & 0x1F;
    }

    private static int fullRs2(final int c)
    {
        return (c >>> 2) & 0x1F;
    }

    /** Sign-extended 6-bit immediate from bit 12 and bits 6:2 (CI format). */
    private static int immCI(final int c)
    {
        return ((c << 19) >> 26) & ~0x1F | (c >>> 2) & 0x1F;
    }

    /** Unsigned 6-bit shift amount from bit 12 and bits 6:2. */
    private static int shamt(final int c)
    {
        return ((c >>> 7) & 0x20) | (c >>> 2) & 0x1F;
    }

    private static int bit(final int c, final int from, final int to)
    {
        return ((c >>> from) & 1) << to;
    }

    private static long quadrant0(final int c, final int funct3)
    {
        switch (funct3)
        {
            case 0:
            {
                // C.ADDI4SPN: nzuimm[5:4|9:6|2|3] in bits 12:5; zero is reserved (and covers 0x0000).
                final int imm = ((c >>> 7) & 0x30) | ((c >>> 1) & 0x3C0) | bit(c, 6, 2) | bit(c, 5, 3);
                return imm == 0 ? ILLEGAL_COMPRESSED : compressed(pack(Opcode.ADDI, rdPrime(c), SP, 0, imm));
            }
            case 2: return compressed(pack(Opcode.LW, rdPrime(c), rs1Prime(c), 0, wordOffset(c)));
            case 3: return compressed(pack(Opcode.LD, rdPrime(c), rs1Prime(c), 0, doubleOffset(c)));
            case 6: return compressed(pack(Opcode.SW, 0, rs1Prime(c), rdPrime(c), wordOffset(c)));
            case 7: return compressed(pack(Opcode.SD, 0, rs1Prime(c), rdPrime(c), doubleOffset(c)));
            default: return ILLEGAL_COMPRESSED; // C.FLD, C.FSD, and the reserved funct3 4
        }
    }

    /** C.LW/C.SW: uimm[5:3] in bits 12:10, uimm[2] in bit 6, uimm[6] in bit 5. */
    private static int wordOffset(final int c)
    {
        return ((c >>> 7) & 0x38) | bit(c, 6, 2) | bit(c, 5, 6);
    }

    /** C.LD/C.SD: uimm[5:3] in bits 12:10, uimm[7:6] in bits 6:5. */
    private static int doubleOffset(final int c)
    {
        return ((c >>> 7) & 0x38) | ((c << 1) & 0xC0);
    }

    private static long quadrant1(final int c, final int funct3)
    {
        final int rd = fullRd(c);
        switch (funct3)
        {
            case 0: return compressed(pack(Opcode.ADDI, rd, rd, 0, immCI(c)));
            case 1: return rd == 0 ? ILLEGAL_COMPRESSED : compressed(pack(Opcode.ADDIW, rd, rd, 0, immCI(c)));
            case 2: return compressed(pack(Opcode.ADDI, rd, 0, 0, immCI(c)));
            case 3: return rd == SP ? addi16sp(c) : lui(c, rd);
            case 4: return arithmetic(c);
            case 5: return compressed(pack(Opcode.JAL, 0, 0, 0, jumpOffset(c)));
            case 6: return compressed(pack(Opcode.BEQ, 0, rs1Prime(c), 0, branchOffset(c)));
            default: return compressed(pack(Opcode.BNE, 0, rs1Prime(c), 0, branchOffset(c)));
        }
    }

    private static long addi16sp(final int c)
    {
        // nzimm[9] in bit 12, nzimm[4|6|8:7|5] in bits 6:2; zero is reserved.
        final int imm = ((c << 19) >> 31) << 9 | bit(c, 6, 4) | bit(c, 5, 6) | ((c << 4) & 0x180) | bit(c, 2, 5);
        return imm == 0 ? ILLEGAL_COMPRESSED : compressed(pack(Opcode.ADDI, SP, SP, 0, imm));
    }

    private static long lui(final int c, final int rd)
    {
        // nzimm[17] in bit 12, nzimm[16:12] in bits 6:2; zero is reserved.
        final int imm = immCI(c) << 12;
        return imm == 0 ? ILLEGAL_COMPRESSED : compressed(pack(Opcode.LUI, rd, 0, 0, imm));
    }

    /** Register-register ALU ops of C.SUB..C.AND (bit 12 clear), indexed by bits 6:5. */
    private static final int[] REG_OP = { Opcode.SUB, Opcode.XOR, Opcode.OR, Opcode.AND };

    private static long arithmetic(final int c)
    {
        final int rd = rs1Prime(c);
        switch ((c >>> 10) & 3)
        {
            case 0: return compressed(pack(Opcode.SRLI, rd, rd, 0, shamt(c)));
            case 1: return compressed(pack(Opcode.SRAI, rd, rd, 0, shamt(c)));
            case 2: return compressed(pack(Opcode.ANDI, rd, rd, 0, immCI(c)));
            default:
            {
                final int selector = (c >>> 5) & 3;
                final int rs2 = rdPrime(c);
                if ((c & 0x1000) == 0)
                {
                    return compressed(pack(REG_OP[selector], rd, rd, rs2, 0));
                }
                // With bit 12 set only C.SUBW (00) and C.ADDW (01) exist; 10 and 11 are reserved.
                switch (selector)
                {
                    case 0: return compressed(pack(Opcode.SUBW, rd, rd, rs2, 0));
                    case 1: return compressed(pack(Opcode.ADDW, rd, rd, rs2, 0));
                    default: return ILLEGAL_COMPRESSED;
                }
            }
        }
    }

    /** C.J: offset[11|4|9:8|10|6|7|3:1|5] in bits 12:2, sign-extended from bit 11. */
    private static int jumpOffset(final int c)
    {
        return ((c << 19) >> 31) << 11 | bit(c, 11, 4) | ((c >>> 1) & 0x300) | bit(c, 8, 10) |
            bit(c, 7, 6) | bit(c, 6, 7) | ((c >>> 2) & 0xE) | bit(c, 2, 5);
    }

    /** C.BEQZ/C.BNEZ: offset[8|4:3] in bits 12:10, offset[7:6|2:1|5] in bits 6:2. */
    private static int branchOffset(final int c)
    {
        return ((c << 19) >> 31) << 8 | ((c >>> 7) & 0x18) | ((c << 1) & 0xC0) | ((c >>> 2) & 0x6) |
            bit(c, 2, 5);
    }

    private static long quadrant2(final int c, final int funct3)
    {
        final int rd = fullRd(c);
        switch (funct3)
        {
            case 0: return compressed(pack(Opcode.SLLI, rd, rd, 0, shamt(c)));
            case 2:
            {
                // C.LWSP: uimm[5] in bit 12, uimm[4:2|7:6] in bits 6:2; rd 0 is reserved.
                final int imm = bit(c, 12, 5) | ((c >>> 2) & 0x1C) | ((c << 4) & 0xC0);
                return rd == 0 ? ILLEGAL_COMPRESSED : compressed(pack(Opcode.LW, rd, SP, 0, imm));
            }
            case 3:
            {
                // C.LDSP: uimm[5] in bit 12, uimm[4:3|8:6] in bits 6:2; rd 0 is reserved.
                final int imm = bit(c, 12, 5) | ((c >>> 2) & 0x18) | ((c << 4) & 0x1C0);
                return rd == 0 ? ILLEGAL_COMPRESSED : compressed(pack(Opcode.LD, rd, SP, 0, imm));
            }
            case 4: return jumpOrMove(c, rd, fullRs2(c));
            case 6:
            {
                // C.SWSP: uimm[5:2|7:6] in bits 12:7.
                final int imm = ((c >>> 7) & 0x3C) | ((c >>> 1) & 0xC0);
                return compressed(pack(Opcode.SW, 0, SP, fullRs2(c), imm));
            }
            case 7:
            {
                // C.SDSP: uimm[5:3|8:6] in bits 12:7.
                final int imm = ((c >>> 7) & 0x38) | ((c >>> 1) & 0x1C0);
                return compressed(pack(Opcode.SD, 0, SP, fullRs2(c), imm));
            }
            default: return ILLEGAL_COMPRESSED; // C.FLDSP, C.FSDSP
        }
    }

    private static long jumpOrMove(final int c, final int rs1, final int rs2)
    {
        if ((c & 0x1000) == 0)
        {
            if (rs2 != 0)
            {
                return compressed(pack(Opcode.ADD, rs1, 0, rs2, 0)); // C.MV
            }
            return rs1 == 0 ? ILLEGAL_COMPRESSED : compressed(pack(Opcode.JALR, 0, rs1, 0, 0)); // C.JR
        }
        if (rs2 != 0)
        {
            return compressed(pack(Opcode.ADD, rs1, rs1, rs2, 0)); // C.ADD
        }
        return rs1 == 0 ?
            compressed(pack(Opcode.EBREAK, 0, 0, 0, 0)) :
            compressed(pack(Opcode.JALR, RA, rs1, 0, 0)); // C.EBREAK, C.JALR
    }
}
