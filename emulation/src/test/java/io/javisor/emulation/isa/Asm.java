package io.javisor.emulation.isa;

/**
 * A minimal RV64IMAC + Zicsr + Zifencei assembler for tests: each method returns one encoded
 * instruction (an {@code int}, or a {@code short} for the {@code c_} forms). Operands out of
 * range, misaligned offsets and reserved compressed forms throw {@link IllegalArgumentException},
 * so a test can never silently encode something other than what it names.
 */
public final class Asm
{
    private Asm()
    {
    }

    // ---------------------------------------------------------------- formats

    static int reg(final int r)
    {
        check(r >= 0 && r < 32, "register", r);
        return r;
    }

    static void check(final boolean ok, final String what, final long value)
    {
        if (!ok)
        {
            throw new IllegalArgumentException(what + " out of range: " + value);
        }
    }

    static void signed(final long value, final int bits, final String what)
    {
        check(value >= -(1L << (bits - 1)) && value < 1L << (bits - 1), what, value);
    }

    static int r(final int funct7, final int rs2, final int rs1, final int funct3, final int rd, final int opcode)
    {
        return funct7 << 25 | reg(rs2) << 20 | reg(rs1) << 15 | funct3 << 12 | reg(rd) << 7 | opcode;
    }

    static int i(final int imm, final int rs1, final int funct3, final int rd, final int opcode)
    {
        signed(imm, 12, "I immediate");
        return imm << 20 | reg(rs1) << 15 | funct3 << 12 | reg(rd) << 7 | opcode;
    }

    static int s(final int imm, final int rs2, final int rs1, final int funct3, final int opcode)
    {
        signed(imm, 12, "S immediate");
        return (imm >> 5) << 25 | reg(rs2) << 20 | reg(rs1) << 15 | funct3 << 12 | (imm & 0x1F) << 7 | opcode;
    }

    static int b(final int offset, final int rs2, final int rs1, final int funct3)
    {
        signed(offset, 13, "branch offset");
        check((offset & 1) == 0, "odd branch offset", offset);
        return (offset >> 12) << 31 | ((offset >>> 5) & 0x3F) << 25 | reg(rs2) << 20 | reg(rs1) << 15 |
            funct3 << 12 | ((offset >>> 1) & 0xF) << 8 | ((offset >>> 11) & 1) << 7 | 0x63;
    }

    static int u(final int imm20, final int rd, final int opcode)
    {
        check(imm20 >= 0 && imm20 < 1 << 20, "U immediate", imm20);
        return imm20 << 12 | reg(rd) << 7 | opcode;
    }

    static int shift(final int funct6, final int shamt, final int rs1, final int funct3, final int rd, final int opcode,
        final int shamtBits)
    {
        check(shamt >= 0 && shamt < 1 << shamtBits, "shift amount", shamt);
        return funct6 << 26 | shamt << 20 | reg(rs1) << 15 | funct3 << 12 | reg(rd) << 7 | opcode;
    }

    // ---------------------------------------------------------------- RV64I

    /** @param imm20 the upper 20 bits, 0..0xFFFFF. */
    public static int lui(final int rd, final int imm20) { return u(imm20, rd, 0x37); }
    public static int auipc(final int rd, final int imm20) { return u(imm20, rd, 0x17); }

    public static int jal(final int rd, final int offset)
    {
        signed(offset, 21, "jump offset");
        check((offset & 1) == 0, "odd jump offset", offset);
        return (offset >> 20) << 31 | ((offset >>> 1) & 0x3FF) << 21 | ((offset >>> 11) & 1) << 20 |
            offset & 0xFF000 | reg(rd) << 7 | 0x6F;
    }

    public static int jalr(final int rd, final int rs1, final int imm) { return i(imm, rs1, 0, rd, 0x67); }

