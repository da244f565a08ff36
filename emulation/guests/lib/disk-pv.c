/* lib/disk.h over the Xen PV block front end (xen-blkfront.c): the same disk-io loop measures PV. */
#include "disk.h"
#include "xen-blkfront.h"

const char disk_name[] = "xen-blkfront";
static struct blkfront bf;
static int connected;
static uint64_t hypercalls_at_open;

int disk_open(int interrupts)
{
    if (!connected)
    {
        const int rc = blkfront_connect(&bf);
        if (rc)
            return rc;
        connected = 1;
    }
    blkfront_set_interrupts(&bf, interrupts);
    hypercalls_at_open = xen_hypercalls;
    return 0;
}

uint64_t disk_sectors(void) { return bf.sectors; }

int disk_read4k(uint64_t sector, void *buf) { return blkfront_io(&bf, 0, sector, buf, 8); }

int disk_write4k(uint64_t sector, const void *buf) { return blkfront_io(&bf, 1, sector, (void *)buf, 8); }

int disk_flush(void) { return blkfront_flush(&bf); }

uint64_t disk_interrupts(void) { return bf.wakeups; }

/* Granted once, read and written in place by the back end: no copy through blkfront's pool. */
void disk_use_buffer(void *page)
{
    for (int i = 0; i < bf.registered; i++)
        if (bf.registered_page[i] == (uintptr_t)page)
            return;
    blkfront_register(&bf, page);
}

/* The driver's exits are its hypercalls. */
uint64_t disk_exits(void) { return xen_hypercalls - hypercalls_at_open; }

uint32_t disk_depth(void) { return BLKIF_RING_SLOTS < DISK_MAX_DEPTH ? BLKIF_RING_SLOTS : DISK_MAX_DEPTH; }

int disk_submit(uint32_t tag, int write, uint64_t sector, void *buf)
{
    return blkfront_submit(&bf, write, sector, buf, tag);
}

int disk_reap(uint32_t *tag, int *status)
{
    uint64_t id;
    if (!blkfront_reap(&bf, &id, status))
        return 0;
    *tag = (uint32_t)id;
    return 1;
}
