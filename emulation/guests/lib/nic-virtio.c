#include "nic.h"
#include "virtio.h"
#include "guest.h"

const char nic_name[] = "virtio-net";
uint8_t nic_mac[6];
static struct vnet net;

int nic_open(void)
{
    const uintptr_t base = virtio_find(VIRTIO_ID_NET);
    if (base == 0)
    {
        return -10;
    }
    const int rc = vnet_init(&net, base, virtio_irq(base));
    memcpy(nic_mac, net.mac, 6);
    return rc;
}

int nic_send(const void *frame, uint32_t len) { return vnet_send(&net, frame, len); }

uint32_t nic_recv(void *buf) { return vnet_recv(&net, buf, NIC_MTU_FRAME); }

int nic_wait(uint64_t deadline) { return vnet_wait(&net, deadline); }

uint64_t nic_interrupts(void) { return net.interrupts; }
