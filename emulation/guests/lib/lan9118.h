/* A small polled LAN9118 (SMSC 911x, 32-bit bus) driver for bare-metal javisor guests. */
#ifndef LAN9118_H
#define LAN9118_H

#include <stdint.h>

/* javisor's board: LAN9118 number i at LAN9118_BASE + 0x1000 * i, irq 12 + 2 * i. */
#define LAN9118_BASE 0x04010000UL

struct lan9118
{
    uintptr_t base;
    uint8_t mac[6];
    uint32_t tx_errors;
    uint32_t rx_errors;
};

/* Soft reset, read the MAC address from ADDRH/ADDRL, enable the transmitter and the receiver
 * (perfect filter on our address plus broadcast). Returns 0, or a negative step number. */
int lan9118_init(struct lan9118 *nic, uintptr_t base);

/* Send one frame (without FCS) through the TX FIFOs and wait for its status. 0, or -1. */
int lan9118_send(struct lan9118 *nic, const void *frame, uint32_t len);

/* Copy the next received frame (without FCS, at most cap bytes) into buf, which must be
 * 4-byte aligned with room for cap rounded up to a word. Returns its length, or 0 when the RX
 * status FIFO is empty (frames with errors are skipped and counted). */
uint32_t lan9118_recv(struct lan9118 *nic, void *buf, uint32_t cap);

#endif
