/* Bare guests: ns16550a UART polled output, sifive_test finisher exit. */
#include "guest.h"

#define UART_THR 0
#define UART_LSR 5
#define LSR_THRE 0x20

void console_putc(char c)
{
    volatile uint8_t *uart = (volatile uint8_t *)UART0;
    while (!(uart[UART_LSR] & LSR_THRE))
        ;
    uart[UART_THR] = (uint8_t)c;
}

void guest_exit(int code)
{
    mmio_write32(FINISHER, code == 0 ? 0x5555 : 0x3333 | ((uint32_t)code << 16));
    for (;;)
        __asm__ volatile ("wfi");
}

void pmp_open_all(void)
{
    /* entry 0: NAPOT over the whole address space, R/W/X for S and U */
    csr_write(pmpaddr0, -1L);
    csr_write(pmpcfg0, 0x1f);
}
