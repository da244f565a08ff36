/* One network interface for the net guests, chosen at build time: nic-virtio.c or nic-lan9118.c.
 * Receive is interrupt-driven: nic_recv takes what has arrived, and nic_wait sleeps (WFI) until the
 * NIC's receive interrupt or a deadline. Transmit waits for the device by polling. */
#ifndef NIC_H
#define NIC_H

#include <stdint.h>

#define NIC_MTU_FRAME 1514

extern const char nic_name[];
extern uint8_t nic_mac[6];

/* Find and start the device with its receive interrupt enabled. 0, or a negative step number. */
int nic_open(void);
/* One frame without FCS. 0, or -1. */
int nic_send(const void *frame, uint32_t len);
/* The next frame into buf (4-byte aligned, NIC_MTU_FRAME + 4 bytes), its length, or 0 if none. */
uint32_t nic_recv(void *buf);
/* After nic_recv found nothing: sleep until the receive interrupt (1) or until time_now() reaches
 * deadline (0). */
int nic_wait(uint64_t deadline);
/* Receive interrupts taken so far. */
uint64_t nic_interrupts(void);

#endif