    public static int beq(final int rs1, final int rs2, final int offset) { return b(offset, rs2, rs1, 0); }
    public static int bne(final int rs1, final int rs2, final int offset) { return b(offset, rs2, rs1, 1); }
    public static int blt(final int rs1, final int rs2, final int offset) { return b(offset, rs2, rs1, 4); }
    public static int bge(final int rs1, final int rs2, final int offset) { return b(offset, rs2, rs1, 5); }
    public static int bltu(final int rs1, final int rs2, final int offset) { return b(offset, rs2, rs1, 6); }
    public static int bgeu(final int rs1, final int rs2, final int offset) { return b(offset, rs2, rs1, 7); }

    public static int lb(final int rd, final int rs1, final int imm) { return i(imm, rs1, 0, rd, 0x03); }
    public static int lh(final int rd, final int rs1, final int imm) { return i(imm, rs1, 1, rd, 0x03); }
    public static int lw(final int rd, final int rs1, final int imm) { return i(imm, rs1, 2, rd, 0x03); }
    public static int ld(final int rd, final int rs1, final int imm) { return i(imm, rs1, 3, rd, 0x03); }
    public static int lbu(final int rd, final int rs1, final int imm) { return i(imm, rs1, 4, rd, 0x03); }
    public static int lhu(final int rd, final int rs1, final int imm) { return i(imm, rs1, 5, rd, 0x03); }
    public static int lwu(final int rd, final int rs1, final int imm) { return i(imm, rs1, 6, rd, 0x03); }

    /** Stores take (source, base, offset), as in {@code sd rs2, imm(rs1)}. */
    public static int sb(final int rs2, final int rs1, final int imm) { return s(imm, rs2, rs1, 0, 0x23); }
    public static int sh(final int rs2, final int rs1, final int imm) { return s(imm, rs2, rs1, 1, 0x23); }
    public static int sw(final int rs2, final int rs1, final int imm) { return s(imm, rs2, rs1, 2, 0x23); }
    public static int sd(final int rs2, final int rs1, final int imm) { return s(imm, rs2, rs1, 3, 0x23); }

    public static int addi(final int rd, final int rs1, final int imm) { return i(imm, rs1, 0, rd, 0x13); }
    public static int slti(final int rd, final int rs1, final int imm) { return i(imm, rs1, 2, rd, 0x13); }
    public static int sltiu(final int rd, final int rs1, final int imm) { return i(imm, rs1, 3, rd, 0x13); }
    public static int xori(final int rd, final int rs1, final int imm) { return i(imm, rs1, 4, rd, 0x13); }
    public static int ori(final int rd, final int rs1, final int imm) { return i(imm, rs1, 6, rd, 0x13); }
    public static int andi(final int rd, final int rs1, final int imm) { return i(imm, rs1, 7, rd, 0x13); }
    public static int slli(final int rd, final int rs1, final int sh) { return shift(0, sh, rs1, 1, rd, 0x13, 6); }
    public static int srli(final int rd, final int rs1, final int sh) { return shift(0, sh, rs1, 5, rd, 0x13, 6); }
    public static int srai(final int rd, final int rs1, final int sh) { return shift(0x10, sh, rs1, 5, rd, 0x13, 6); }

    public static int add(final int rd, final int rs1, final int rs2) { return r(0, rs2, rs1, 0, rd, 0x33); }
    public static int sub(final int rd, final int rs1, final int rs2) { return r(0x20, rs2, rs1, 0, rd, 0x33); }
    public static int sll(final int rd, final int rs1, final int rs2) { return r(0, rs2, rs1, 1, rd, 0x33); }
    public static int slt(final int rd, final int rs1, final int rs2) { return r(0, rs2, rs1, 2, rd, 0x33); }
    public static int sltu(final int rd, final int rs1, final int rs2) { return r(0, rs2, rs1, 3, rd, 0x33); }
    public static int xor(final int rd, final int rs1, final int rs2) { return r(0, rs2, rs1, 4, rd, 0x33); }
    public static int srl(final int rd, final int rs1, final int rs2) { return r(0, rs2, rs1, 5, rd, 0x33); }
    public static int sra(final int rd, final int rs1, final int rs2) { return r(0x20, rs2, rs1, 5, rd, 0x33); }
    public static int or(final int rd, final int rs1, final int rs2) { return r(0, rs2, rs1, 6, rd, 0x33); }
    public static int and(final int rd, final int rs1, final int rs2) { return r(0, rs2, rs1, 7, rd, 0x33); }

