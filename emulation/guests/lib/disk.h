/* One disk for the disk guests, chosen at build time: disk-ata.c or disk-virtio.c. */
#ifndef DISK_H
#define DISK_H

#include <stdint.h>

extern const char disk_name[];

/* Find and (re)start the device, polled (interrupts 0) or interrupt-driven. 0, or a negative step. */
int disk_open(int interrupts);
/* Capacity in 512-byte sectors. */
uint64_t disk_sectors(void);
/* Eight sectors (4 KiB) at `sector` into or from buf (8-byte aligned). 0, or non-zero on failure. */
int disk_read4k(uint64_t sector, void *buf);
int disk_write4k(uint64_t sector, const void *buf);
int disk_flush(void);
/* The one 4 KiB-aligned page every request of the caller uses: a driver that can map it once (PV:
 * a persistent grant, so that its requests need no bounce copy) does; the others ignore it. */
void disk_use_buffer(void *page);

/* Queued requests (the deep loop of disk-io): how many the driver can have in flight at once
 * (1 when it has no queue), and never more than DISK_MAX_DEPTH. */
#define DISK_MAX_DEPTH 32
uint32_t disk_depth(void);
/* Starts a 4 KiB request on `buf` (a page given to disk_use_buffer) as `tag` (< disk_depth(), not in
 * flight); polled only. 0, or non-zero when it could not be queued. */
int disk_submit(uint32_t tag, int write, uint64_t sector, void *buf);
/* Takes one completed request, never waiting: 1 with its tag and status (0 ok), else 0. */
int disk_reap(uint32_t *tag, int *status);
/* Interrupts the driver claimed since disk_open. */
uint64_t disk_interrupts(void);
/* Device register accesses the driver made since disk_open, or 0 when it does not count them. */
uint64_t disk_exits(void);

#endif
