/* PIO ATA driver: LBA48 READ/WRITE SECTORS EXT, FLUSH CACHE EXT, IDENTIFY. With an irq, each DRQ
 * block and each completion is awaited as the device's interrupt (WFI, then claimed and completed at
 * the PLIC in M-mode, no trap taken); otherwise the status register is polled. */
#include "ata.h"
#include "guest.h"
#include "plic.h"

#define REG_DATA 0
#define REG_ERROR 1
#define REG_COUNT 2
#define REG_LBA_LOW 3
#define REG_LBA_MID 4
#define REG_LBA_HIGH 5
#define REG_DEVICE 6
#define REG_STATUS 7
#define ST_BSY 0x80
#define ST_DRDY 0x40
#define ST_DF 0x20
#define ST_DRQ 0x08
#define ST_ERR 0x01

static uint8_t rd(struct ata *a, int reg)
{
    a->exits++;
    return *(volatile uint8_t *)(a->cmd + ((uintptr_t)reg << a->shift));
}

static void wr(struct ata *a, int reg, uint8_t v)
{
    a->exits++;
    *(volatile uint8_t *)(a->cmd + ((uintptr_t)reg << a->shift)) = v;
}

/* One DRQ block of 256 words through the data register. The port is a local volatile pointer and
 * the exit count is kept outside the loop: with the count updated in the loop (a plain field beside
 * the volatile store), GCC 12 -O2 rotated the loop and emitted the last word's store twice, a 257th
 * data write that a drive takes as the first word of the next sector. */
static void read_block(struct ata *a, uint16_t *p)
{
    volatile uint16_t *data = (volatile uint16_t *)a->cmd;
    for (int i = 0; i < 256; i++) p[i] = *data;
    a->exits += 256;
}

static void write_block(struct ata *a, const uint16_t *p)
{
    volatile uint16_t *data = (volatile uint16_t *)a->cmd;
    for (int i = 0; i < 256; i++) *data = p[i];
    a->exits += 256;
}

/* Wait for the device (its interrupt, or !BSY when polled), then return the status (reading it
 * acknowledges INTRQ). An interrupt is awaited in WFI (plic.h) for at most a second. */
static int wait_ready(struct ata *a, int expect_interrupt)
{
    if (a->irq && expect_interrupt) {
        timer_arm(time_now() + TICKS_PER_SECOND);
        for (;;) {
            if (!irq_wait()) return -1;
            int irq = plic_claim(PLIC_CTX_M);
            if (irq == 0) continue; /* another context took it, or the line fell again */
            uint8_t status = rd(a, REG_STATUS);
            plic_complete(PLIC_CTX_M, irq);
            if (irq == a->irq) {
                a->interrupts++;
                return status;
            }
        }
    }
    for (long spins = 0; spins < 10000000; spins++) {
        uint8_t status = rd(a, REG_STATUS);
        if (!(status & ST_BSY)) return status;
    }
    return -1;
}

static void task_file(struct ata *a, uint64_t lba, uint32_t count)
{
    wr(a, REG_COUNT, (uint8_t)(count >> 8));
    wr(a, REG_LBA_LOW, (uint8_t)(lba >> 24));
    wr(a, REG_LBA_MID, (uint8_t)(lba >> 32));
    wr(a, REG_LBA_HIGH, (uint8_t)(lba >> 40));
    wr(a, REG_COUNT, (uint8_t)count);
    wr(a, REG_LBA_LOW, (uint8_t)lba);
    wr(a, REG_LBA_MID, (uint8_t)(lba >> 8));
    wr(a, REG_LBA_HIGH, (uint8_t)(lba >> 16));
    wr(a, REG_DEVICE, 0x40);
}

static int failed(struct ata *a, int status)
{
    if (status < 0) return -1;
    if (status & (ST_ERR | ST_DF)) return rd(a, REG_ERROR) | 0x100;
    return 0;
}

int ata_init(struct ata *a, uintptr_t cmd, uintptr_t ctl, int shift, int irq)
{
    a->cmd = cmd; a->ctl = ctl; a->shift = shift; a->irq = irq; a->interrupts = 0; a->exits = 0;
    if (irq) plic_enable(PLIC_CTX_M, irq, 1);
    /* soft reset; afterwards INTRQ enabled, or masked by nIEN when polled */
    *(volatile uint8_t *)ctl = 0x04; a->exits++;
    *(volatile uint8_t *)ctl = irq ? 0x00 : 0x02; a->exits++;
    int status = wait_ready(a, 0);
    if (status < 0) return -1;
    wr(a, REG_DEVICE, 0x00);
    wr(a, REG_STATUS, 0xEC); /* IDENTIFY DEVICE */
    status = wait_ready(a, 1);
    if (failed(a, status) || !(status & ST_DRQ)) return failed(a, status) ? failed(a, status) : -1;
    uint16_t id[256];
    read_block(a, id);
    for (int i = 0; i < 20; i++) {
        a->model[2 * i] = (char)(id[27 + i] >> 8);
        a->model[2 * i + 1] = (char)(id[27 + i] & 0xFF);
    }
    a->model[40] = 0;
    for (int i = 39; i >= 0 && a->model[i] == ' '; i--) a->model[i] = 0;
    a->sectors = (uint64_t)id[100] | (uint64_t)id[101] << 16 | (uint64_t)id[102] << 32 | (uint64_t)id[103] << 48;
    return 0;
}

int ata_read(struct ata *a, uint64_t lba, uint32_t count, void *buf)
{
    uint16_t *p = buf;
    task_file(a, lba, count);
    wr(a, REG_STATUS, 0x24); /* READ SECTORS EXT */
    for (uint32_t s = 0; s < count; s++) {
        int status = wait_ready(a, 1);
        if (failed(a, status)) return failed(a, status);
        if (!(status & ST_DRQ)) return -1;
        read_block(a, p);
        p += 256;
    }
    return 0;
}

int ata_write(struct ata *a, uint64_t lba, uint32_t count, const void *buf)
{
    const uint16_t *p = buf;
    task_file(a, lba, count);
    wr(a, REG_STATUS, 0x34); /* WRITE SECTORS EXT */
    for (uint32_t s = 0; s < count; s++) {
        /* the first block comes without an interrupt, each later one after the previous block's */
        int status = wait_ready(a, s > 0);
        if (failed(a, status)) return failed(a, status);
        if (!(status & ST_DRQ)) return -1;
        write_block(a, p);
        p += 256;
    }
    return failed(a, wait_ready(a, 1));
}

int ata_flush(struct ata *a)
{
    wr(a, REG_STATUS, 0xEA); /* FLUSH CACHE EXT */
    return failed(a, wait_ready(a, 1));
}
