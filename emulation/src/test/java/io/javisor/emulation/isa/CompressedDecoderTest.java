package io.javisor.emulation.isa;

import static io.javisor.emulation.isa.DecodedAssert.assertExpands;
import static io.javisor.emulation.isa.DecodedAssert.assertIllegalCompressed;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Every RV64C instruction against the 32-bit instruction it expands to. */
class CompressedDecoderTest
{
    private static final int SP = 2;
    private static final int[] PRIME = { 8, 9, 12, 15 };
    private static final int[] FULL = { 1, 2, 10, 31 };
    private static final int[] IMM6 = { -32, -1, 1, 5, 31 };

    @Test
    void stackPointerAdjustments()
    {
        for (final int rd : PRIME)
        {
            for (final int uimm : new int[] { 4, 8, 16, 64, 512, 1020 })
            {
                assertExpands(Asm.c_addi4spn(rd, uimm), Asm.addi(rd, SP, uimm));
            }
        }
        for (final int imm : new int[] { -512, -16, 16, 32, 64, 128, 256, 496 })
        {
            assertExpands(Asm.c_addi16sp(imm), Asm.addi(SP, SP, imm));
        }
        assertThrows(IllegalArgumentException.class, () -> Asm.c_addi16sp(8));
        assertThrows(IllegalArgumentException.class, () -> Asm.c_addi4spn(8, 2));
    }

    @Test
    void registerBasedLoadsAndStores()
    {
        for (final int rd : PRIME)
        {
            for (final int rs1 : PRIME)
            {
                for (final int uimm : new int[] { 0, 4, 8, 32, 64, 124 })
                {
                    assertExpands(Asm.c_lw(rd, rs1, uimm), Asm.lw(rd, rs1, uimm));
                    assertExpands(Asm.c_sw(rd, rs1, uimm), Asm.sw(rd, rs1, uimm));
                }
                for (final int uimm : new int[] { 0, 8, 32, 64, 128, 248 })
                {
                    assertExpands(Asm.c_ld(rd, rs1, uimm), Asm.ld(rd, rs1, uimm));
                    assertExpands(Asm.c_sd(rd, rs1, uimm), Asm.sd(rd, rs1, uimm));
                }
            }
        }
        assertThrows(IllegalArgumentException.class, () -> Asm.c_lw(8, 8, 2));
        assertThrows(IllegalArgumentException.class, () -> Asm.c_ld(7, 8, 0));
    }

    @Test
    void immediates()
    {
        assertExpands(Asm.c_nop(), Asm.addi(0, 0, 0));
        for (final int rd : FULL)
        {
            for (final int imm : IMM6)
            {
                assertExpands(Asm.c_addi(rd, imm), Asm.addi(rd, rd, imm));
                assertExpands(Asm.c_addiw(rd, imm), Asm.addiw(rd, rd, imm));
                assertExpands(Asm.c_li(rd, imm), Asm.addi(rd, 0, imm));
                if (rd != SP)
                {
                    assertExpands(Asm.c_lui(rd, imm), Asm.lui(rd, (imm << 12 >>> 12) & 0xFFFFF));
                }
            }
        }
        assertExpands(Asm.c_addiw(5, 0), Asm.addiw(5, 5, 0));
    }

    @Test
    void shiftsAndLogic()
    {
        for (final int rd : PRIME)
        {
            for (final int shamt : new int[] { 1, 5, 31, 32, 63 })
            {
                assertExpands(Asm.c_srli(rd, shamt), Asm.srli(rd, rd, shamt));
                assertExpands(Asm.c_srai(rd, shamt), Asm.srai(rd, rd, shamt));
            }
            for (final int imm : IMM6)
            {
                assertExpands(Asm.c_andi(rd, imm), Asm.andi(rd, rd, imm));
            }
            for (final int rs2 : PRIME)
            {
                assertExpands(Asm.c_sub(rd, rs2), Asm.sub(rd, rd, rs2));
                assertExpands(Asm.c_xor(rd, rs2), Asm.xor(rd, rd, rs2));
                assertExpands(Asm.c_or(rd, rs2), Asm.or(rd, rd, rs2));
                assertExpands(Asm.c_and(rd, rs2), Asm.and(rd, rd, rs2));
                assertExpands(Asm.c_subw(rd, rs2), Asm.subw(rd, rd, rs2));
                assertExpands(Asm.c_addw(rd, rs2), Asm.addw(rd, rd, rs2));
            }
        }
        for (final int rd : FULL)
        {
            for (final int shamt : new int[] { 1, 31, 32, 63 })
            {
                assertExpands(Asm.c_slli(rd, shamt), Asm.slli(rd, rd, shamt));
            }
        }
    }

