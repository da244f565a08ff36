/* One network interface for the net guests, chosen at build time: nic-virtio.c or nic-lan9118.c. */
#ifndef NIC_H
#define NIC_H

#include <stdint.h>

#define NIC_MTU_FRAME 1514

extern const char nic_name[];
extern uint8_t nic_mac[6];

/* Find and start the device. 0, or a negative step number. */
int nic_open(void);
/* One frame without FCS. 0, or -1. */
int nic_send(const void *frame, uint32_t len);
/* The next frame into buf (4-byte aligned, NIC_MTU_FRAME + 4 bytes), its length, or 0 if none. */
uint32_t nic_recv(void *buf);

#endif