    public static int addiw(final int rd, final int rs1, final int imm) { return i(imm, rs1, 0, rd, 0x1B); }
    public static int slliw(final int rd, final int rs1, final int sh) { return shift(0, sh, rs1, 1, rd, 0x1B, 5); }
    public static int srliw(final int rd, final int rs1, final int sh) { return shift(0, sh, rs1, 5, rd, 0x1B, 5); }
    public static int sraiw(final int rd, final int rs1, final int sh) { return shift(0x10, sh, rs1, 5, rd, 0x1B, 5); }
    public static int addw(final int rd, final int rs1, final int rs2) { return r(0, rs2, rs1, 0, rd, 0x3B); }
    public static int subw(final int rd, final int rs1, final int rs2) { return r(0x20, rs2, rs1, 0, rd, 0x3B); }
    public static int sllw(final int rd, final int rs1, final int rs2) { return r(0, rs2, rs1, 1, rd, 0x3B); }
    public static int srlw(final int rd, final int rs1, final int rs2) { return r(0, rs2, rs1, 5, rd, 0x3B); }
    public static int sraw(final int rd, final int rs1, final int rs2) { return r(0x20, rs2, rs1, 5, rd, 0x3B); }

    /**
     * @param pred predecessor set, 4 bits I O R W (8 4 2 1).
     * @param succ successor set, same bits.
     */
    public static int fence(final int pred, final int succ)
    {
        check(pred >= 0 && pred < 16 && succ >= 0 && succ < 16, "fence set", pred << 4 | succ);
        return pred << 24 | succ << 20 | 0x0F;
    }

    public static int fenceTso() { return 0b1000 << 28 | fence(0b0011, 0b0011); }
    public static int pause() { return fence(0b0001, 0); }
    public static int fence_i() { return 0x100F; }
    public static int ecall() { return 0x73; }
    public static int ebreak() { return 1 << 20 | 0x73; }

    // ---------------------------------------------------------------- privileged

    public static int sret() { return 0x102 << 20 | 0x73; }
    public static int mret() { return 0x302 << 20 | 0x73; }
    public static int wfi() { return 0x105 << 20 | 0x73; }
    public static int sfence_vma(final int rs1, final int rs2) { return r(0x09, rs2, rs1, 0, 0, 0x73); }

    // ---------------------------------------------------------------- Zicsr

    static int csrOp(final int csr, final int rs1, final int funct3, final int rd)
    {
        check(csr >= 0 && csr < 4096, "csr", csr);
        return csr << 20 | reg(rs1) << 15 | funct3 << 12 | reg(rd) << 7 | 0x73;
    }

    public static int csrrw(final int rd, final int csr, final int rs1) { return csrOp(csr, rs1, 1, rd); }
    public static int csrrs(final int rd, final int csr, final int rs1) { return csrOp(csr, rs1, 2, rd); }
    public static int csrrc(final int rd, final int csr, final int rs1) { return csrOp(csr, rs1, 3, rd); }
    public static int csrrwi(final int rd, final int csr, final int uimm) { return csrOp(csr, uimm, 5, rd); }
    public static int csrrsi(final int rd, final int csr, final int uimm) { return csrOp(csr, uimm, 6, rd); }
    public static int csrrci(final int rd, final int csr, final int uimm) { return csrOp(csr, uimm, 7, rd); }

    // ---------------------------------------------------------------- M

