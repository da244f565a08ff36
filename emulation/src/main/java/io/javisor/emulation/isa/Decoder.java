package io.javisor.emulation.isa;

import static io.javisor.emulation.isa.Decoded.ILLEGAL;
import static io.javisor.emulation.isa.Decoded.pack;

/**
 * Decodes 32-bit RV64IMA + Zicsr + Zifencei + privileged instructions into {@link Decoded} words.
 * Pure functions over ints: no allocation, no exceptions, every input yields a result.
 * 16-bit encodings are handled by {@link CompressedDecoder}.
 */
public final class Decoder
{
    private static final int OP_LOAD = 0x03;
    private static final int OP_MISC_MEM = 0x0F;
    private static final int OP_IMM = 0x13;
    private static final int OP_AUIPC = 0x17;
    private static final int OP_IMM_32 = 0x1B;
    private static final int OP_STORE = 0x23;
    private static final int OP_AMO = 0x2F;
    private static final int OP_OP = 0x33;
    private static final int OP_LUI = 0x37;
    private static final int OP_OP_32 = 0x3B;
    private static final int OP_BRANCH = 0x63;
    private static final int OP_JALR = 0x67;
    private static final int OP_JAL = 0x6F;
    private static final int OP_SYSTEM = 0x73;

    private static final int FUNCT7_BASE = 0x00;
    private static final int FUNCT7_ALT = 0x20;
    private static final int FUNCT7_MULDIV = 0x01;
    private static final int FUNCT7_SFENCE_VMA = 0x09;
    /** SRAI's bits 31:26; RV64 immediate shifts leave bit 25 to the 6-bit shift amount. */
    private static final int FUNCT6_SRA = 0x10;

    private Decoder()
    {
    }

    /**
     * Decode whichever instruction starts in the low bits of {@code bits}: a 16-bit one when the
     * two lowest bits are not both set, else a 32-bit one.
     *
     * @param bits the instruction parcel(s), little-endian as fetched.
     * @return the decoded word, {@link Decoded#ILLEGAL} or {@link Decoded#ILLEGAL_COMPRESSED}.
     */
    public static long decodeAny(final int bits)
    {
        return (bits & 3) == 3 ? decode(bits) : CompressedDecoder.decodeCompressed((short)bits);
    }

    /**
     * Decode a 32-bit instruction.
     *
     * @param insn the instruction word.
     * @return the decoded word; {@link Decoded#ILLEGAL} for reserved, unsupported (F/D, longer
     * encodings) or compressed encodings.
     */
    public static long decode(final int insn)
    {
        final int rd = (insn >>> 7) & 0x1F;
        final int funct3 = (insn >>> 12) & 7;
        final int rs1 = (insn >>> 15) & 0x1F;
        final int rs2 = (insn >>> 20) & 0x1F;
        final int funct7 = insn >>> 25;

        // The full 7-bit major opcode; its low two bits being 11 is implied by the cases.
        switch (insn & 0x7F)
        {
            case OP_LUI:
                return pack(Opcode.LUI, rd, 0, 0, immU(insn));
            case OP_AUIPC:
                return pack(Opcode.AUIPC, rd, 0, 0, immU(insn));
            case OP_JAL:
                return pack(Opcode.JAL, rd, 0, 0, immJ(insn));
            case OP_JALR:
                return funct3 == 0 ? pack(Opcode.JALR, rd, rs1, 0, immI(insn)) : ILLEGAL;
            case OP_BRANCH:
                return branch(funct3, rs1, rs2, immB(insn));
            case OP_LOAD:
                return load(funct3, rd, rs1, immI(insn));
            case OP_STORE:
                return funct3 <= 3 ? pack(Opcode.SB + funct3, 0, rs1, rs2, immS(insn)) : ILLEGAL;
            case OP_IMM:
                return opImm(insn, funct3, rd, rs1);
            case OP_IMM_32:
                return opImm32(funct3, funct7, rd, rs1, rs2, insn);
            case OP_OP:
                return op(funct3, funct7, rd, rs1, rs2);
            case OP_OP_32:
                return op32(funct3, funct7, rd, rs1, rs2);
            case OP_MISC_MEM:
                return miscMem(insn, funct3);
            case OP_SYSTEM:
                return system(insn, funct3, rd, rs1, rs2, funct7);
            case OP_AMO:
                return amo(insn, funct3, rd, rs1, rs2);
            default:
                return ILLEGAL;
        }
    }

