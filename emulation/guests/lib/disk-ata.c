#include "disk.h"
#include "ata.h"

const char disk_name[] = "ata";
static struct ata ata;

int disk_open(int interrupts) { return ata_init(&ata, ATA0_CMD, ATA0_CTL, 2, interrupts ? ATA0_IRQ : 0); }

uint64_t disk_sectors(void) { return ata.sectors; }

int disk_read4k(uint64_t sector, void *buf) { return ata_read(&ata, sector, 8, buf); }

int disk_write4k(uint64_t sector, const void *buf) { return ata_write(&ata, sector, 8, buf); }

int disk_flush(void) { return ata_flush(&ata); }

uint64_t disk_interrupts(void) { return ata.interrupts; }

uint64_t disk_exits(void) { return ata.exits; }

void disk_use_buffer(void *page) { (void)page; /* PIO copies every word anyway */ }

/* No queue: a request runs to its end when submitted, and its completion waits to be reaped. */
static int held;
static uint32_t held_tag;
static int held_status;

uint32_t disk_depth(void) { return 1; }

int disk_submit(uint32_t tag, int write, uint64_t sector, void *buf)
{
    if (held)
        return -1;
    held_status = write ? ata_write(&ata, sector, 8, buf) : ata_read(&ata, sector, 8, buf);
    held_tag = tag;
    held = 1;
    return 0;
}

int disk_reap(uint32_t *tag, int *status)
{
    if (!held)
        return 0;
    held = 0;
    *tag = held_tag;
    *status = held_status;
    return 1;
}