    public static int mul(final int rd, final int rs1, final int rs2) { return r(1, rs2, rs1, 0, rd, 0x33); }
    public static int mulh(final int rd, final int rs1, final int rs2) { return r(1, rs2, rs1, 1, rd, 0x33); }
    public static int mulhsu(final int rd, final int rs1, final int rs2) { return r(1, rs2, rs1, 2, rd, 0x33); }
    public static int mulhu(final int rd, final int rs1, final int rs2) { return r(1, rs2, rs1, 3, rd, 0x33); }
    public static int div(final int rd, final int rs1, final int rs2) { return r(1, rs2, rs1, 4, rd, 0x33); }
    public static int divu(final int rd, final int rs1, final int rs2) { return r(1, rs2, rs1, 5, rd, 0x33); }
    public static int rem(final int rd, final int rs1, final int rs2) { return r(1, rs2, rs1, 6, rd, 0x33); }
    public static int remu(final int rd, final int rs1, final int rs2) { return r(1, rs2, rs1, 7, rd, 0x33); }
    public static int mulw(final int rd, final int rs1, final int rs2) { return r(1, rs2, rs1, 0, rd, 0x3B); }
    public static int divw(final int rd, final int rs1, final int rs2) { return r(1, rs2, rs1, 4, rd, 0x3B); }
    public static int divuw(final int rd, final int rs1, final int rs2) { return r(1, rs2, rs1, 5, rd, 0x3B); }
    public static int remw(final int rd, final int rs1, final int rs2) { return r(1, rs2, rs1, 6, rd, 0x3B); }
    public static int remuw(final int rd, final int rs1, final int rs2) { return r(1, rs2, rs1, 7, rd, 0x3B); }

    // ---------------------------------------------------------------- A

    /**
     * Encode an atomic with explicit ordering bits.
     *
     * @param funct5 bits 31:27 selecting the operation.
     * @param width  2 for .W, 3 for .D.
     */
    public static int amo(final int funct5, final int width, final int rd, final int rs1, final int rs2,
        final boolean aq, final boolean rl)
    {
        return r(funct5 << 2 | (aq ? 2 : 0) | (rl ? 1 : 0), rs2, rs1, width, rd, 0x2F);
    }

    public static int lr_w(final int rd, final int rs1) { return amo(0b00010, 2, rd, rs1, 0, false, false); }
    public static int lr_d(final int rd, final int rs1) { return amo(0b00010, 3, rd, rs1, 0, false, false); }
    public static int sc_w(final int rd, final int rs2, final int rs1) { return amo(0b00011, 2, rd, rs1, rs2, false, false); }
    public static int sc_d(final int rd, final int rs2, final int rs1) { return amo(0b00011, 3, rd, rs1, rs2, false, false); }
    /** AMOs take (rd, source, address), as in {@code amoadd.w rd, rs2, (rs1)}. */
    public static int amoswap_w(final int rd, final int rs2, final int rs1) { return amo(0b00001, 2, rd, rs1, rs2, false, false); }
    public static int amoadd_w(final int rd, final int rs2, final int rs1) { return amo(0b00000, 2, rd, rs1, rs2, false, false); }
    public static int amoxor_w(final int rd, final int rs2, final int rs1) { return amo(0b00100, 2, rd, rs1, rs2, false, false); }
    public static int amoand_w(final int rd, final int rs2, final int rs1) { return amo(0b01100, 2, rd, rs1, rs2, false, false); }
    public static int amoor_w(final int rd, final int rs2, final int rs1) { return amo(0b01000, 2, rd, rs1, rs2, false, false); }
    public static int amomin_w(final int rd, final int rs2, final int rs1) { return amo(0b10000, 2, rd, rs1, rs2, false, false); }
    public static int amomax_w(final int rd, final int rs2, final int rs1) { return amo(0b10100, 2, rd, rs1, rs2, false, false); }
    public static int amominu_w(final int rd, final int rs2, final int rs1) { return amo(0b11000, 2, rd, rs1, rs2, false, false); }
    public static int amomaxu_w(final int rd, final int rs2, final int rs1) { return amo(0b11100, 2, rd, rs1, rs2, false, false); }
    public static int amoswap_d(final int rd, final int rs2, final int rs1) { return amo(0b00001, 3, rd, rs1, rs2, false, false); }
    public static int amoadd_d(final int rd, final int rs2, final int rs1) { return amo(0b00000, 3, rd, rs1, rs2, false, false); }
    public static int amoxor_d(final int rd, final int rs2, final int rs1) { return amo(0b00100, 3, rd, rs1, rs2, false, false); }
    public static int amoand_d(final int rd, final int rs2, final int rs1) { return amo(0b01100, 3, rd, rs1, rs2, false, false); }
    public static int amoor_d(final int rd, final int rs2, final int rs1) { return amo(0b01000, 3, rd, rs1, rs2, false, false); }
    public static int amomin_d(final int rd, final int rs2, final int rs1) { return amo(0b10000, 3, rd, rs1, rs2, false, false); }
    public static int amomax_d(final int rd, final int rs2, final int rs1) { return amo(0b10100, 3, rd, rs1, rs2, false, false); }
    public static int amominu_d(final int rd, final int rs2, final int rs1) { return amo(0b11000, 3, rd, rs1, rs2, false, false); }
    public static int amomaxu_d(final int rd, final int rs2, final int rs1) { return amo(0b11100, 3, rd, rs1, rs2, false, false); }

