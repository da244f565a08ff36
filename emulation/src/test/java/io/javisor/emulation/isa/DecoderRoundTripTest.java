package io.javisor.emulation.isa;

import static io.javisor.emulation.isa.DecodedAssert.assertDecodes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;


import org.junit.jupiter.api.Test;

/** Every 32-bit instruction class through {@link Asm} and back through {@link Decoder}. */
class DecoderRoundTripTest
{
    private static final int[] IMM12 = { -2048, -1, 0, 1, 0x555, -0x556, 2047 };
    private static final int[] REGS = { 0, 1, 15, 16, 31 };

    @FunctionalInterface
    interface Rrr
    {
        int encode(int a, int b, int c);
    }

    private static void registerImmediate(final Rrr asm, final int opcode)
    {
        for (final int r : REGS)
        {
            for (final int imm : IMM12)
            {
                assertDecodes(asm.encode(r, 31 - r, imm), opcode, r, 31 - r, 0, imm);
            }
        }
    }

    private static void registerRegister(final Rrr asm, final int opcode)
    {
        for (final int r : REGS)
        {
            assertDecodes(asm.encode(r, 31 - r, r ^ 5), opcode, r, 31 - r, r ^ 5, 0);
        }
    }

    @Test
    void upperImmediates()
    {
        for (final int imm20 : new int[] { 0, 1, 0x7FFFF, 0x80000, 0xFFFFF })
        {
            assertDecodes(Asm.lui(5, imm20), Opcode.LUI, 5, 0, 0, imm20 << 12);
            assertDecodes(Asm.auipc(31, imm20), Opcode.AUIPC, 31, 0, 0, imm20 << 12);
        }
    }

    @Test
    void jumps()
    {
        for (final int offset : new int[] { -(1 << 20), -2, 0, 2, 0x800, 0x7FE, 0xFF000, (1 << 20) - 2 })
        {
            assertDecodes(Asm.jal(1, offset), Opcode.JAL, 1, 0, 0, offset);
        }
        registerImmediate(Asm::jalr, Opcode.JALR);
        assertThrows(IllegalArgumentException.class, () -> Asm.jal(0, 3));
        assertThrows(IllegalArgumentException.class, () -> Asm.jal(0, 1 << 20));
    }

