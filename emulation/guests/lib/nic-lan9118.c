#include "nic.h"
#include "lan9118.h"
#include "guest.h"

const char nic_name[] = "lan9118";
uint8_t nic_mac[6];
static struct lan9118 lan;

int nic_open(void)
{
    const int rc = lan9118_init(&lan, LAN9118_BASE, LAN9118_IRQ);
    memcpy(nic_mac, lan.mac, 6);
    return rc;
}

int nic_send(const void *frame, uint32_t len) { return lan9118_send(&lan, frame, len); }

uint32_t nic_recv(void *buf) { return lan9118_recv(&lan, buf, NIC_MTU_FRAME); }

int nic_wait(uint64_t deadline) { return lan9118_wait(&lan, deadline); }

uint64_t nic_interrupts(void) { return lan.interrupts; }
