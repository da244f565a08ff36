/* pv-disk-restart (javisor only, PV domain): the PV block front end through restarts of its back
 * end (a driver domain killed and started again). Connects to the first vbd, then in rounds writes
 * 32 blocks of 4 KiB one request each, flushes, and reads every block back, comparing, until the
 * host writes the device's `stop` key. A back end lost in between is reconnected and the request in
 * flight re-issued by blkfront, so every read must return the round's write. Round r leaves block b,
 * byte i holding (b * 131 + r * 29 + i * 7 + (i >> 8)) & 0xFF: the host finds r (mod 256) in block
 * 0's first byte and checks the rest of the image against it. */
#include "guest.h"
#include "xen-blkfront.h"

#define BLOCKS 32

static uint8_t buf[4096] __attribute__((aligned(8)));
static struct blkfront bf;

static uint8_t pattern(uint32_t block, uint32_t round, uint32_t i)
{
    return (uint8_t)(block * 131 + round * 29 + i * 7 + (i >> 8));
}

static void fail(const char *what, uint32_t round)
{
    print("pv-disk-restart: FAIL ");
    print(what);
    print(" in round ");
    print_dec(round);
    println("");
    guest_exit(1);
}

int main(void)
{
    const int rc = blkfront_connect(&bf);
    if (rc)
    {
        print("pv-disk-restart: no disk, error ");
        print_dec((uint64_t)-rc);
        println("");
        return 1;
    }
    println("pv-disk-restart: connected");
    blkfront_set_interrupts(&bf, 0);
    char stop[96];
    xenbus_path(stop, sizeof stop, bf.dev.node, "stop");
    uint32_t round = 0;
    while (xs_read_long(XS_NO_TRANSACTION, stop, 0) == 0)
    {
        round++;
        for (uint32_t b = 0; b < BLOCKS; b++)
        {
            for (uint32_t i = 0; i < 4096; i++)
                buf[i] = pattern(b, round, i);
            if (blkfront_io(&bf, 1, b * 8, buf, 8))
                fail("write", round);
        }
        if (blkfront_flush(&bf))
            fail("flush", round);
        for (uint32_t b = 0; b < BLOCKS; b++)
        {
            if (blkfront_io(&bf, 0, b * 8, buf, 8))
                fail("read", round);
            for (uint32_t i = 0; i < 4096; i++)
                if (buf[i] != pattern(b, round, i))
                    fail("read back", round);
        }
    }
    print("pv-disk-restart: reconnected ");
    print_dec(bf.reconnects);
    println(" times, every read matched the round's acknowledged writes");
    println("pv-disk-restart: pass");
    return 0;
}
