/* A small polled virtio-mmio (version 2) driver library for bare-metal javisor guests:
 * device discovery on QEMU virt's slots and a virtio-blk request queue. */
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

struct vblk
{
    uintptr_t base;
    uint64_t capacity; /* 512-byte sectors */
    uint32_t seg_max;
    uint32_t blk_size;
    int flush;         /* VIRTIO_BLK_F_FLUSH negotiated */
    uint16_t last_used;
};

/* Reset, negotiate VERSION_1 (+ FLUSH, SEG_MAX, BLK_SIZE when offered), set up queue 0, DRIVER_OK.
 * Returns 0, or a negative step number that failed. */
int vblk_init(struct vblk *blk, uintptr_t base);

/* One request, polled to completion: header, data (len bytes, device-writable for IN and GET_ID),
 * status. Returns the status byte, or -1 on timeout. */
int vblk_request(struct vblk *blk, uint32_t type, uint64_t sector, void *data, uint32_t len);

#endif
