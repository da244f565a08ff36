/* pv-ata-disk (javisor only, PV-on-HVM): one image behind two paths of one HVM guest, the emulated
 * ATA disk (hda, lib/ata.c polled) and the PV disk (xvda, blkfront). What blkfront writes, ATA reads
 * back; what ATA writes, blkfront reads back; each after a flush of the writer. */
#include "guest.h"
#include "ata.h"
#include "xen-blkfront.h"

#define BLOCKS 16

static uint8_t buf[4096] __attribute__((aligned(8)));
static struct blkfront bf;
static struct ata ata;

static uint8_t pattern(uint32_t block, uint32_t i, uint32_t salt)
{
    return (uint8_t)(block * 29 + i * 13 + salt);
}

static void fill(uint32_t block, uint32_t salt)
{
    for (uint32_t i = 0; i < 4096; i++)
        buf[i] = pattern(block, i, salt);
}

static int same(uint32_t block, uint32_t salt)
{
    for (uint32_t i = 0; i < 4096; i++)
        if (buf[i] != pattern(block, i, salt))
            return 0;
    return 1;
}

int main(void)
{
    check(1, blkfront_connect(&bf) == 0, "blkfront connects");
    check(2, ata_init(&ata, ATA0_CMD, ATA0_CTL, 2, 0) == 0, "the ATA disk answers IDENTIFY");
    check(3, ata.sectors == bf.sectors, "both see the same image");
    println("pv-ata-disk: one image as hda and xvda");

    for (uint32_t b = 0; b < BLOCKS; b++)
    {
        fill(b, 1);
        check(4, blkfront_io(&bf, 1, b * 8, buf, 8) == 0, "blkfront write");
    }
    check(5, blkfront_flush(&bf) == 0, "blkfront flush");
    for (uint32_t b = 0; b < BLOCKS; b++)
    {
        memset(buf, 0, sizeof buf);
        check(6, ata_read(&ata, b * 8, 8, buf) == 0 && same(b, 1), "ATA reads what blkfront wrote");
    }
    println("pv-ata-disk: written through blkfront, read back through ATA");

    for (uint32_t b = 0; b < BLOCKS; b++)
    {
        fill(BLOCKS + b, 2);
        check(7, ata_write(&ata, (BLOCKS + b) * 8, 8, buf) == 0, "ATA write");
    }
    check(8, ata_flush(&ata) == 0, "ATA flush");
    for (uint32_t b = 0; b < BLOCKS; b++)
    {
        memset(buf, 0, sizeof buf);
        check(9, blkfront_io(&bf, 0, (BLOCKS + b) * 8, buf, 8) == 0 && same(BLOCKS + b, 2), "blkfront reads what ATA wrote");
    }
    println("pv-ata-disk: written through ATA, read back through blkfront");
    println("pv-ata-disk: pass");
    return 0;
}