    @Test
    void branches()
    {
        final Rrr[] asm = { Asm::beq, Asm::bne, Asm::blt, Asm::bge, Asm::bltu, Asm::bgeu };
        final int[] opcodes = { Opcode.BEQ, Opcode.BNE, Opcode.BLT, Opcode.BGE, Opcode.BLTU, Opcode.BGEU };
        for (int k = 0; k < asm.length; k++)
        {
            for (final int offset : new int[] { -4096, -2, 0, 2, 0x7FE, 0x800, 4094 })
            {
                assertDecodes(asm[k].encode(3, 30, offset), opcodes[k], 0, 3, 30, offset);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> Asm.beq(1, 2, 5));
        assertThrows(IllegalArgumentException.class, () -> Asm.bne(1, 2, 4096));
        assertThrows(IllegalArgumentException.class, () -> Asm.blt(1, 2, -4098));
    }

    @Test
    void loadsAndStores()
    {
        registerImmediate(Asm::lb, Opcode.LB);
        registerImmediate(Asm::lh, Opcode.LH);
        registerImmediate(Asm::lw, Opcode.LW);
        registerImmediate(Asm::ld, Opcode.LD);
        registerImmediate(Asm::lbu, Opcode.LBU);
        registerImmediate(Asm::lhu, Opcode.LHU);
        registerImmediate(Asm::lwu, Opcode.LWU);
        final Rrr[] stores = { Asm::sb, Asm::sh, Asm::sw, Asm::sd };
        final int[] opcodes = { Opcode.SB, Opcode.SH, Opcode.SW, Opcode.SD };
        for (int k = 0; k < stores.length; k++)
        {
            for (final int imm : IMM12)
            {
                assertDecodes(stores[k].encode(7, 9, imm), opcodes[k], 0, 9, 7, imm);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> Asm.sd(1, 2, 2048));
    }

    @Test
    void registerImmediateArithmetic()
    {
        registerImmediate(Asm::addi, Opcode.ADDI);
        registerImmediate(Asm::slti, Opcode.SLTI);
        registerImmediate(Asm::sltiu, Opcode.SLTIU);
        registerImmediate(Asm::xori, Opcode.XORI);
        registerImmediate(Asm::ori, Opcode.ORI);
        registerImmediate(Asm::andi, Opcode.ANDI);
        registerImmediate(Asm::addiw, Opcode.ADDIW);
        assertThrows(IllegalArgumentException.class, () -> Asm.addi(1, 1, -2049));
    }

    @Test
    void shifts()
    {
        for (final int shamt : new int[] { 0, 1, 31, 32, 63 })
        {
            assertDecodes(Asm.slli(1, 2, shamt), Opcode.SLLI, 1, 2, 0, shamt);
            assertDecodes(Asm.srli(1, 2, shamt), Opcode.SRLI, 1, 2, 0, shamt);
            assertDecodes(Asm.srai(1, 2, shamt), Opcode.SRAI, 1, 2, 0, shamt);
        }
        for (final int shamt : new int[] { 0, 1, 16, 31 })
        {
            assertDecodes(Asm.slliw(1, 2, shamt), Opcode.SLLIW, 1, 2, 0, shamt);
            assertDecodes(Asm.srliw(1, 2, shamt), Opcode.SRLIW, 1, 2, 0, shamt);
            assertDecodes(Asm.sraiw(1, 2, shamt), Opcode.SRAIW, 1, 2, 0, shamt);
        }
        assertThrows(IllegalArgumentException.class, () -> Asm.slliw(1, 2, 32));
        assertThrows(IllegalArgumentException.class, () -> Asm.slli(1, 2, 64));
    }

    @Test
    void registerRegisterArithmetic()
    {
        final Rrr[] asm = {
            Asm::add, Asm::sub, Asm::sll, Asm::slt, Asm::sltu, Asm::xor, Asm::srl, Asm::sra, Asm::or, Asm::and,
            Asm::addw, Asm::subw, Asm::sllw, Asm::srlw, Asm::sraw,
            Asm::mul, Asm::mulh, Asm::mulhsu, Asm::mulhu, Asm::div, Asm::divu, Asm::rem, Asm::remu,
            Asm::mulw, Asm::divw, Asm::divuw, Asm::remw, Asm::remuw,
        };
        final int[] opcodes = {
            Opcode.ADD, Opcode.SUB, Opcode.SLL, Opcode.SLT, Opcode.SLTU, Opcode.XOR, Opcode.SRL, Opcode.SRA,
            Opcode.OR, Opcode.AND,
            Opcode.ADDW, Opcode.SUBW, Opcode.SLLW, Opcode.SRLW, Opcode.SRAW,
            Opcode.MUL, Opcode.MULH, Opcode.MULHSU, Opcode.MULHU, Opcode.DIV, Opcode.DIVU, Opcode.REM, Opcode.REMU,
            Opcode.MULW, Opcode.DIVW, Opcode.DIVUW, Opcode.REMW, Opcode.REMUW,
        };
        assertEquals(asm.length, opcodes.length);
        for (int k = 0; k < asm.length; k++)
        {
            registerRegister(asm[k], opcodes[k]);
        }
    }

    @Test
    void orderingAndSystem()
    {
        assertDecodes(Asm.fence(0xF, 0xF), Opcode.FENCE, 0, 0, 0, 0x0FF);
        assertDecodes(Asm.fenceTso(), Opcode.FENCE, 0, 0, 0, 0x833);
        assertDecodes(Asm.pause(), Opcode.FENCE, 0, 0, 0, 0x010);
        // rd and rs1 of FENCE, and every field of FENCE.I, are reserved and ignored.
        assertDecodes(Asm.fence(0xF, 0xF) | 0x1F << 7 | 0x1F << 15, Opcode.FENCE, 0, 0, 0, 0x0FF);
        assertDecodes(Asm.fence_i() | 0xFFF << 20 | 3 << 15 | 4 << 7, Opcode.FENCE_I, 0, 0, 0, 0);
        assertDecodes(Asm.ecall(), Opcode.ECALL, 0, 0, 0, 0);
        assertDecodes(Asm.ebreak(), Opcode.EBREAK, 0, 0, 0, 0);
        assertDecodes(Asm.mret(), Opcode.MRET, 0, 0, 0, 0);
        assertDecodes(Asm.sret(), Opcode.SRET, 0, 0, 0, 0);
        assertDecodes(Asm.wfi(), Opcode.WFI, 0, 0, 0, 0);
        assertDecodes(Asm.sfence_vma(10, 11), Opcode.SFENCE_VMA, 0, 10, 11, 0);
    }

    @Test
    void csrInstructions()
    {
        final Rrr[] asm = { Asm::csrrw, Asm::csrrs, Asm::csrrc, Asm::csrrwi, Asm::csrrsi, Asm::csrrci };
        final int[] opcodes = { Opcode.CSRRW, Opcode.CSRRS, Opcode.CSRRC, Opcode.CSRRWI, Opcode.CSRRSI, Opcode.CSRRCI };
        for (int k = 0; k < asm.length; k++)
        {
            for (final int csr : new int[] { 0, 0x001, 0x180, 0x300, 0x7FF, 0x800, 0xC00, 0xFFF })
            {
                final long decoded = Decoder.decode(asm[k].encode(4, csr, 31));
                assertEquals(opcodes[k], Decoded.opcode(decoded));
                assertEquals(csr, Decoded.csr(decoded));
                assertEquals(4, Decoded.rd(decoded));
                assertEquals(31, Decoded.rs1(decoded));
            }
        }
        assertThrows(IllegalArgumentException.class, () -> Asm.csrrw(1, 4096, 2));
    }

    @Test
    void atomics()
    {
        final int[] funct5 = { 0b00011, 0b00001, 0b00000, 0b00100, 0b01100, 0b01000, 0b10000, 0b10100, 0b11000, 0b11100 };
        final int[] wordOps = {
            Opcode.SC_W, Opcode.AMOSWAP_W, Opcode.AMOADD_W, Opcode.AMOXOR_W, Opcode.AMOAND_W, Opcode.AMOOR_W,
            Opcode.AMOMIN_W, Opcode.AMOMAX_W, Opcode.AMOMINU_W, Opcode.AMOMAXU_W,
        };
        for (int k = 0; k < funct5.length; k++)
        {
            for (int order = 0; order < 4; order++)
            {
                final boolean aq = (order & 2) != 0;
                final boolean rl = (order & 1) != 0;
                final long w = Decoder.decode(Asm.amo(funct5[k], 2, 5, 6, 7, aq, rl));
                final long d = Decoder.decode(Asm.amo(funct5[k], 3, 5, 6, 7, aq, rl));
                assertDecodes(Asm.amo(funct5[k], 2, 5, 6, 7, aq, rl), wordOps[k], 5, 6, 7, 0);
                assertEquals(wordOps[k] + Opcode.AMO_D_OFFSET, Decoded.opcode(d));
                assertEquals(aq, Decoded.aq(w));
                assertEquals(rl, Decoded.rl(w));
                assertEquals(aq, Decoded.aq(d));
                assertEquals(rl, Decoded.rl(d));
            }
        }
        assertDecodes(Asm.lr_w(3, 4), Opcode.LR_W, 3, 4, 0, 0);
        assertDecodes(Asm.lr_d(3, 4), Opcode.LR_D, 3, 4, 0, 0);
        assertDecodes(Asm.sc_d(3, 5, 4), Opcode.SC_D, 3, 4, 5, 0);
        final Rrr[] named = {
            Asm::amoswap_w, Asm::amoadd_w, Asm::amoxor_w, Asm::amoand_w, Asm::amoor_w,
            Asm::amomin_w, Asm::amomax_w, Asm::amominu_w, Asm::amomaxu_w,
            Asm::amoswap_d, Asm::amoadd_d, Asm::amoxor_d, Asm::amoand_d, Asm::amoor_d,
            Asm::amomin_d, Asm::amomax_d, Asm::amominu_d, Asm::amomaxu_d,
        };
        for (int k = 0; k < named.length; k++)
        {
            final int opcode = k < 9 ? Opcode.AMOSWAP_W + k : Opcode.AMOSWAP_D + k - 9;
            assertDecodes(named[k].encode(1, 2, 3), opcode, 1, 3, 2, 0);
        }
    }

    @Test
    void assemblerRejectsBadRegisters()
    {
        assertThrows(IllegalArgumentException.class, () -> Asm.add(32, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> Asm.addi(-1, 0, 0));
    }

}
