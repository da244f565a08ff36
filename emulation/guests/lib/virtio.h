/* A small virtio-mmio (version 2) driver library for bare-metal javisor guests: device discovery on
 * QEMU virt's slots, a virtio-blk request queue and a virtio-net queue pair, each either polled or
 * driven by the device's used-buffer interrupt through the PLIC (plic.h). */
#ifndef VIRTIO_H
#define VIRTIO_H

#include <stdint.h>

#define VIRTIO_SLOT_BASE   0x10001000UL
#define VIRTIO_SLOT_STRIDE 0x1000UL
#define VIRTIO_SLOTS       8
#define VIRTIO_ID_NET      1
#define VIRTIO_ID_BLOCK    2

#define VIRTIO_BLK_T_IN     0
#define VIRTIO_BLK_T_OUT    1
#define VIRTIO_BLK_T_FLUSH  4
#define VIRTIO_BLK_T_GET_ID 8
#define VIRTIO_BLK_S_OK     0
#define VIRTIO_BLK_S_IOERR  1
#define VIRTIO_BLK_S_UNSUPP 2

/* Base of the first slot (QEMU plugs devices from the last slot down) holding a version-2 device
 * with this id, or 0. */
uintptr_t virtio_find(uint32_t device_id);
/* The same for the n-th such device (0 = the first found). */
uintptr_t virtio_find_nth(uint32_t device_id, int n);
/* The PLIC source of the device at `base`: 1 + its slot, on both boards. */
int virtio_irq(uintptr_t base);

/* A split virtqueue of `size` entries (at most VQ_MAX), laid out as the device expects
 * (descriptors 16-aligned). The rings are VQ_MAX long whatever the size: the device places each
 * ring's trailing event word after entry `size`, inside the array, where nothing reads it. */
#define VQ_MAX 128
#define VQ_NET_SIZE 8    /* each virtio-net queue; the receive buffers posted */
#define VBLK_QUEUE 128   /* the virtio-blk request queue */
#define VBLK_DEPTH 32    /* virtio-blk requests in flight at once: three descriptors each */
struct vq_desc { uint64_t addr; uint32_t len; uint16_t flags; uint16_t next; };
struct vq_used_elem { uint32_t id; uint32_t len; };
struct vq
{
    struct vq_desc desc[VQ_MAX];
    struct { uint16_t flags; uint16_t idx; uint16_t ring[VQ_MAX]; uint16_t used_event; } avail;
    struct { uint16_t flags; uint16_t idx; struct vq_used_elem ring[VQ_MAX]; uint16_t avail_event; } used;
    uint16_t last_used;
    uint16_t size;
} __attribute__((aligned(16)));

struct vblk
{
    uintptr_t base;
    uint64_t capacity; /* 512-byte sectors */
    uint32_t seg_max;
    uint32_t blk_size;
    int flush;           /* VIRTIO_BLK_F_FLUSH negotiated */
    int irq;             /* PLIC source, or 0 to poll the used ring */
    uint64_t interrupts; /* interrupts claimed for this device */
};

/* Reset, negotiate VERSION_1 (+ FLUSH, SEG_MAX, BLK_SIZE when offered), set up queue 0, DRIVER_OK.
 * With irq non-zero the queue asks for used-buffer interrupts and the PLIC source is enabled.
 * Returns 0, or a negative step number that failed. */
int vblk_init(struct vblk *blk, uintptr_t base, int irq);

/* One request to completion: header, data (len bytes, device-writable for IN and GET_ID), status.
 * Polled, the used ring is spun on; with an irq, each wait is one interrupt (WFI, claim, acknowledge,
 * complete) before the used ring is read. Returns the status byte, or -1 on timeout. */
int vblk_request(struct vblk *blk, uint32_t type, uint64_t sector, void *data, uint32_t len);

/* Queues one request (header, data, status) as request `tag` (< VBLK_DEPTH, not in flight) without
 * waiting: 0, or -1 for a bad tag. Shares the queue with vblk_request: do not mix them while
 * requests are in flight. */
int vblk_submit(struct vblk *blk, uint32_t tag, uint32_t type, uint64_t sector, void *data, uint32_t len);

/* Takes one completed request, never waiting: 1 with its tag and status byte, else 0. */
int vblk_reap(struct vblk *blk, uint32_t *tag, int *status);

/* virtio-net: queue 0 receive, 1 transmit; every buffer starts with the 12-byte virtio_net_hdr. */
#define VNET_HDR 12
#define VNET_BUF 1536
struct vnet
{
    uintptr_t base;
    uint8_t mac[6];
    int irq;             /* PLIC source for receive interrupts, or 0 when polled */
    uint64_t interrupts; /* interrupts claimed for this device */
    struct vq rx;
    struct vq tx;
    uint8_t rx_buf[VQ_NET_SIZE][VNET_BUF] __attribute__((aligned(16)));
    uint8_t tx_buf[VNET_BUF] __attribute__((aligned(16)));
};

/* Reset, negotiate VERSION_1 (+ MAC when offered), post every receive buffer, DRIVER_OK. With irq
 * non-zero the receive queue asks for used-buffer interrupts (transmit stays polled) and the PLIC
 * source is enabled. Returns 0, or a negative step number that failed. */
int vnet_init(struct vnet *net, uintptr_t base, int irq);

/* Send one frame (without FCS) and wait until the device has taken it. 0, or -1 on timeout. */
int vnet_send(struct vnet *net, const void *frame, uint32_t len);

/* Copy the next received frame (at most cap bytes) into buf and repost its buffer.
 * Returns its length, or 0 when nothing has arrived. */
uint32_t vnet_recv(struct vnet *net, void *buf, uint32_t cap);

/* Receive interrupts only: sleep until the device interrupts (1: claimed and acknowledged, frames
 * may be waiting) or time_now() reaches deadline (0). */
int vnet_wait(struct vnet *net, uint64_t deadline);

#endif