    // ---------------------------------------------------------------- RV64C

    static int prime(final int r)
    {
        check(r >= 8 && r < 16, "compressed register", r);
        return r - 8;
    }

    static void unsignedScaled(final int value, final int scale, final int limit, final String what)
    {
        check(value >= 0 && value < limit && value % scale == 0, what, value);
    }

    static int bits(final int value, final int from, final int to)
    {
        return ((value >>> from) & 1) << to;
    }

    /** CI layout: a signed 6-bit value in bit 12 and bits 6:2. */
    static int ci(final int funct3, final int rd, final int imm6, final int op)
    {
        return funct3 << 13 | ((imm6 >> 5) & 1) << 12 | reg(rd) << 7 | (imm6 & 0x1F) << 2 | op;
    }

    static short half(final int bits)
    {
        return (short)bits;
    }

    public static short c_addi4spn(final int rd, final int uimm)
    {
        check(uimm > 0 && uimm < 1024 && uimm % 4 == 0, "c.addi4spn immediate", uimm);
        return half(((uimm >>> 4) & 3) << 11 | ((uimm >>> 6) & 0xF) << 7 | bits(uimm, 2, 6) | bits(uimm, 3, 5) |
            prime(rd) << 2);
    }

    static int wordOffsetBits(final int uimm)
    {
        unsignedScaled(uimm, 4, 128, "word offset");
        return ((uimm >>> 3) & 7) << 10 | bits(uimm, 2, 6) | bits(uimm, 6, 5);
    }

    static int doubleOffsetBits(final int uimm)
    {
        unsignedScaled(uimm, 8, 256, "doubleword offset");
        return ((uimm >>> 3) & 7) << 10 | ((uimm >>> 6) & 3) << 5;
    }

    public static short c_lw(final int rd, final int rs1, final int uimm)
    {
        return half(2 << 13 | wordOffsetBits(uimm) | prime(rs1) << 7 | prime(rd) << 2);
    }

    public static short c_ld(final int rd, final int rs1, final int uimm)
    {
        return half(3 << 13 | doubleOffsetBits(uimm) | prime(rs1) << 7 | prime(rd) << 2);
    }

    public static short c_sw(final int rs2, final int rs1, final int uimm)
    {
        return half(6 << 13 | wordOffsetBits(uimm) | prime(rs1) << 7 | prime(rs2) << 2);
    }

    public static short c_sd(final int rs2, final int rs1, final int uimm)
    {
        return half(7 << 13 | doubleOffsetBits(uimm) | prime(rs1) << 7 | prime(rs2) << 2);
    }

    public static short c_nop() { return c_addi(0, 0); }

    /** Also encodes the HINT forms (rd 0 with a non-zero immediate, or a zero immediate). */
    public static short c_addi(final int rd, final int imm)
    {
        signed(imm, 6, "c.addi immediate");
        return half(ci(0, rd, imm, 1));
    }

    public static short c_addiw(final int rd, final int imm)
    {
        check(rd != 0, "c.addiw rd", rd);
        signed(imm, 6, "c.addiw immediate");
        return half(ci(1, rd, imm, 1));
    }

    public static short c_li(final int rd, final int imm)
    {
        signed(imm, 6, "c.li immediate");
        return half(ci(2, rd, imm, 1));
    }

