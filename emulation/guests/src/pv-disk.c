/* pv-disk (javisor only, PV domain or PV-on-HVM): the PV block front end end to end. Connects to the
 * first vbd through xenstore, writes 64 blocks of 4 KiB one request each and 128 KiB in one
 * request (indirect when the back end offers it), flushes, reads everything back and compares. The
 * host reads the same image afterwards: block b, byte i holds (b * 131 + i * 7 + (i >> 8)) & 0xFF. */
#include "guest.h"
#include "xen-blkfront.h"
#include "xen-events.h"

#define BLOCKS 64
#define LARGE_SECTOR 1024
#define LARGE_BLOCKS 32

static uint8_t buf[LARGE_BLOCKS * 4096] __attribute__((aligned(8)));
static struct blkfront bf;

static uint8_t pattern(uint32_t block, uint32_t i)
{
    return (uint8_t)(block * 131 + i * 7 + (i >> 8));
}

static void fill(uint8_t *to, uint32_t first_block, uint32_t blocks)
{
    for (uint32_t b = 0; b < blocks; b++)
        for (uint32_t i = 0; i < 4096; i++)
            to[b * 4096 + i] = pattern(first_block + b, i);
}

static int same(const uint8_t *data, uint32_t first_block, uint32_t blocks)
{
    for (uint32_t b = 0; b < blocks; b++)
        for (uint32_t i = 0; i < 4096; i++)
            if (data[b * 4096 + i] != pattern(first_block + b, i))
                return 0;
    return 1;
}

static void fail(const char *what)
{
    print("pv-disk: FAIL ");
    println(what);
    guest_exit(1);
}

int main(void)
{
    const int rc = blkfront_connect(&bf);
    if (rc)
    {
        print("pv-disk: no disk, error ");
        print_dec((uint64_t)-rc);
        println("");
        return 1;
    }
    print("pv-disk: connected to ");
    print(bf.dev.backend);
    print(", ");
    print_dec(bf.sectors);
    print(" sectors, persistent ");
    print_dec((uint64_t)bf.persistent);
    print(", indirect segments ");
    print_dec((uint64_t)bf.max_indirect);
    print(", flush ");
    print_dec((uint64_t)bf.flush);
    println("");
    if (bf.sectors < LARGE_SECTOR + LARGE_BLOCKS * 8)
        fail("disk too small");

    blkfront_set_interrupts(&bf, 0);
    for (uint32_t b = 0; b < BLOCKS; b++)
    {
        fill(buf, b, 1);
        if (blkfront_io(&bf, 1, b * 8, buf, 8))
            fail("write");
    }
    println("pv-disk: wrote 64 blocks of 4 KiB, polled");
    blkfront_set_interrupts(&bf, 1);
    fill(buf, LARGE_SECTOR / 8, LARGE_BLOCKS);
    const uint64_t indirect_before = bf.indirect_requests;
    if (blkfront_io(&bf, 1, LARGE_SECTOR, buf, LARGE_BLOCKS * 8))
        fail("large write");
    print("pv-disk: wrote 128 KiB in ");
    println(bf.indirect_requests > indirect_before ? "one indirect request" : "direct requests");
    if (blkfront_flush(&bf))
        fail("flush");
    println("pv-disk: flushed");

    for (uint32_t b = 0; b < BLOCKS; b++)
    {
        if (blkfront_io(&bf, 0, b * 8, buf, 8) || !same(buf, b, 1))
            fail("read back");
    }
    println("pv-disk: read back 64 blocks, interrupt-driven");
    memset(buf, 0, sizeof buf);
    if (blkfront_io(&bf, 0, LARGE_SECTOR, buf, LARGE_BLOCKS * 8) || !same(buf, LARGE_SECTOR / 8, LARGE_BLOCKS))
        fail("large read back");
    println("pv-disk: read back 128 KiB");
    if (bf.wakeups == 0)
        fail("no event woke the interrupt-driven requests");
    println("pv-disk: pass");
    return 0;
}
