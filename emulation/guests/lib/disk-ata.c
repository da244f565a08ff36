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