    public static short c_addi16sp(final int imm)
    {
        check(imm != 0 && imm % 16 == 0, "c.addi16sp immediate", imm);
        signed(imm, 10, "c.addi16sp immediate");
        return half(3 << 13 | bits(imm, 9, 12) | 2 << 7 | bits(imm, 4, 6) | bits(imm, 6, 5) |
            ((imm >>> 7) & 3) << 3 | bits(imm, 5, 2) | 1);
    }

    /** @param imm6 the signed 6-bit value that becomes bits 17:12 of the result. */
    public static short c_lui(final int rd, final int imm6)
    {
        check(rd != 2 && imm6 != 0, "c.lui operand", rd == 2 ? rd : imm6);
        signed(imm6, 6, "c.lui immediate");
        return half(ci(3, rd, imm6, 1));
    }

    static int shamtBits(final int shamt)
    {
        check(shamt >= 0 && shamt < 64, "shift amount", shamt);
        return (shamt >>> 5) << 12 | (shamt & 0x1F) << 2;
    }

    public static short c_srli(final int rd, final int shamt)
    {
        return half(4 << 13 | shamtBits(shamt) | prime(rd) << 7 | 1);
    }

    public static short c_srai(final int rd, final int shamt)
    {
        return half(4 << 13 | shamtBits(shamt) | 1 << 10 | prime(rd) << 7 | 1);
    }

    public static short c_andi(final int rd, final int imm)
    {
        signed(imm, 6, "c.andi immediate");
        return half(4 << 13 | ((imm >> 5) & 1) << 12 | 2 << 10 | prime(rd) << 7 | (imm & 0x1F) << 2 | 1);
    }

    static short ca(final int word, final int selector, final int rd, final int rs2)
    {
        return half(4 << 13 | word << 12 | 3 << 10 | prime(rd) << 7 | selector << 5 | prime(rs2) << 2 | 1);
    }

    public static short c_sub(final int rd, final int rs2) { return ca(0, 0, rd, rs2); }
    public static short c_xor(final int rd, final int rs2) { return ca(0, 1, rd, rs2); }
    public static short c_or(final int rd, final int rs2) { return ca(0, 2, rd, rs2); }
    public static short c_and(final int rd, final int rs2) { return ca(0, 3, rd, rs2); }
    public static short c_subw(final int rd, final int rs2) { return ca(1, 0, rd, rs2); }
    public static short c_addw(final int rd, final int rs2) { return ca(1, 1, rd, rs2); }

    public static short c_j(final int offset)
    {
        signed(offset, 12, "c.j offset");
        check((offset & 1) == 0, "odd c.j offset", offset);
        return half(5 << 13 | bits(offset, 11, 12) | bits(offset, 4, 11) | ((offset >>> 8) & 3) << 9 |
            bits(offset, 10, 8) | bits(offset, 6, 7) | bits(offset, 7, 6) | ((offset >>> 1) & 7) << 3 |
            bits(offset, 5, 2) | 1);
    }

    static short cb(final int funct3, final int rs1, final int offset)
    {
        signed(offset, 9, "compressed branch offset");
        check((offset & 1) == 0, "odd compressed branch offset", offset);
        return half(funct3 << 13 | bits(offset, 8, 12) | ((offset >>> 3) & 3) << 10 | prime(rs1) << 7 |
            ((offset >>> 6) & 3) << 5 | ((offset >>> 1) & 3) << 3 | bits(offset, 5, 2) | 1);
    }

    public static short c_beqz(final int rs1, final int offset) { return cb(6, rs1, offset); }
    public static short c_bnez(final int rs1, final int offset) { return cb(7, rs1, offset); }

    public static short c_slli(final int rd, final int shamt)
    {
        return half(shamtBits(shamt) | reg(rd) << 7 | 2);
    }

    public static short c_lwsp(final int rd, final int uimm)
    {
        check(rd != 0, "c.lwsp rd", rd);
        unsignedScaled(uimm, 4, 256, "c.lwsp offset");
        return half(2 << 13 | bits(uimm, 5, 12) | reg(rd) << 7 | ((uimm >>> 2) & 7) << 4 | ((uimm >>> 6) & 3) << 2 | 2);
    }

