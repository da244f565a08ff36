/* SBI guests: S-mode entry at 0x8020_0000 with a0 = hart id, a1 = DTB address. */
    .file "start-sbi.S"
    .section .text.start, "ax"
    .globl _start
_start:
    la      sp, __stack_top
    la      t0, __bss_start
    la      t1, __bss_end
1:  bgeu    t0, t1, 2f
    sd      zero, 0(t0)
    addi    t0, t0, 8
    j       1b
2:  call    main
    call    guest_exit
3:  wfi
    j       3b
