/* lib/nic.h over the Xen PV network front end (xen-netfront.c): the net guests on PV. */
#include "nic.h"
#include "xen-netfront.h"
#include "guest.h"

const char nic_name[] = "xen-netfront";
uint8_t nic_mac[6];
static struct netfront nf;

int nic_open(void)
{
    const int rc = netfront_connect(&nf);
    if (rc)
        return rc;
    memcpy(nic_mac, nf.mac, 6);
    return 0;
}

int nic_send(const void *frame, uint32_t len) { return netfront_send(&nf, frame, len); }

uint32_t nic_recv(void *buf) { return netfront_recv(&nf, buf, NIC_MTU_FRAME + 4); }

int nic_wait(uint64_t deadline) { return netfront_wait(&nf, deadline); }

/* The waits the back end's event ended. */
uint64_t nic_interrupts(void) { return nf.events; }
