/* Default trap handlers for bare guests: any trap nobody expected fails the run. */
#include "guest.h"

static void unexpected(const char *mode, uint64_t cause, uint64_t epc, uint64_t tval, int code)
{
    print(test_name); print(": unexpected "); print(mode); print(" trap cause ");
    print_hex(cause); print(" epc "); print_hex(epc); print(" tval "); print_hex(tval);
    console_putc('\n');
    guest_exit(code);
}

__attribute__((weak)) void m_trap(struct frame *f)
{
    (void)f;
    unexpected("M", csr_read(mcause), csr_read(mepc), csr_read(mtval), 99);
}

__attribute__((weak)) void s_trap(struct frame *f)
{
    (void)f;
    unexpected("S", csr_read(scause), csr_read(sepc), csr_read(stval), 98);
}

__attribute__((weak)) const char test_name[] = "guest";
