/* disk-io (bare, javisor only): QD1 4 KiB reads in a loop, per-request latency from the guest's clock.
 * Writes BLOCKS 4 KiB blocks of a pattern and flushes; then, polled and again interrupt-driven, reads
 * WARMUP untimed blocks and READS timed ones, each checked after its timing ends. A request's latency
 * is the time CSR (10 MHz) around the driver call, its instructions the instret CSR around it. The
 * "start" and "verified" lines bracket the timed reads exactly (a host watching the console reads
 * the device's counters there); the "timing" lines are the only ones that differ between runs.
 * Built per disk (disk-*.c). */
#include "guest.h"
#include "plic.h"
#include "disk.h"

#define BLOCKS 64
#define WARMUP 1024
#define READS 4096

static uint32_t buf[1024];
static uint32_t latency[READS];

static uint32_t pattern(uint32_t block, uint32_t word)
{
    return block * 0x9E3779B9u ^ (word * 0x85EBCA6Bu + 0x5A5A5A5Au);
}

static uint32_t block_of(uint32_t i)
{
    return i * 37 % BLOCKS;
}

static int verify(uint32_t block)
{
    for (uint32_t w = 0; w < 1024; w++)
    {
        if (buf[w] != pattern(block, w))
        {
            return 0;
        }
    }
    return 1;
}

static void print_ratio(const char *name, uint64_t total, uint64_t count)
{
    const uint64_t hundredths = (total * 100 + count / 2) / count;
    print(name);
    print_dec(hundredths / 100);
    print(".");
    print_dec(hundredths % 100 / 10);
    print_dec(hundredths % 10);
}

static void sort(uint32_t *a, uint32_t n)
{
    for (uint32_t gap = n / 2; gap > 0; gap /= 2)
    {
        for (uint32_t i = gap; i < n; i++)
        {
            const uint32_t v = a[i];
            uint32_t j = i;
            for (; j >= gap && a[j - gap] > v; j -= gap)
            {
                a[j] = a[j - gap];
            }
            a[j] = v;
        }
    }
}

static int loop(const char *mode, int interrupts)
{
    const int rc = disk_open(interrupts);
    if (rc)
    {
        print("disk-io: reopen failed, step ");
        print_dec((uint64_t)-rc);
        println("");
        return 0;
    }
    for (uint32_t i = 0; i < WARMUP; i++)
    {
        if (disk_read4k(block_of(i) * 8, buf) || !verify(block_of(i)))
        {
            println("disk-io: warm-up read failed");
            return 0;
        }
    }
    const uint64_t exits = disk_exits();
    uint64_t instructions = 0;
    print("disk-io: ");
    print(mode);
    println(" start");
    for (uint32_t i = 0; i < READS; i++)
    {
        const uint64_t t0 = time_now();
        const uint64_t n0 = instret_now();
        const int failed = disk_read4k(block_of(i) * 8, buf);
        const uint64_t n1 = instret_now();
        const uint64_t t1 = time_now();
        latency[i] = (uint32_t)(t1 - t0);
        instructions += n1 - n0;
        if (failed || !verify(block_of(i)))
        {
            print("disk-io: read ");
            print_dec(i);
            println(" failed or differs");
            return 0;
        }
    }
    const uint64_t interrupts_taken = disk_interrupts();
    const uint64_t guest_exits = disk_exits() - exits;
    print("disk-io: ");
    print(mode);
    print(" ");
    print_dec(READS);
    println(" reads of 4 KiB verified");
    sort(latency, READS);
    print("disk-io: timing ");
    print(mode);
    print(" lat_ns_min=");
    print_dec(latency[0] * 100ULL);
    print(" p50=");
    print_dec(latency[READS / 2] * 100ULL);
    print(" p99=");
    print_dec(latency[READS * 99 / 100] * 100ULL);
    print(" max=");
    print_dec(latency[READS - 1] * 100ULL);
    print_ratio(" insn_per_read=", instructions, READS);
    print_ratio(" interrupts_per_read=", interrupts_taken, WARMUP + READS);
    if (guest_exits)
    {
        print_ratio(" driver_exits_per_read=", guest_exits, READS);
    }
    println("");
    return 1;
}

int main(void)
{
    int rc = disk_open(0);
    if (rc)
    {
        print("disk-io: no disk, step ");
        print_dec((uint64_t)-rc);
        println("");
        return 1;
    }
    print("disk-io: ");
    print(disk_name);
    print(", ");
    print_dec(disk_sectors());
    println(" sectors");
    if (disk_sectors() < BLOCKS * 8)
    {
        println("disk-io: disk too small");
        return 2;
    }
    for (uint32_t b = 0; b < BLOCKS; b++)
    {
        for (uint32_t w = 0; w < 1024; w++)
        {
            buf[w] = pattern(b, w);
        }
        if (disk_write4k(b * 8, buf))
        {
            println("disk-io: write failed");
            return 3;
        }
    }
    if (disk_flush())
    {
        println("disk-io: flush failed");
        return 3;
    }
    if (!loop("polled", 0) || !loop("interrupts", 1))
    {
        return 4;
    }
    println("disk-io: pass");
    return 0;
}
