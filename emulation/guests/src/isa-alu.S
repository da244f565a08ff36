/* isa-alu (bare, M-mode): RV64I integer instructions with edge values. */
    .file "isa-alu.S"
#include "asmtest.h"

BEGIN_TESTS isa-alu
    /* add/sub/addi incl. wrap-around */
    TEST_RR  1, add,  0x0000000000000003, 1, 2
    TEST_RR  2, add,  0x8000000000000000, 0x7fffffffffffffff, 1
    TEST_RR  3, add,  0, -1, 1
    TEST_RR  4, sub,  0xffffffffffffffff, 0, 1
    TEST_RR  5, sub,  0x7fffffffffffffff, 0x8000000000000000, 1
    TEST_RI  6, addi, 0x00000000000007ff, 0, 2047
    TEST_RI  7, addi, 0xfffffffffffff800, 0, -2048
    TEST_RI  8, addi, 0x8000000000000000, 0x7fffffffffffffff, 1
    TEST_RR_SAME 9, add, 0x2468, 0x1234
    /* W forms: 32-bit result, sign-extended */
    TEST_RR 10, addw, 0xffffffff80000000, 0x7fffffff, 1
    TEST_RR 11, addw, 0, 0xffffffff, 1
    TEST_RR 12, addw, 0x0000000000000003, 0x1234567800000001, 0x2
    TEST_RR 13, subw, 0x000000007fffffff, 0x80000000, 1
    TEST_RR 14, subw, 0xffffffffffffffff, 0, 1
    TEST_RI 15, addiw, 0xffffffff80000000, 0x7fffffff, 1
    TEST_RI 16, addiw, 0x000000007ffff7ff, 0x7fffffff, -2048
    TEST_RI 17, addiw, 0x0000000012345678, 0xffffffff12345678, 0
    /* logic */
    TEST_RR 18, and,  0x0f000f000f000f00, 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0
    TEST_RR 19, or,   0xfff0fff0fff0fff0, 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0
    TEST_RR 20, xor,  0xf0f0f0f0f0f0f0f0, 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0
    TEST_RI 21, andi, 0xff00ff00ff00ff00, 0xff00ff00ff00ff00, -256
    TEST_RI 22, andi, 0x0000000000000700, 0xff00ff00ff00ff00, 0x7ff
    TEST_RI 23, ori,  0xfffffffffffff80f, 0x0f, -2048
    TEST_RI 24, xori, 0x00ff00ff00ff00ff, 0xff00ff00ff00ff00, -1
    /* compare */
    TEST_RR 25, slt,  1, -1, 0
    TEST_RR 26, slt,  0, 0x7fffffffffffffff, 0x8000000000000000
    TEST_RR 27, sltu, 0, -1, 0
    TEST_RR 28, sltu, 1, 0x7fffffffffffffff, 0x8000000000000000
    TEST_RI 29, slti, 1, 0x8000000000000000, 0
    TEST_RI 30, sltiu, 1, 5, -1           /* immediate sign-extends, then unsigned */
    TEST_RI 31, sltiu, 0, -1, -1
    TEST_RI 32, sltiu, 1, 0, 1            /* seqz */
    /* shifts: 64-bit use 6 bits of the amount */
    TEST_RR 33, sll,  0x8000000000000000, 1, 63
    TEST_RR 34, sll,  0x0000000000000002, 1, 65
    TEST_RR 35, srl,  0x0000000000000001, 0x8000000000000000, 63
    TEST_RR 36, sra,  0xffffffffffffffff, 0x8000000000000000, 63
    TEST_RR 37, sra,  0xffffffffc0000000, 0x8000000000000000, 33
    TEST_RR 38, srl,  0x0000000040000000, 0x8000000000000000, 0x7fffffe1
    TEST_RI 39, slli, 0xfffffffe00000000, 0xffffffff, 33
    TEST_RI 40, srli, 0x0000000000ffffff, -1, 40
    TEST_RI 41, srai, 0xfffffffffff00000, 0x8000000000000000, 43
    TEST_RI 42, srai, 0x000000000000007f, 0x7fffffffffffffff, 56
    /* W shifts: 5-bit amount, 32-bit result sign-extended */
    TEST_RR 43, sllw, 0xffffffff80000000, 1, 31
    TEST_RR 44, sllw, 0x0000000000000002, 1, 33
    TEST_RR 45, srlw, 0x0000000000000001, 0x80000000, 31
    TEST_RR 46, srlw, 0xffffffff80000000, 0xffffffff80000000, 0
    TEST_RR 47, srlw, 0x000000007fffffff, 0xffffffffffffffff, 1
    TEST_RR 48, sraw, 0xffffffffffffffff, 0x80000000, 31
    TEST_RR 49, sraw, 0x0000000000000001, 0xffffffff00000003, 1
    TEST_RI 50, slliw, 0xffffffff80000000, 0x1, 31
    TEST_RI 51, srliw, 0x0000000000000001, 0xffffffff80000000, 31
    TEST_RI 52, sraiw, 0xffffffffff800000, 0x80000000, 8
    TEST_RI 53, sraiw, 0x0000000000000000, 0x1234567800000000, 31
    /* x0 is hard-wired to zero */
    li      t1, 5
    add     x0, t1, t1
    mv      t0, x0
    EXPECT  54, 0, "write x0"
    /* lui / auipc */
    lui     t0, 0x80000
    EXPECT  55, 0xffffffff80000000, "lui 0x80000 sign-extends"
    lui     t0, 0x7ffff
    EXPECT  56, 0x000000007ffff000, "lui 0x7ffff"
