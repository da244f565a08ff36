/* isa-atomic (bare, M-mode): LR/SC success and failure, every AMO in .w and .d
 * form. Word AMOs act on the low word of a doubleword whose high word must not
 * change, and return the old word sign-extended. Check n tests the value returned
 * in rd, check 100+n the memory afterwards. */
    .file "isa-atomic.S"
#include "asmtest.h"

.macro TEST_AMO num, op, init, src, rd_exp, mem_exp
    la      t4, cell
    li      t1, \init
    sd      t1, 0(t4)
    li      t2, \src
    \op     t0, t2, (t4)
    EXPECT  \num, \rd_exp, "\op \init, \src: rd"
    ld      t0, 0(t4)
    EXPECT  100+\num, \mem_exp, "\op \init, \src: memory"
.endm

BEGIN_TESTS isa-atomic
    /* lr.w sign-extends; sc.w with the reservation succeeds (rd = 0) and stores */
    la      t4, cell
    li      t1, 0x1111111180000000
    sd      t1, 0(t4)
    lr.w    t0, (t4)
    EXPECT  1, 0xffffffff80000000, "lr.w sign-extends"
    li      t2, 0x12345678
    sc.w    t0, t2, (t4)
    EXPECT  2, 0, "sc.w after lr.w succeeds"
    ld      t0, 0(t4)
    EXPECT  3, 0x1111111112345678, "sc.w stored the word"
    /* a second sc.w has no reservation: fails (rd != 0), memory unchanged */
    li      t2, 0x55
    sc.w    t0, t2, (t4)
    snez    t0, t0
    EXPECT  4, 1, "sc.w without reservation fails"
    ld      t0, 0(t4)
    EXPECT  5, 0x1111111112345678, "failed sc.w stores nothing"
    /* lr.d / sc.d */
    li      t1, 0x8000000000000001
    sd      t1, 0(t4)
    lr.d    t0, (t4)
    EXPECT  6, 0x8000000000000001, "lr.d"
    li      t2, 0x0123456789abcdef
    sc.d    t0, t2, (t4)
    EXPECT  7, 0, "sc.d after lr.d succeeds"
    ld      t0, 0(t4)
    EXPECT  8, 0x0123456789abcdef, "sc.d stored"
    /* sc.d to another page than the reservation fails, and any sc ends the reservation */
    la      t5, far
    sd      zero, 0(t5)
    lr.d    t0, (t4)
    sc.d    t0, t2, (t5)
    snez    t0, t0
    EXPECT  9, 1, "sc.d to a different address fails"
    ld      t0, 0(t5)
    EXPECT  10, 0, "failed sc.d stores nothing"
    li      t2, 0x77
    sc.d    t0, t2, (t4)
    snez    t0, t0
    EXPECT  11, 1, "sc.d after a failed sc.d fails"
    ld      t0, 0(t4)
    EXPECT  12, 0x0123456789abcdef, "memory unchanged"
    /* lr/sc retry loop: atomic increment, 100 times */
    sd      zero, 0(t4)
    li      t6, 100
