/* pv-disk-restart (javisor only, PV domain): the PV block front end through restarts of its back
 * end (a driver domain killed and started again). Connects to the first vbd, then in rounds writes
 * 32 blocks of 4 KiB one request each, flushes, and reads every block back, comparing, until the
 * host writes the device's `stop` key. A back end lost in between is reconnected and the request in
 * flight re-issued by blkfront, so every read must return the round's write. Round r leaves block b,
 * byte i holding (b * 131 + r * 29 + i * 7 + (i >> 8)) & 0xFF: the host finds r (mod 256) in block
 * 0's first byte and checks the rest of the image against it.
 *
 * Built twice: pv-disk-restart waits for responses by polling, pv-disk-restart-irq (INTERRUPT_DRIVEN)
 * by blocking until the back end's event, where only the watch on the back end's state can end a
 * wait on a dead one. After the first request completed past each reconnect the guest writes the
 * reconnect count to the device's `served-after-reconnect` key, so the host can time kill to served.
 * The `: counters ` line differs between runs (how many requests a kill caught in flight). */
#include "guest.h"
#include "xen-blkfront.h"

#define BLOCKS 32

#ifdef INTERRUPT_DRIVEN
#define MODE "interrupt-driven"
#else
#define MODE "polled"
#endif

static uint8_t buf[4096] __attribute__((aligned(8)));
static struct blkfront bf;
static char served_key[96];
static uint64_t reconnects_announced;
static uint64_t completed;

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

/* After each completed request: the first one past a reconnect is announced in xenstore. */
static void completed_one(void)
{
    completed++;
    if (bf.reconnects == reconnects_announced)
        return;
    reconnects_announced = bf.reconnects;
    char value[24], digits[24];
    int n = 0;
    uint64_t v = reconnects_announced;
    do { digits[n++] = (char)('0' + v % 10); v /= 10; } while (v);
    for (int i = 0; i < n; i++)
        value[i] = digits[n - 1 - i];
    value[n] = 0;
    xs_write(XS_NO_TRANSACTION, served_key, value);
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
#ifdef INTERRUPT_DRIVEN
    blkfront_set_interrupts(&bf, 1);
#else
    blkfront_set_interrupts(&bf, 0);
#endif
    println("pv-disk-restart: connected, " MODE);
    char stop[96];
    xenbus_path(stop, sizeof stop, bf.dev.node, "stop");
    xenbus_path(served_key, sizeof served_key, bf.dev.node, "served-after-reconnect");
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
            completed_one();
        }
        if (blkfront_flush(&bf))
            fail("flush", round);
        completed_one();
        for (uint32_t b = 0; b < BLOCKS; b++)
        {
            if (blkfront_io(&bf, 0, b * 8, buf, 8))
                fail("read", round);
            completed_one();
            for (uint32_t i = 0; i < 4096; i++)
                if (buf[i] != pattern(b, round, i))
                    fail("read back", round);
        }
    }
    print("pv-disk-restart: reconnected ");
    print_dec(bf.reconnects);
    println(" times, every read matched the round's acknowledged writes");
    print("pv-disk-restart: counters rounds=");
    print_dec(round);
    print(" completed=");
    print_dec(completed);
    print(" reissued=");
    print_dec(bf.reissued);
    print(" losses_seen_by_watch=");
    print_dec(bf.losses_seen_by_watch);
    print(" wakeups=");
    print_dec(bf.wakeups);
    println("");
    println("pv-disk-restart: pass");
    return 0;
}
