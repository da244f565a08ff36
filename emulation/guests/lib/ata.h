/* A small PIO ATA driver for javisor's emulated disk (ata-generic, reg-shift 2). */
#ifndef JAVISOR_ATA_H
#define JAVISOR_ATA_H

#include <stdint.h>

#define ATA0_CMD   0x04000000UL
#define ATA0_CTL   0x04000100UL
#define ATA0_IRQ   12

struct ata {
    uintptr_t cmd;      /* command block base */
    uintptr_t ctl;      /* control block base */
    int shift;          /* register stride 1 << shift */
    int irq;            /* PLIC source, or 0 to poll the status register only */
    uint64_t sectors;   /* from IDENTIFY */
    uint64_t interrupts;/* PLIC claims taken */
    uint64_t exits;     /* register accesses made (each one a trap on javisor) */
    char model[41];
};

/* 0 on success, else the error register (or -1 on a timeout). */
int ata_init(struct ata *a, uintptr_t cmd, uintptr_t ctl, int shift, int irq);
int ata_read(struct ata *a, uint64_t lba, uint32_t count, void *buf);
int ata_write(struct ata *a, uint64_t lba, uint32_t count, const void *buf);
int ata_flush(struct ata *a);

#endif
