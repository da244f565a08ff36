package io.javisor.emulation.isa;

import static io.javisor.emulation.isa.DecodedAssert.assertIllegal;

import org.junit.jupiter.api.Test;

/** Reserved and unsupported 32-bit encodings must decode to {@link Decoded#ILLEGAL}. */
class IllegalEncodingTest
{
    @Test
    void reservedFunctFields()
    {
        assertIllegal(Asm.jalr(1, 2, 0) | 1 << 12);               // JALR funct3 != 0
        assertIllegal(Asm.beq(1, 2, 8) | 2 << 12);                // branch funct3 2
        assertIllegal(Asm.beq(1, 2, 8) | 3 << 12);                // branch funct3 3
        assertIllegal(Asm.lb(1, 2, 0) | 7 << 12);                 // load funct3 7
        assertIllegal(Asm.sb(1, 2, 0) | 4 << 12);                 // store funct3 4..7
        assertIllegal(Asm.sb(1, 2, 0) | 7 << 12);
        assertIllegal(Asm.add(1, 2, 3) | 0x02 << 25);             // OP funct7 2
        assertIllegal(Asm.add(1, 2, 3) | 0x20 << 25 | 1 << 12);   // SLL with funct7 0x20
        assertIllegal(Asm.addw(1, 2, 3) | 2 << 12);               // OP-32 funct3 2
        assertIllegal(Asm.mulw(1, 2, 3) | 1 << 12);               // OP-32 M funct3 1..3
        assertIllegal(Asm.mulw(1, 2, 3) | 3 << 12);
        assertIllegal(Asm.addiw(1, 2, 0) | 2 << 12);              // OP-IMM-32 funct3 2
        assertIllegal(Asm.fence(1, 1) | 2 << 12);                 // MISC-MEM funct3 2
        assertIllegal(Asm.csrrw(1, 0x300, 2) & ~0x7000 | 0x4000);   // SYSTEM funct3 4
    }

    @Test
    void reservedShiftEncodings()
    {
        assertIllegal(Asm.slliw(1, 2, 3) | 1 << 25);              // SLLIW shamt[5] set
        assertIllegal(Asm.srliw(1, 2, 3) | 1 << 25);
        assertIllegal(Asm.sraiw(1, 2, 3) | 1 << 25);
        assertIllegal(Asm.slli(1, 2, 3) | 0x10 << 26);            // SLLI with the arithmetic bit
        assertIllegal(Asm.srli(1, 2, 3) | 1 << 27);               // other funct6 bits
        assertIllegal(Asm.sllw(1, 2, 3) | 0x20 << 25);            // SLLW with funct7 0x20
    }

    @Test
    void systemMustMatchExactly()
    {
        assertIllegal(Asm.ecall() | 1 << 7);                      // ECALL with rd set
        assertIllegal(Asm.ebreak() | 1 << 15);                    // EBREAK with rs1 set
        assertIllegal(Asm.mret() | 1 << 20);                      // MRET neighbour
        assertIllegal(Asm.wfi() | 1 << 7);
        assertIllegal(Asm.sfence_vma(1, 2) | 1 << 7);             // SFENCE.VMA rd != 0
        assertIllegal(0x00200073);                                // URET (N extension, absent)
    }

    @Test
    void atomicsAndUnsupportedExtensions()
    {
        assertIllegal(Asm.lr_w(1, 2) | 3 << 20);                  // LR with rs2 != 0
        assertIllegal(Asm.amoadd_w(1, 2, 3) & ~0x7000);           // AMO funct3 0
        assertIllegal(Asm.amoadd_w(1, 2, 3) | 0x4000);            // AMO funct3 6
        assertIllegal(Asm.amo(0b00101, 2, 1, 2, 3, false, false)); // reserved funct5
        assertIllegal(0x00002007);                                // FLW
        assertIllegal(0x00003027);                                // FSD
        assertIllegal(0x00000053);                                // OP-FP
        assertIllegal(0x00000043);                                // FMADD
        assertIllegal(0x0000001F);                                // 48-bit prefix
        assertIllegal(0x0000003F);                                // 64-bit prefix
        assertIllegal(0xFFFFFFFF);
        assertIllegal(0x00000000);
        assertIllegal(0x00000001);                                // compressed parcel given as a word
    }
}
