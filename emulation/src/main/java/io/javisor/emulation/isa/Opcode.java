package io.javisor.emulation.isa;

/**
 * Operation numbers for every RV64IMAC + Zicsr + Zifencei instruction and the privileged
 * instructions a supervisor needs.
 * <p>
 * These are dense {@code int} constants rather than an enum on purpose: a {@code switch} over
 * dense compile-time int constants compiles straight to a {@code tableswitch}, whereas a switch
 * over an enum first loads the ordinal through a synthetic mapping array (or an invokedynamic
 * bootstrap), costing an extra memory load and bounds check on the hottest path of the
 * interpreter. The values also fit the 8-bit opcode field of a {@link Decoded} word.
 * <p>
 * Invariant: values are contiguous from {@link #ILLEGAL} (0) to {@link #COUNT} - 1, so tables
 * indexed by opcode need no holes. SB..SD and MUL..REMU are in funct3 order, and the .W and .D
 * atomics are two blocks in the same order, because the decoder computes them by addition.
 */
public final class Opcode
{
    public static final int ILLEGAL = 0;

    // RV64I: upper immediates and control transfer
    public static final int LUI = 1;
    public static final int AUIPC = 2;
    public static final int JAL = 3;
    public static final int JALR = 4;
    public static final int BEQ = 5;
    public static final int BNE = 6;
    public static final int BLT = 7;
    public static final int BGE = 8;
    public static final int BLTU = 9;
    public static final int BGEU = 10;

    // RV64I: loads and stores
    public static final int LB = 11;
    public static final int LH = 12;
    public static final int LW = 13;
    public static final int LD = 14;
    public static final int LBU = 15;
    public static final int LHU = 16;
    public static final int LWU = 17;
    public static final int SB = 18;
    public static final int SH = 19;
    public static final int SW = 20;
    public static final int SD = 21;

    // RV64I: register-immediate
    public static final int ADDI = 22;
    public static final int SLTI = 23;
    public static final int SLTIU = 24;
    public static final int XORI = 25;
    public static final int ORI = 26;
    public static final int ANDI = 27;
    public static final int SLLI = 28;
    public static final int SRLI = 29;
    public static final int SRAI = 30;

    // RV64I: register-register
    public static final int ADD = 31;
    public static final int SUB = 32;
    public static final int SLL = 33;
    public static final int SLT = 34;
    public static final int SLTU = 35;
    public static final int XOR = 36;
    public static final int SRL = 37;
    public static final int SRA = 38;
    public static final int OR = 39;
    public static final int AND = 40;

    // RV64I: 32-bit word operations
    public static final int ADDIW = 41;
    public static final int SLLIW = 42;
    public static final int SRLIW = 43;
    public static final int SRAIW = 44;
    public static final int ADDW = 45;
    public static final int SUBW = 46;
    public static final int SLLW = 47;
    public static final int SRLW = 48;
    public static final int SRAW = 49;

    // RV64I / Zifencei: ordering and environment
    public static final int FENCE = 50;
    public static final int FENCE_I = 51;
    public static final int ECALL = 52;
    public static final int EBREAK = 53;

    // Privileged
    public static final int MRET = 54;
    public static final int SRET = 55;
    public static final int WFI = 56;
    public static final int SFENCE_VMA = 57;

    // Zicsr
    public static final int CSRRW = 58;
    public static final int CSRRS = 59;
    public static final int CSRRC = 60;
    public static final int CSRRWI = 61;
    public static final int CSRRSI = 62;
    public static final int CSRRCI = 63;

    // M
    public static final int MUL = 64;
    public static final int MULH = 65;
    public static final int MULHSU = 66;
    public static final int MULHU = 67;
    public static final int DIV = 68;
    public static final int DIVU = 69;
    public static final int REM = 70;
    public static final int REMU = 71;
    public static final int MULW = 72;
    public static final int DIVW = 73;
    public static final int DIVUW = 74;
    public static final int REMW = 75;
    public static final int REMUW = 76;

    // A, word
    public static final int LR_W = 77;
    public static final int SC_W = 78;
    public static final int AMOSWAP_W = 79;
    public static final int AMOADD_W = 80;
    public static final int AMOXOR_W = 81;
    public static final int AMOAND_W = 82;
    public static final int AMOOR_W = 83;
    public static final int AMOMIN_W = 84;
    public static final int AMOMAX_W = 85;
    public static final int AMOMINU_W = 86;
    public static final int AMOMAXU_W = 87;

    // A, doubleword: each is its word counterpart plus AMO_D_OFFSET
    public static final int LR_D = 88;
    public static final int SC_D = 89;
    public static final int AMOSWAP_D = 90;
    public static final int AMOADD_D = 91;
    public static final int AMOXOR_D = 92;
    public static final int AMOAND_D = 93;
    public static final int AMOOR_D = 94;
    public static final int AMOMIN_D = 95;
    public static final int AMOMAX_D = 96;
    public static final int AMOMINU_D = 97;
    public static final int AMOMAXU_D = 98;

    public static final int COUNT = 99;

    /** Distance from a .W atomic to its .D twin; the decoder relies on the two blocks lining up. */
    public static final int AMO_D_OFFSET = LR_D - LR_W;

    private static final String[] NAMES = {
        "illegal",
        "lui", "auipc", "jal", "jalr", "beq", "bne", "blt", "bge", "bltu", "bgeu",
        "lb", "lh", "lw", "ld", "lbu", "lhu", "lwu", "sb", "sh", "sw", "sd",
        "addi", "slti", "sltiu", "xori", "ori", "andi", "slli", "srli", "srai",
        "add", "sub", "sll", "slt", "sltu", "xor", "srl", "sra", "or", "and",
        "addiw", "slliw", "srliw", "sraiw", "addw", "subw", "sllw", "srlw", "sraw",
        "fence", "fence.i", "ecall", "ebreak",
        "mret", "sret", "wfi", "sfence.vma",
        "csrrw", "csrrs", "csrrc", "csrrwi", "csrrsi", "csrrci",
        "mul", "mulh", "mulhsu", "mulhu", "div", "divu", "rem", "remu",
        "mulw", "divw", "divuw", "remw", "remuw",
        "lr.w", "sc.w", "amoswap.w", "amoadd.w", "amoxor.w", "amoand.w", "amoor.w",
        "amomin.w", "amomax.w", "amominu.w", "amomaxu.w",
        "lr.d", "sc.d", "amoswap.d", "amoadd.d", "amoxor.d", "amoand.d", "amoor.d",
        "amomin.d", "amomax.d", "amominu.d", "amomaxu.d",
    };

    private Opcode()
    {
    }

    /**
     * Assembly mnemonic of an opcode, for tracing and disassembly.
     *
     * @param opcode one of the constants of this class.
     * @return the lower-case mnemonic, or "illegal" for values out of range.
     */
    public static String name(final int opcode)
    {
        return opcode >= 0 && opcode < COUNT ? NAMES[opcode] : NAMES[ILLEGAL];
    }
}
