/* A small LAN9118 (SMSC 911x, 32-bit bus) driver for bare-metal javisor guests: transmit polled,
 * receive polled or driven by the RX status FIFO level interrupt (RSFL) through the PLIC. */
#ifndef LAN9118_H
#define LAN9118_H

#include <stdint.h>

/* javisor's board: LAN9118 number i at LAN9118_BASE + 0x1000 * i, PLIC source 13 + 2 * i. */
#define LAN9118_BASE 0x04010000UL
#define LAN9118_IRQ 13

struct lan9118
{
    uintptr_t base;
    uint8_t mac[6];
    uint32_t tx_errors;
    uint32_t rx_errors;
    int irq;             /* PLIC source for receive interrupts, or 0 when polled */
    uint64_t interrupts; /* receive interrupts claimed */
};

/* Soft reset, read the MAC address from ADDRH/ADDRL, enable the transmitter and the receiver
 * (perfect filter on our address plus broadcast). With irq non-zero, RSFL at a level of one status
 * entry drives the IRQ line (active high, push-pull) and the PLIC source is enabled.
 * Returns 0, or a negative step number. */
int lan9118_init(struct lan9118 *nic, uintptr_t base, int irq);

/* Send one frame (without FCS) through the TX FIFOs and wait for its status. 0, or -1. */
int lan9118_send(struct lan9118 *nic, const void *frame, uint32_t len);

/* Copy the next received frame (without FCS, at most cap bytes) into buf, which must be
 * 4-byte aligned with room for cap rounded up to a word. Returns its length, or 0 when the RX
 * status FIFO is empty (frames with errors are skipped and counted). */
uint32_t lan9118_recv(struct lan9118 *nic, void *buf, uint32_t cap);

/* Receive interrupts only, after lan9118_recv returned 0 (which acknowledged RSFL): sleep until the
 * line rises (1: claimed and completed, frames are waiting) or time_now() reaches deadline (0). */
int lan9118_wait(struct lan9118 *nic, uint64_t deadline);

#endif
