/* isa-compressed (bare, M-mode): RV64C instructions, written as explicit c.* mnemonics. */
    .file "isa-compressed.S"
#include "asmtest.h"

    .option rvc
BEGIN_TESTS isa-compressed
    addi    sp, sp, -16
    sd      s0, 0(sp)
    sd      s1, 8(sp)
    /* CI: c.li, c.lui, c.addi, c.addiw */
    c.li    a0, -32
    c.mv    t0, a0
    EXPECT  1, 0xffffffffffffffe0, "c.li -32"
    c.li    a0, 31
    c.mv    t0, a0
    EXPECT  2, 31, "c.li 31"
    c.lui   a0, 0x1f
    c.mv    t0, a0
    EXPECT  3, 0x1f000, "c.lui 0x1f"
    c.lui   a0, 0xfffe0
    c.mv    t0, a0
    EXPECT  4, 0xfffffffffffe0000, "c.lui negative"
    c.li    a0, 0
    c.addi  a0, -1
    c.mv    t0, a0
    EXPECT  5, -1, "c.addi -1"
    li      a0, 0x7fffffff
    c.addiw a0, 1
    c.mv    t0, a0
    EXPECT  6, 0xffffffff80000000, "c.addiw overflow"
    li      a0, 0x1234567880000000
    c.addiw a0, 0
    c.mv    t0, a0
    EXPECT  7, 0xffffffff80000000, "c.addiw 0 (sext.w)"
    /* c.addi16sp, c.addi4spn */
    mv      s1, sp
    c.addi16sp sp, -64
    sub     t0, s1, sp
    EXPECT  8, 64, "c.addi16sp -64"
    c.addi4spn a0, sp, 16
    mv      a2, sp
    c.sub   a0, a2
    c.mv    t0, a0
    EXPECT  9, 16, "c.addi4spn 16"
    /* stack-pointer relative loads and stores */
    li      a3, 0x8000000012345678
    c.sdsp  a3, 8(sp)
    c.ldsp  t0, 8(sp)
    EXPECT  10, 0x8000000012345678, "c.sdsp/c.ldsp"
    li      a3, 0x80000001
    c.swsp  a3, 20(sp)
    c.lwsp  t0, 20(sp)
    EXPECT  11, 0xffffffff80000001, "c.swsp/c.lwsp sign-extends"
    c.addi16sp sp, 64
    sub     t0, s1, sp
    EXPECT  12, 0, "c.addi16sp 64"
    /* register-based loads and stores */
    la      s0, scratch
    li      a4, 0xfedcba9876543210
    c.sd    a4, 8(s0)
    c.ld    a5, 8(s0)
    c.mv    t0, a5
    EXPECT  13, 0xfedcba9876543210, "c.sd/c.ld"
    c.lw    a5, 12(s0)
    c.mv    t0, a5
    EXPECT  14, 0xfffffffffedcba98, "c.lw sign-extends"
    li      a4, 0x7f
    c.sw    a4, 124(s0)
    ld      t0, 120(s0)
    EXPECT  15, 0x0000007f00000000, "c.sw 124"
    /* shifts and andi */
    c.li    a0, 1
    c.slli  a0, 63
    c.mv    t0, a0
    EXPECT  16, 0x8000000000000000, "c.slli 63"
    c.srai  a0, 4
    c.mv    t0, a0
    EXPECT  17, 0xf800000000000000, "c.srai 4"
    c.srli  a0, 59
    c.mv    t0, a0
    EXPECT  18, 0x1f, "c.srli 59"
    li      a0, 0xff
    c.andi  a0, -16
    c.mv    t0, a0
    EXPECT  19, 0xf0, "c.andi -16"
    /* CA/CR arithmetic */
    li      a0, 0xff00ff00
    li      a2, 0x0ff00ff0
    c.mv    a3, a0
    c.and   a3, a2
    c.mv    t0, a3
    EXPECT  20, 0x0f000f00, "c.and"
    c.mv    a3, a0
    c.or    a3, a2
    c.mv    t0, a3
    EXPECT  21, 0xfff0fff0, "c.or"
    c.mv    a3, a0
    c.xor   a3, a2
    c.mv    t0, a3
    EXPECT  22, 0xf0f0f0f0, "c.xor"
    c.mv    a3, a2
    c.sub   a3, a0
    c.mv    t0, a3
    EXPECT  23, 0xffffffff10ef10f0, "c.sub"
    c.mv    a3, a0
    c.add   a3, a2
    c.mv    t0, a3
    EXPECT  24, 0x10ef10ef0, "c.add"
    li      a3, 0x7fffffff
    c.li    a4, 1
    c.addw  a3, a4
    c.mv    t0, a3
    EXPECT  25, 0xffffffff80000000, "c.addw overflow"
    li      a3, 0x80000000
    c.subw  a3, a4
    c.mv    t0, a3
    EXPECT  26, 0x7fffffff, "c.subw"
    c.li    a3, 0
    c.subw  a3, a4
    c.mv    t0, a3
    EXPECT  27, -1, "c.subw 0 - 1"
    /* control flow */
    c.li    a0, 0
    c.j     1f
    c.li    a0, 1
1:  c.mv    t0, a0
    EXPECT  28, 0, "c.j"
    c.li    a0, 0
    c.li    a2, 5
    c.beqz  a2, 1f
    c.li    a0, 1
1:  c.bnez  a2, 2f
    c.li    a0, 2
2:  c.mv    t0, a0
    EXPECT  29, 1, "c.beqz/c.bnez"
    c.li    a0, 0
1:  c.addi  a0, 1
    c.addi  a2, -1
    c.bnez  a2, 1b
    c.mv    t0, a0
    EXPECT  30, 5, "c.bnez backwards"
    la      t1, 1f
    c.li    a0, 0
    c.jr    t1
    c.li    a0, 1
1:  c.mv    t0, a0
    EXPECT  31, 0, "c.jr"
    la      t1, 2f
    c.jalr  t1
1:  c.nop
2:  la      t0, 1b
    sub     t0, ra, t0
    EXPECT  32, 0, "c.jalr link = pc + 2"
    ld      s0, 0(sp)
    ld      s1, 8(sp)
    addi    sp, sp, 16
END_TESTS

    .bss
    .balign 16
scratch: .space 256