    static int immI(final int insn)
    {
        return insn >> 20;
    }

    static int immS(final int insn)
    {
        return (insn >> 25) << 5 | (insn >>> 7) & 0x1F;
    }

    static int immB(final int insn)
    {
        return (insn >> 31) << 12 | ((insn >>> 7) & 1) << 11 | ((insn >>> 25) & 0x3F) << 5 |
            ((insn >>> 8) & 0xF) << 1;
    }

    static int immU(final int insn)
    {
        return insn & 0xFFFFF000;
    }

    static int immJ(final int insn)
    {
        return (insn >> 31) << 20 | insn & 0xFF000 | ((insn >>> 20) & 1) << 11 |
            ((insn >>> 21) & 0x3FF) << 1;
    }

    private static long branch(final int funct3, final int rs1, final int rs2, final int imm)
    {
        switch (funct3)
        {
            case 0: return pack(Opcode.BEQ, 0, rs1, rs2, imm);
            case 1: return pack(Opcode.BNE, 0, rs1, rs2, imm);
            case 4: return pack(Opcode.BLT, 0, rs1, rs2, imm);
            case 5: return pack(Opcode.BGE, 0, rs1, rs2, imm);
            case 6: return pack(Opcode.BLTU, 0, rs1, rs2, imm);
            case 7: return pack(Opcode.BGEU, 0, rs1, rs2, imm);
            default: return ILLEGAL;
        }
    }

    private static long load(final int funct3, final int rd, final int rs1, final int imm)
    {
        switch (funct3)
        {
            case 0: return pack(Opcode.LB, rd, rs1, 0, imm);
            case 1: return pack(Opcode.LH, rd, rs1, 0, imm);
            case 2: return pack(Opcode.LW, rd, rs1, 0, imm);
            case 3: return pack(Opcode.LD, rd, rs1, 0, imm);
            case 4: return pack(Opcode.LBU, rd, rs1, 0, imm);
            case 5: return pack(Opcode.LHU, rd, rs1, 0, imm);
            case 6: return pack(Opcode.LWU, rd, rs1, 0, imm);
            default: return ILLEGAL;
        }
    }

    private static long opImm(final int insn, final int funct3, final int rd, final int rs1)
    {
        // RV64 shifts take a 6-bit shamt, so only bits 31:26 select the operation.
        final int funct6 = insn >>> 26;
        final int shamt = (insn >>> 20) & 0x3F;
        switch (funct3)
        {
            case 0: return pack(Opcode.ADDI, rd, rs1, 0, immI(insn));
            case 2: return pack(Opcode.SLTI, rd, rs1, 0, immI(insn));
            case 3: return pack(Opcode.SLTIU, rd, rs1, 0, immI(insn));
            case 4: return pack(Opcode.XORI, rd, rs1, 0, immI(insn));
            case 6: return pack(Opcode.ORI, rd, rs1, 0, immI(insn));
            case 7: return pack(Opcode.ANDI, rd, rs1, 0, immI(insn));
            case 1: return funct6 == 0 ? pack(Opcode.SLLI, rd, rs1, 0, shamt) : ILLEGAL;
            default:
                if (funct6 == 0)
                {
                    return pack(Opcode.SRLI, rd, rs1, 0, shamt);
                }
                return funct6 == FUNCT6_SRA ? pack(Opcode.SRAI, rd, rs1, 0, shamt) : ILLEGAL;
        }
    }