1:  auipc   t0, 0
    la      t1, 1b
    sub     t0, t0, t1
    EXPECT  57, 0, "auipc 0 = pc"
1:  auipc   t0, 0x1
    la      t1, 1b
    sub     t0, t0, t1
    EXPECT  58, 0x1000, "auipc 1"
    /* branches, signed and unsigned */
    TEST_BR 59, beq,  1, -1, -1
    TEST_BR 60, beq,  0, 0, 1
    TEST_BR 61, bne,  1, 0, 0x8000000000000000
    TEST_BR 62, bne,  0, 7, 7
    TEST_BR 63, blt,  1, -1, 0
    TEST_BR 64, blt,  0, 0, -1
    TEST_BR 65, blt,  0, 3, 3
    TEST_BR 66, bge,  1, 3, 3
    TEST_BR 67, bge,  1, 0, 0x8000000000000000
    TEST_BR 68, bge,  0, 0x8000000000000000, 0
    TEST_BR 69, bltu, 0, -1, 0
    TEST_BR 70, bltu, 1, 0, -1
    TEST_BR 71, bgeu, 1, -1, 0
    TEST_BR 72, bgeu, 0, 0x7fffffffffffffff, 0x8000000000000000
    TEST_BR 73, bgeu, 1, 5, 5
    /* backwards branch loop */
    li      t0, 0
    li      t1, 10
1:  addi    t0, t0, 3
    addi    t1, t1, -1
    bnez    t1, 1b
    EXPECT  74, 30, "backward bne loop"
    /* jal: link = pc + 4, target reached */
    li      t0, 0
1:  jal     t2, 2f
    li      t0, 1                       /* skipped */
2:  la      t1, 1b
    addi    t1, t1, 4
    sub     t0, t2, t1
    EXPECT  75, 0, "jal link"
    /* jalr: offset added, bit 0 cleared, link = pc + 4 */
    la      t1, 3f
    addi    t1, t1, -3                  /* odd base: +4 offset, low bit cleared */
    li      t0, 0
1:  jalr    t2, 4(t1)
    li      t0, 1                       /* skipped */
    nop
3:  nop
    nop
    la      t1, 1b
    addi    t1, t1, 4
    sub     t0, t2, t1
    EXPECT  76, 0, "jalr link and lsb clear"
    /* jalr with rd == rs1 uses the old value */
    la      t0, 4f
    jalr    t0, 0(t0)
5:  li      t0, 0
4:  la      t1, 5b
    sub     t0, t0, t1
    EXPECT  77, 0, "jalr rd == rs1"
    /* loads and stores: widths, sign and zero extension */
    la      t4, scratch
    li      t1, 0x8182838485868788
    sd      t1, 0(t4)
    lb      t0, 0(t4)
    EXPECT  78, 0xffffffffffffff88, "lb sign-extends"
    lbu     t0, 7(t4)
    EXPECT  79, 0x81, "lbu"
    lh      t0, 6(t4)
    EXPECT  80, 0xffffffffffff8182, "lh sign-extends"
    lhu     t0, 2(t4)
    EXPECT  81, 0x8586, "lhu"
    lw      t0, 4(t4)
    EXPECT  82, 0xffffffff81828384, "lw sign-extends"
    lwu     t0, 4(t4)
    EXPECT  83, 0x81828384, "lwu"
    ld      t0, 0(t4)
    EXPECT  84, 0x8182838485868788, "ld"
    li      t1, 0x1122334455667799
    sb      t1, 1(t4)
    sh      t1, 2(t4)
    sw      t1, 4(t4)
    ld      t0, 0(t4)
    EXPECT  85, 0x5566779977999988, "sb/sh/sw"
    li      t1, 0x0123456789abcdef
    sd      t1, 16(t4)
    ld      t0, -8+24(t4)
    EXPECT  86, 0x0123456789abcdef, "sd/ld offset"
    addi    t5, t4, 2047
    sd      t1, -2047+8(t5)
    ld      t0, 8(t4)
    EXPECT  87, 0x0123456789abcdef, "negative store offset"
END_TESTS

    .bss
    .balign 16
scratch: .space 4096