1:  lr.d.aq t1, (t4)
    addi    t1, t1, 1
    sc.d.rl t2, t1, (t4)
    bnez    t2, 1b
    addi    t6, t6, -1
    bnez    t6, 1b
    ld      t0, 0(t4)
    EXPECT  13, 100, "lr/sc increment loop"

    /* word AMOs */
    TEST_AMO 20, amoswap.w, 0xaaaaaaaa80000001, 0x7, 0xffffffff80000001, 0xaaaaaaaa00000007
    TEST_AMO 21, amoadd.w,  0xaaaaaaaa7fffffff, 0x1, 0x000000007fffffff, 0xaaaaaaaa80000000
    TEST_AMO 22, amoadd.w,  0xaaaaaaaaffffffff, 0x1, 0xffffffffffffffff, 0xaaaaaaaa00000000
    TEST_AMO 23, amoxor.w,  0xaaaaaaaaf0f0f0f0, 0xff, 0xfffffffff0f0f0f0, 0xaaaaaaaaf0f0f00f
    TEST_AMO 24, amoand.w,  0xaaaaaaaaf0f0f0f0, 0xffffffff0000ff00, 0xfffffffff0f0f0f0, 0xaaaaaaaa0000f000
    TEST_AMO 25, amoor.w,   0xaaaaaaaa00f00000, 0x1000000f, 0x0000000000f00000, 0xaaaaaaaa10f0000f
    TEST_AMO 26, amomin.w,  0xaaaaaaaa80000000, 0x1, 0xffffffff80000000, 0xaaaaaaaa80000000
    TEST_AMO 27, amomin.w,  0xaaaaaaaa00000005, 0xffffffff, 0x5, 0xaaaaaaaaffffffff
    TEST_AMO 28, amomax.w,  0xaaaaaaaaffffffff, 0x3, 0xffffffffffffffff, 0xaaaaaaaa00000003
    TEST_AMO 29, amomax.w,  0xaaaaaaaa00000003, 0x80000000, 0x3, 0xaaaaaaaa00000003
    TEST_AMO 30, amominu.w, 0xaaaaaaaa80000000, 0x1, 0xffffffff80000000, 0xaaaaaaaa00000001
    TEST_AMO 31, amominu.w, 0xaaaaaaaa00000002, 0x1ffffffff, 0x2, 0xaaaaaaaa00000002
    TEST_AMO 32, amomaxu.w, 0xaaaaaaaa00000001, 0xffffffff, 0x1, 0xaaaaaaaaffffffff
    TEST_AMO 33, amomaxu.w, 0xaaaaaaaa80000000, 0x7fffffff, 0xffffffff80000000, 0xaaaaaaaa80000000
    /* doubleword AMOs */
    TEST_AMO 40, amoswap.d, 0x8000000000000001, 0x7, 0x8000000000000001, 0x7
    TEST_AMO 41, amoadd.d,  0x7fffffffffffffff, 0x1, 0x7fffffffffffffff, 0x8000000000000000
    TEST_AMO 42, amoxor.d,  0xf0f0f0f0f0f0f0f0, -1, 0xf0f0f0f0f0f0f0f0, 0x0f0f0f0f0f0f0f0f
    TEST_AMO 43, amoand.d,  0xf0f0f0f0f0f0f0f0, 0xff00ff00ff00ff00, 0xf0f0f0f0f0f0f0f0, 0xf000f000f000f000
    TEST_AMO 44, amoor.d,   0x8000000000000000, 0x1, 0x8000000000000000, 0x8000000000000001
    TEST_AMO 45, amomin.d,  0x8000000000000000, 0x7fffffffffffffff, 0x8000000000000000, 0x8000000000000000
    TEST_AMO 46, amomin.d,  0x5, -1, 0x5, 0xffffffffffffffff
    TEST_AMO 47, amomax.d,  -1, 0x3, 0xffffffffffffffff, 0x3
    TEST_AMO 48, amominu.d, 0x8000000000000000, 0x1, 0x8000000000000000, 0x1
    TEST_AMO 49, amomaxu.d, 0x1, -1, 0x1, 0xffffffffffffffff
    TEST_AMO 50, amomaxu.d, 0x8000000000000000, 0x7fffffffffffffff, 0x8000000000000000, 0x8000000000000000
    /* rd = x0 and aq/rl variants */
    la      t4, cell
    li      t1, 40
    sd      t1, 0(t4)
    li      t2, 2
    amoadd.d.aqrl zero, t2, (t4)
    amoadd.w.aq   zero, t2, (t4)
    ld      t0, 0(t4)
    EXPECT  60, 44, "amoadd rd = x0, aq/rl"
END_TESTS

    .bss
    .balign 64
cell: .space 64
    .balign 4096
    .space 64
far: .space 64