    private static long opImm32(
        final int funct3, final int funct7, final int rd, final int rs1, final int shamt, final int insn)
    {
        // Word shifts take a 5-bit shamt (the rs2 field); shamt[5] set is reserved via funct7.
        switch (funct3)
        {
            case 0: return pack(Opcode.ADDIW, rd, rs1, 0, immI(insn));
            case 1: return funct7 == FUNCT7_BASE ? pack(Opcode.SLLIW, rd, rs1, 0, shamt) : ILLEGAL;
            case 5:
                if (funct7 == FUNCT7_BASE)
                {
                    return pack(Opcode.SRLIW, rd, rs1, 0, shamt);
                }
                return funct7 == FUNCT7_ALT ? pack(Opcode.SRAIW, rd, rs1, 0, shamt) : ILLEGAL;
            default:
                return ILLEGAL;
        }
    }

    private static long op(final int funct3, final int funct7, final int rd, final int rs1, final int rs2)
    {
        final int opcode;
        switch (funct7)
        {
            case FUNCT7_BASE:
                opcode = BASE_OP[funct3];
                break;
            case FUNCT7_MULDIV:
                opcode = Opcode.MUL + funct3;
                break;
            case FUNCT7_ALT:
                opcode = funct3 == 0 ? Opcode.SUB : funct3 == 5 ? Opcode.SRA : Opcode.ILLEGAL;
                break;
            default:
                opcode = Opcode.ILLEGAL;
        }
        return opcode == Opcode.ILLEGAL ? ILLEGAL : pack(opcode, rd, rs1, rs2, 0);
    }

    /** OP with funct7 0, indexed by funct3. */
    private static final int[] BASE_OP = {
        Opcode.ADD, Opcode.SLL, Opcode.SLT, Opcode.SLTU, Opcode.XOR, Opcode.SRL, Opcode.OR, Opcode.AND
    };

    /** OP-32 with funct7 1, indexed by funct3; 1..3 are reserved. */
    private static final int[] MULDIV_W_OP = {
        Opcode.MULW, Opcode.ILLEGAL, Opcode.ILLEGAL, Opcode.ILLEGAL,
        Opcode.DIVW, Opcode.DIVUW, Opcode.REMW, Opcode.REMUW
    };

    private static long op32(final int funct3, final int funct7, final int rd, final int rs1, final int rs2)
    {
        final int opcode;
        switch (funct7)
        {
            case FUNCT7_BASE:
                opcode = funct3 == 0 ? Opcode.ADDW : funct3 == 1 ? Opcode.SLLW :
                    funct3 == 5 ? Opcode.SRLW : Opcode.ILLEGAL;
                break;
            case FUNCT7_MULDIV:
                opcode = MULDIV_W_OP[funct3];
                break;
            case FUNCT7_ALT:
                opcode = funct3 == 0 ? Opcode.SUBW : funct3 == 5 ? Opcode.SRAW : Opcode.ILLEGAL;
                break;
            default:
                opcode = Opcode.ILLEGAL;
        }
        return opcode == Opcode.ILLEGAL ? ILLEGAL : pack(opcode, rd, rs1, rs2, 0);
    }

    private static long miscMem(final int insn, final int funct3)
    {
        // FENCE: rd and rs1 are reserved and ignored; reserved fm/pred/succ combinations
        // (FENCE.TSO, PAUSE and the rest) execute as an ordinary fence, so keep the raw bits.
        // FENCE.I: every field but funct3 is reserved and ignored.
        switch (funct3)
        {
            case 0: return pack(Opcode.FENCE, 0, 0, 0, insn >>> 20);
            case 1: return pack(Opcode.FENCE_I, 0, 0, 0, 0);
            default: return ILLEGAL;
        }
    }

