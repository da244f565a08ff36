/* Macros for the assembly ISA tests. Each check loads its number into gp and the
 * address of its name into a1, computes into t0 and compares against t3; a mismatch
 * branches to `fail`, which calls test_fail(gp, a1). run_tests returns 0 on pass.
 * main() lives in common/asmtest-main.c. */
.macro CHECK_NAME text
    .pushsection .rodata.names, "a"
9:  .asciz "\text"
    .popsection
    la      a1, 9b
.endm

.macro BEGIN_TESTS name
    .section .rodata
    .globl test_name
test_name: .asciz "\name"
    .text
    .globl run_tests
run_tests:
    addi    sp, sp, -16
    sd      ra, 0(sp)
.endm

.macro END_TESTS
    li      a0, 0
    ld      ra, 0(sp)
    addi    sp, sp, 16
    ret
fail:
    mv      a0, gp
    call    test_fail
.endm

/* t0 must equal exp */
.macro EXPECT num, exp, text
    li      gp, \num
    CHECK_NAME "\text"
    li      t3, \exp
    bne     t0, t3, fail
.endm

/* register-register op */
.macro TEST_RR num, op, exp, a, b
    li      t1, \a
    li      t2, \b
    \op     t0, t1, t2
    EXPECT  \num, \exp, "\op \a, \b"
.endm

/* register-immediate op */
.macro TEST_RI num, op, exp, a, imm
    li      t1, \a
    \op     t0, t1, \imm
    EXPECT  \num, \exp, "\op \a, \imm"
.endm

/* destination equals a source (rd == rs1 == rs2) */
.macro TEST_RR_SAME num, op, exp, a
    li      t0, \a
    \op     t0, t0, t0
    EXPECT  \num, \exp, "\op same \a"
.endm

/* branch: taken (1) or not (0) */
.macro TEST_BR num, op, taken, a, b
    li      t1, \a
    li      t2, \b
    li      t0, 1
    \op     t1, t2, 1f
    li      t0, 0
1:  EXPECT  \num, \taken, "\op \a, \b"
.endm
