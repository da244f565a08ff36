#include "disk.h"
#include "virtio.h"

const char disk_name[] = "virtio-blk";
static struct vblk blk;

int disk_open(int interrupts)
{
    const uintptr_t base = virtio_find(VIRTIO_ID_BLOCK);
    if (base == 0)
    {
        return -10;
    }
    return vblk_init(&blk, base, interrupts ? virtio_irq(base) : 0);
}

uint64_t disk_sectors(void) { return blk.capacity; }

int disk_read4k(uint64_t sector, void *buf) { return vblk_request(&blk, VIRTIO_BLK_T_IN, sector, buf, 4096); }

int disk_write4k(uint64_t sector, const void *buf)
{
    return vblk_request(&blk, VIRTIO_BLK_T_OUT, sector, (void *)buf, 4096);
}

int disk_flush(void) { return vblk_request(&blk, VIRTIO_BLK_T_FLUSH, 0, 0, 0); }

uint64_t disk_interrupts(void) { return blk.interrupts; }

uint64_t disk_exits(void) { return 0; }

void disk_use_buffer(void *page) { (void)page; /* the device writes the buffer itself */ }

uint32_t disk_depth(void) { return VBLK_DEPTH < DISK_MAX_DEPTH ? VBLK_DEPTH : DISK_MAX_DEPTH; }

int disk_submit(uint32_t tag, int write, uint64_t sector, void *buf)
{
    return vblk_submit(&blk, tag, write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN, sector, buf, 4096);
}

int disk_reap(uint32_t *tag, int *status) { return vblk_reap(&blk, tag, status); }