    /** SYSTEM encodings with funct3 0 that are not SFENCE.VMA must match one of these exactly. */
    private static final int ECALL_BITS = 0x00000073;
    private static final int EBREAK_BITS = 0x00100073;
    private static final int SRET_BITS = 0x10200073;
    private static final int MRET_BITS = 0x30200073;
    private static final int WFI_BITS = 0x10500073;

    private static long system(
        final int insn, final int funct3, final int rd, final int rs1, final int rs2, final int funct7)
    {
        final int csr = insn >>> 20;
        switch (funct3)
        {
            case 0:
                return privileged(insn, rd, rs1, rs2, funct7);
            case 1: return pack(Opcode.CSRRW, rd, rs1, 0, csr);
            case 2: return pack(Opcode.CSRRS, rd, rs1, 0, csr);
            case 3: return pack(Opcode.CSRRC, rd, rs1, 0, csr);
            case 5: return pack(Opcode.CSRRWI, rd, rs1, 0, csr);
            case 6: return pack(Opcode.CSRRSI, rd, rs1, 0, csr);
            case 7: return pack(Opcode.CSRRCI, rd, rs1, 0, csr);
            default: return ILLEGAL;
        }
    }

    private static long privileged(final int insn, final int rd, final int rs1, final int rs2, final int funct7)
    {
        if (funct7 == FUNCT7_SFENCE_VMA && rd == 0)
        {
            return pack(Opcode.SFENCE_VMA, 0, rs1, rs2, 0);
        }
        switch (insn)
        {
            case ECALL_BITS: return pack(Opcode.ECALL, 0, 0, 0, 0);
            case EBREAK_BITS: return pack(Opcode.EBREAK, 0, 0, 0, 0);
            case SRET_BITS: return pack(Opcode.SRET, 0, 0, 0, 0);
            case MRET_BITS: return pack(Opcode.MRET, 0, 0, 0, 0);
            case WFI_BITS: return pack(Opcode.WFI, 0, 0, 0, 0);
            default: return ILLEGAL;
        }
    }

    /** AMO funct5 (bits 31:27) to the .W opcode; ILLEGAL for reserved values. */
    private static final int[] AMO_W_OP = new int[32];

    static
    {
        AMO_W_OP[0b00010] = Opcode.LR_W;
        AMO_W_OP[0b00011] = Opcode.SC_W;
        AMO_W_OP[0b00001] = Opcode.AMOSWAP_W;
        AMO_W_OP[0b00000] = Opcode.AMOADD_W;
        AMO_W_OP[0b00100] = Opcode.AMOXOR_W;
        AMO_W_OP[0b01100] = Opcode.AMOAND_W;
        AMO_W_OP[0b01000] = Opcode.AMOOR_W;
        AMO_W_OP[0b10000] = Opcode.AMOMIN_W;
        AMO_W_OP[0b10100] = Opcode.AMOMAX_W;
        AMO_W_OP[0b11000] = Opcode.AMOMINU_W;
        AMO_W_OP[0b11100] = Opcode.AMOMAXU_W;
    }

    private static long amo(final int insn, final int funct3, final int rd, final int rs1, final int rs2)
    {
        final int wordOp = AMO_W_OP[insn >>> 27];
        // Only .W (funct3 2) and .D (funct3 3) exist; LR's rs2 field is reserved and must be 0.
        if (wordOp == Opcode.ILLEGAL || (funct3 & 6) != 2 || (wordOp == Opcode.LR_W && rs2 != 0))
        {
            return ILLEGAL;
        }
        final int opcode = funct3 == 3 ? wordOp + Opcode.AMO_D_OFFSET : wordOp;
        final int source = wordOp == Opcode.LR_W ? 0 : rs2;
        // aq (bit 26) and rl (bit 25) move as a pair to Decoded's adjacent aq/rl bits.
        final long ordering = (long)((insn >>> 25) & 3) << Decoded.RL_BIT;
        return pack(opcode, rd, rs1, source, 0) | ordering;
    }
}