    @Test
    void controlTransfer()
    {
        for (final int offset : new int[] { -2048, -2, 0, 2, 0x10, 0x20, 0x40, 0x80, 0x100, 0x200, 0x400, 2046 })
        {
            assertExpands(Asm.c_j(offset), Asm.jal(0, offset));
        }
        for (final int rs1 : PRIME)
        {
            for (final int offset : new int[] { -256, -2, 0, 2, 6, 0x20, 0x40, 0x80, 254 })
            {
                assertExpands(Asm.c_beqz(rs1, offset), Asm.beq(rs1, 0, offset));
                assertExpands(Asm.c_bnez(rs1, offset), Asm.bne(rs1, 0, offset));
            }
        }
        for (final int rs1 : FULL)
        {
            assertExpands(Asm.c_jr(rs1), Asm.jalr(0, rs1, 0));
            assertExpands(Asm.c_jalr(rs1), Asm.jalr(1, rs1, 0));
        }
        assertExpands(Asm.c_ebreak(), Asm.ebreak());
        assertThrows(IllegalArgumentException.class, () -> Asm.c_j(3));
        assertThrows(IllegalArgumentException.class, () -> Asm.c_beqz(8, 256));
        assertThrows(IllegalArgumentException.class, () -> Asm.c_bnez(8, -3));
    }

    @Test
    void registerMovesAndStackAccess()
    {
        for (final int rd : FULL)
        {
            for (final int rs2 : FULL)
            {
                assertExpands(Asm.c_mv(rd, rs2), Asm.add(rd, 0, rs2));
                assertExpands(Asm.c_add(rd, rs2), Asm.add(rd, rd, rs2));
                for (final int uimm : new int[] { 0, 4, 32, 64, 128, 252 })
                {
                    assertExpands(Asm.c_swsp(rs2, uimm), Asm.sw(rs2, SP, uimm));
                    assertExpands(Asm.c_lwsp(rd, uimm), Asm.lw(rd, SP, uimm));
                }
                for (final int uimm : new int[] { 0, 8, 32, 64, 128, 256, 504 })
                {
                    assertExpands(Asm.c_sdsp(rs2, uimm), Asm.sd(rs2, SP, uimm));
                    assertExpands(Asm.c_ldsp(rd, uimm), Asm.ld(rd, SP, uimm));
                }
            }
        }
    }

    @Test
    void reservedEncodingsAreIllegal()
    {
        assertIllegalCompressed(0x0000);                        // all zero, also C.ADDI4SPN imm 0
        assertIllegalCompressed(0x0000 | 3 << 2);               // C.ADDI4SPN imm 0, rd' x11
        assertIllegalCompressed(Asm.c_addi16sp(16) & ~0x107C);  // C.ADDI16SP imm 0
        assertIllegalCompressed(0x6001 | 5 << 7);               // C.LUI imm 0
        assertIllegalCompressed(0x4002);                        // C.LWSP rd 0
        assertIllegalCompressed(0x6002 | 1 << 2);               // C.LDSP rd 0
        assertIllegalCompressed(0x8002);                        // C.JR rs1 0
        assertIllegalCompressed(0x2001);                        // C.ADDIW rd 0
        assertIllegalCompressed(Asm.c_subw(8, 9) | 2 << 5);     // reserved CA with bit 12 set
        assertIllegalCompressed(Asm.c_subw(8, 9) | 3 << 5);
        assertIllegalCompressed(0x8000);                        // quadrant 0 funct3 100
        assertIllegalCompressed(0x2000 | 1 << 2);               // C.FLD
        assertIllegalCompressed(0xA000);                        // C.FSD
        assertIllegalCompressed(0x2002 | 1 << 7);               // C.FLDSP
        assertIllegalCompressed(0xA002);                        // C.FSDSP
        assertIllegalCompressed(0xFFFF);                        // not a 16-bit encoding
    }
}