    public static short c_ldsp(final int rd, final int uimm)
    {
        check(rd != 0, "c.ldsp rd", rd);
        unsignedScaled(uimm, 8, 512, "c.ldsp offset");
        return half(3 << 13 | bits(uimm, 5, 12) | reg(rd) << 7 | ((uimm >>> 3) & 3) << 5 | ((uimm >>> 6) & 7) << 2 | 2);
    }

    public static short c_jr(final int rs1)
    {
        check(rs1 != 0, "c.jr rs1", rs1);
        return half(4 << 13 | reg(rs1) << 7 | 2);
    }

    public static short c_mv(final int rd, final int rs2)
    {
        check(rs2 != 0, "c.mv rs2", rs2);
        return half(4 << 13 | reg(rd) << 7 | reg(rs2) << 2 | 2);
    }

    public static short c_ebreak() { return half(4 << 13 | 1 << 12 | 2); }

    public static short c_jalr(final int rs1)
    {
        check(rs1 != 0, "c.jalr rs1", rs1);
        return half(4 << 13 | 1 << 12 | reg(rs1) << 7 | 2);
    }

    public static short c_add(final int rd, final int rs2)
    {
        check(rs2 != 0, "c.add rs2", rs2);
        return half(4 << 13 | 1 << 12 | reg(rd) << 7 | reg(rs2) << 2 | 2);
    }

    public static short c_swsp(final int rs2, final int uimm)
    {
        unsignedScaled(uimm, 4, 256, "c.swsp offset");
        return half(6 << 13 | ((uimm >>> 2) & 0xF) << 9 | ((uimm >>> 6) & 3) << 7 | reg(rs2) << 2 | 2);
    }

    public static short c_sdsp(final int rs2, final int uimm)
    {
        unsignedScaled(uimm, 8, 512, "c.sdsp offset");
        return half(7 << 13 | ((uimm >>> 3) & 7) << 10 | ((uimm >>> 6) & 7) << 7 | reg(rs2) << 2 | 2);
    }

    // ---------------------------------------------------------------- re-encoding

