/* mmio-exit (bare): the cost of one device-register exit. Reads the UART's line status register
 * READS times in a tight loop (each read traps into the device model), then prints what it saw.
 * The harness times the run against the same loop without the device read (LOOP_ONLY) to get the
 * nanoseconds one exit costs on each side (javisor's tiers, QEMU TCG). */
#include "guest.h"

#define UART_LSR ((volatile uint8_t *)(UART0 + 5))
#ifndef READS
#define READS 4000000L
#endif

int main(void)
{
    uint32_t seen = 0;
    for (long i = 0; i < READS; i++) {
#ifdef LOOP_ONLY
        __asm__ volatile ("" ::: "memory");
        seen |= 0x60;
#else
        seen |= *UART_LSR;
#endif
    }
    print("mmio-exit: ");
    print_dec(READS);
    print(" reads, status bits seen ");
    print_hex(seen & 0x60);
    println("");
    return 0;
}
