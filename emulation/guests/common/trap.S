/* Trap entry for bare guests: M-mode and S-mode entries that save x1..x31 in a
 * struct frame on the current stack and call m_trap()/s_trap(); a vectored-mode
 * table for M; and run_in_mode(), which drops to S or U and comes back when the
 * lower-mode code ecalls with a7 = RUN_MAGIC. */
    .file "trap.S"
#define RUN_MAGIC 0x4a565254
#define FRAME 256

.macro SAVE_ALL
    addi    sp, sp, -FRAME
    .irp r, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    sd      x\r, (\r * 8)(sp)
    .endr
    addi    t0, sp, FRAME
    sd      t0, 16(sp)              /* x2 = sp before the trap */
.endm

.macro RESTORE_ALL
    .irp r, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    ld      x\r, (\r * 8)(sp)
    .endr
    addi    sp, sp, FRAME
.endm

    .text
    .balign 4
    .globl trap_entry_m
trap_entry_m:
    csrw    mscratch, t0
    li      t0, RUN_MAGIC
    bne     a7, t0, 1f
    csrr    t0, mcause              /* ecall from U (8), S (9) or M (11) with the magic */
    addi    t0, t0, -8
    beqz    t0, mode_return
    addi    t0, t0, -1
    beqz    t0, mode_return
1:
trap_save_m:
    csrr    t0, mscratch
    SAVE_ALL
    mv      a0, sp
    call    m_trap
    RESTORE_ALL
    mret

mode_return:                        /* back in M: unwind to run_in_mode's caller, a0 = result */
    la      t0, run_saved_sp
    ld      sp, 0(t0)
    ld      ra, 0(sp)
    .irp i, 0,1,2,3,4,5,6,7,8,9,10,11
    ld      s\i, (8 + \i * 8)(sp)
    .endr
    addi    sp, sp, 112
    ret

    .balign 4
    .globl trap_entry_s
trap_entry_s:
    csrw    sscratch, t0
    li      t0, RUN_MAGIC
    bne     a7, t0, 1f
    csrr    t0, scause
    addi    t0, t0, -8
    bnez    t0, 1f
    ecall                           /* delegated U ecall with the magic: pass it on to M */
1:  csrr    t0, sscratch
    SAVE_ALL
    mv      a0, sp
    call    s_trap
    RESTORE_ALL
    sret

    /* run_in_mode(mode a0: 0 = U, 1 = S, fn a1, arg a2) */
    .globl run_in_mode
run_in_mode:
    addi    sp, sp, -112
    sd      ra, 0(sp)
    .irp i, 0,1,2,3,4,5,6,7,8,9,10,11
    sd      s\i, (8 + \i * 8)(sp)
    .endr
    la      t0, run_saved_sp
    sd      sp, 0(t0)
    li      t0, 3 << 11
    csrc    mstatus, t0
    slli    t1, a0, 11
    csrs    mstatus, t1
    csrw    mepc, a1
    mv      a0, a2
    la      ra, run_return
    mret
    .globl run_return
run_return:
    li      a7, RUN_MAGIC
    ecall
1:  j       1b

    /* vectored M table: slot 0 takes exceptions, slot N interrupt cause N */
    .balign 256
    .globl trap_vector_m
trap_vector_m:
    .option push
    .option norvc                   /* every slot is one 4-byte jump */
    j       trap_entry_m
    .irp n, 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
    j       vec_slot_\n
    .endr
    .option pop
    .irp n, 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
vec_slot_\n:
    csrw    mscratch, t0
    li      t0, \n
    j       vec_common
    .endr
vec_common:
    csrw    sscratch, t1
    la      t1, trap_vector_slot
    sd      t0, 0(t1)
    csrr    t1, sscratch
    j       trap_save_m

    .bss
    .balign 8
run_saved_sp:
    .dword 0
    .globl trap_vector_slot
trap_vector_slot:
    .dword 0