    /**
     * Encode a decoded word back to the canonical 32-bit instruction (reserved fields zero).
     * A compressed word re-encodes as the base instruction it expands to.
     *
     * @param decoded a non-illegal {@link Decoded} word.
     * @return the 32-bit encoding.
     */
    public static int encode(final long decoded)
    {
        final int rd = Decoded.rd(decoded);
        final int rs1 = Decoded.rs1(decoded);
        final int rs2 = Decoded.rs2(decoded);
        final int imm = Decoded.imm(decoded);
        final int op = Decoded.opcode(decoded);
        return switch (op)
        {
            case Opcode.LUI -> lui(rd, imm >>> 12);
            case Opcode.AUIPC -> auipc(rd, imm >>> 12);
            case Opcode.JAL -> jal(rd, imm);
            case Opcode.JALR -> jalr(rd, rs1, imm);
            case Opcode.BEQ -> beq(rs1, rs2, imm);
            case Opcode.BNE -> bne(rs1, rs2, imm);
            case Opcode.BLT -> blt(rs1, rs2, imm);
            case Opcode.BGE -> bge(rs1, rs2, imm);
            case Opcode.BLTU -> bltu(rs1, rs2, imm);
            case Opcode.BGEU -> bgeu(rs1, rs2, imm);
            case Opcode.LB, Opcode.LH, Opcode.LW, Opcode.LD, Opcode.LBU, Opcode.LHU, Opcode.LWU ->
                i(imm, rs1, op - Opcode.LB, rd, 0x03);
            case Opcode.SB, Opcode.SH, Opcode.SW, Opcode.SD -> s(imm, rs2, rs1, op - Opcode.SB, 0x23);
            case Opcode.ADDI -> addi(rd, rs1, imm);
            case Opcode.SLTI -> slti(rd, rs1, imm);
            case Opcode.SLTIU -> sltiu(rd, rs1, imm);
            case Opcode.XORI -> xori(rd, rs1, imm);
            case Opcode.ORI -> ori(rd, rs1, imm);
            case Opcode.ANDI -> andi(rd, rs1, imm);
            case Opcode.SLLI -> slli(rd, rs1, imm);
            case Opcode.SRLI -> srli(rd, rs1, imm);
            case Opcode.SRAI -> srai(rd, rs1, imm);
            case Opcode.ADD -> add(rd, rs1, rs2);
            case Opcode.SUB -> sub(rd, rs1, rs2);
            case Opcode.SLL -> sll(rd, rs1, rs2);
            case Opcode.SLT -> slt(rd, rs1, rs2);
            case Opcode.SLTU -> sltu(rd, rs1, rs2);
            case Opcode.XOR -> xor(rd, rs1, rs2);
            case Opcode.SRL -> srl(rd, rs1, rs2);
            case Opcode.SRA -> sra(rd, rs1, rs2);
            case Opcode.OR -> or(rd, rs1, rs2);
            case Opcode.AND -> and(rd, rs1, rs2);
            case Opcode.ADDIW -> addiw(rd, rs1, imm);
            case Opcode.SLLIW -> slliw(rd, rs1, imm);
            case Opcode.SRLIW -> srliw(rd, rs1, imm);
            case Opcode.SRAIW -> sraiw(rd, rs1, imm);
            case Opcode.ADDW -> addw(rd, rs1, rs2);
            case Opcode.SUBW -> subw(rd, rs1, rs2);
            case Opcode.SLLW -> sllw(rd, rs1, rs2);
            case Opcode.SRLW -> srlw(rd, rs1, rs2);
            case Opcode.SRAW -> sraw(rd, rs1, rs2);
            case Opcode.FENCE -> imm << 20 | 0x0F;
            case Opcode.FENCE_I -> fence_i();
            case Opcode.ECALL -> ecall();
            case Opcode.EBREAK -> ebreak();
            case Opcode.MRET -> mret();
            case Opcode.SRET -> sret();
            case Opcode.WFI -> wfi();
            case Opcode.SFENCE_VMA -> sfence_vma(rs1, rs2);
            case Opcode.CSRRW -> csrrw(rd, Decoded.csr(decoded), rs1);
            case Opcode.CSRRS -> csrrs(rd, Decoded.csr(decoded), rs1);
            case Opcode.CSRRC -> csrrc(rd, Decoded.csr(decoded), rs1);
            case Opcode.CSRRWI -> csrrwi(rd, Decoded.csr(decoded), rs1);
            case Opcode.CSRRSI -> csrrsi(rd, Decoded.csr(decoded), rs1);
            case Opcode.CSRRCI -> csrrci(rd, Decoded.csr(decoded), rs1);
            case Opcode.MUL, Opcode.MULH, Opcode.MULHSU, Opcode.MULHU,
                Opcode.DIV, Opcode.DIVU, Opcode.REM, Opcode.REMU -> r(1, rs2, rs1, op - Opcode.MUL, rd, 0x33);
            case Opcode.MULW -> mulw(rd, rs1, rs2);
            case Opcode.DIVW -> divw(rd, rs1, rs2);
            case Opcode.DIVUW -> divuw(rd, rs1, rs2);
            case Opcode.REMW -> remw(rd, rs1, rs2);
            case Opcode.REMUW -> remuw(rd, rs1, rs2);
            default -> encodeAtomic(op, rd, rs1, rs2, Decoded.aq(decoded), Decoded.rl(decoded));
        };
    }

    /** funct5 of each .W atomic, in {@link Opcode} order from LR_W. */
    private static final int[] AMO_FUNCT5 = {
        0b00010, 0b00011, 0b00001, 0b00000, 0b00100, 0b01100, 0b01000, 0b10000, 0b10100, 0b11000, 0b11100
    };

    private static int encodeAtomic(
        final int op, final int rd, final int rs1, final int rs2, final boolean aq, final boolean rl)
    {
        check(op >= Opcode.LR_W && op <= Opcode.AMOMAXU_D, "encodable opcode", op);
        final boolean doubleword = op >= Opcode.LR_D;
        final int index = op - (doubleword ? Opcode.LR_D : Opcode.LR_W);
        return amo(AMO_FUNCT5[index], doubleword ? 3 : 2, rd, rs1, rs2, aq, rl);
    }
}
