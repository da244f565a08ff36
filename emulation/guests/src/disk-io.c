/* disk-io (bare, javisor and QEMU): runs a job of 4 KiB requests the host placed in RAM, one at a
 * time (QD1), and records each request's start and end on the guest's clock (the time CSR, in raw
 * ticks of the board's time base) and the instructions it retired (instret). Built per disk
 * (lib/disk-*.c behind lib/disk.h); the job protocol is the same for every build.
 *
 * The job sits at __heap_start (the first page after the image, so QEMU's -device loader can place
 * it without overlapping the ELF): a 128-byte header, then one 48-byte record per request, both
 * little-endian (io.javisor.emulation.guests.DiskIoJobDescriptor is the host's side).
 *
 *   header  0 magic "DISKIOJ1"   8 version (1)   12 count   16 warmup   20 flags
 *           24 done magic (guest) 32 t_base (guest) 40 device exits (guest) 48 interrupts (guest)
 *           56 sectors (guest)   64 failed: index + 1 of the first failed request, or 0 (guest)
 *           68 depth: timed requests in flight at once (0 or 1: one at a time)
 *   record  0 sector  8 due (ticks after t_base)  16 op (0 read, 1 write)  20 status (guest)
 *           24 start (guest)  32 end (guest)  40 instructions (guest)
 *
 * flags: 1 interrupt-driven (else polled), 2 open loop (request i starts no earlier than t_base +
 * due; else each starts when the one before ended), 4 print the results on the console, 8 check
 * each read's data against pattern() (which every write writes, and the host fills the disk with).
 *
 * With a depth above 1 (at most the driver's disk_depth()) the timed requests run as a closed loop
 * that keeps `depth` of them in flight, polled, each on a buffer of its own: start is when it was
 * queued, end when its completion was taken, instructions 0 (requests overlap); flag 2 is ignored.
 *
 * The first `warmup` requests run before the line "disk-io: start", the rest between it and
 * "disk-io: end" (a host watching the console reads device counters at those lines); t_base is
 * taken just before the first request after "start". Data checks happen after a request's end is
 * taken. Exit 0 when every request succeeded and every checked read matched. */
#include "guest.h"
#include "plic.h"
#include "disk.h"

#define JOB_MAGIC 0x314A4F494B534944ULL /* "DISKIOJ1" */
#define DONE_MAGIC 0x454E4F444F494B44ULL /* "DKIODONE" */
#define JOB_VERSION 1
#define F_INTERRUPTS 1u
#define F_OPEN_LOOP 2u
#define F_PRINT 4u
#define F_VERIFY 8u
#define OP_READ 0
#define OP_WRITE 1

struct job_header
{
    uint64_t magic;
    uint32_t version;
    uint32_t count;
    uint32_t warmup;
    uint32_t flags;
    uint64_t done;
    uint64_t t_base;
    uint64_t exits;
    uint64_t interrupts;
    uint64_t sectors;
    uint32_t failed;
    uint32_t depth;
    uint32_t reserved[14];
};

struct job_record
{
    uint64_t sector;
    uint64_t due;
    uint32_t op;
    uint32_t status;
    uint64_t start;
    uint64_t end;
    uint64_t instructions;
};

_Static_assert(sizeof(struct job_header) == 128, "job header is 128 bytes");
_Static_assert(sizeof(struct job_record) == 48, "job record is 48 bytes");

extern char __heap_start[];
static uint32_t buf[1024] __attribute__((aligned(4096)));
static uint32_t deep_buf[DISK_MAX_DEPTH][1024] __attribute__((aligned(4096)));

/* The content of word `word` of 4 KiB block `block`: what the host fills the disk with and every write writes. */
static uint32_t pattern(uint64_t block, uint32_t word)
{
    return (uint32_t)block * 0x9E3779B9u ^ (word * 0x85EBCA6Bu + 0x5A5A5A5Au) ^ (uint32_t)(block >> 32);
}

static void fill(uint32_t *to, uint64_t block)
{
    for (uint32_t w = 0; w < 1024; w++)
    {
        to[w] = pattern(block, w);
    }
}

static int matches(const uint32_t *data, uint64_t block)
{
    for (uint32_t w = 0; w < 1024; w++)
    {
        if (data[w] != pattern(block, w))
        {
            return 0;
        }
    }
    return 1;
}

static void print_hex_short(uint64_t v)
{
    static const char digits[] = "0123456789abcdef";
    char text[17];
    int n = 16;
    text[n] = 0;
    do
    {
        text[--n] = digits[v & 15];
        v >>= 4;
    } while (v);
    print(text + n);
}

/* One request; its record gets start, end, instructions and status. 0, or 1 when it failed. */
static int issue(struct job_record *r, uint32_t flags, uint64_t t_base)
{
    const uint64_t block = r->sector / 8;
    if (r->op == OP_WRITE)
    {
        fill(buf, block);
    }
    if (flags & F_OPEN_LOOP)
    {
        while (time_now() - t_base < r->due)
        {
        }
    }
    const uint64_t t0 = time_now();
    const uint64_t n0 = instret_now();
    const int rc = r->op == OP_WRITE ? disk_write4k(r->sector, buf) : disk_read4k(r->sector, buf);
    const uint64_t n1 = instret_now();
    const uint64_t t1 = time_now();
    r->start = t0;
    r->end = t1;
    r->instructions = n1 - n0;
    r->status = rc ? 1 : 0;
    if (!rc && r->op == OP_READ && (flags & F_VERIFY) && !matches(buf, block))
    {
        r->status = 2;
    }
    return r->status != 0;
}

/* The timed requests first .. count - 1 as a closed loop with `depth` in flight. Returns the index
 * + 1 of the first that failed, or 0. A completion that names no request in flight, or no
 * completion for 100 million polls, ends the loop with the requests left marked failed. */
static uint32_t deep_loop(struct job_record *records, uint32_t first, uint32_t count, uint32_t depth, uint32_t flags)
{
    uint32_t in_slot[DISK_MAX_DEPTH];
    uint32_t free_slots[DISK_MAX_DEPTH];
    uint32_t free_count = depth;
    for (uint32_t t = 0; t < depth; t++)
    {
        free_slots[t] = depth - 1 - t;
        in_slot[t] = count;
    }
    for (uint32_t i = first; i < count; i++)
    {
        records[i].status = 1; /* until its completion says otherwise */
        records[i].instructions = 0;
    }
    uint32_t next = first;
    uint32_t done = 0;
    uint64_t idle = 0;
    while (done < count - first)
    {
        while (free_count > 0 && next < count)
        {
            const uint32_t tag = free_slots[--free_count];
            struct job_record *r = &records[next];
            if (r->op == OP_WRITE)
            {
                fill(deep_buf[tag], r->sector / 8);
            }
            r->start = time_now();
            if (disk_submit(tag, r->op == OP_WRITE, r->sector, deep_buf[tag]))
            {
                return next + 1;
            }
            in_slot[tag] = next++;
        }
        uint32_t tag;
        int st;
        if (!disk_reap(&tag, &st))
        {
            if (++idle == 100000000)
            {
                return next + 1;
            }
            continue;
        }
        const uint64_t t = time_now();
        idle = 0;
        if (tag >= depth || in_slot[tag] == count)
        {
            return next + 1;
        }
        struct job_record *r = &records[in_slot[tag]];
        r->end = t;
        r->status = st ? 1 : 0;
        if (!st && r->op == OP_READ && (flags & F_VERIFY) && !matches(deep_buf[tag], r->sector / 8))
        {
            r->status = 2;
        }
        in_slot[tag] = count;
        free_slots[free_count++] = tag;
        done++;
    }
    for (uint32_t i = first; i < count; i++)
    {
        if (records[i].status)
        {
            return i + 1;
        }
    }
    return 0;
}

int main(void)
{
    struct job_header *job = (struct job_header *)__heap_start;
    struct job_record *records = (struct job_record *)(job + 1);
    if (job->magic != JOB_MAGIC || job->version != JOB_VERSION || job->warmup > job->count)
    {
        println("disk-io: no job");
        return 1;
    }
    const uint32_t flags = job->flags;
    const int rc = disk_open((flags & F_INTERRUPTS) != 0);
    if (rc)
    {
        print("disk-io: no disk, step ");
        print_dec((uint64_t)-rc);
        println("");
        return 2;
    }
    disk_use_buffer(buf);
    const uint32_t depth = job->depth > 1 ? job->depth : 1;
    if (depth > disk_depth())
    {
        print("disk-io: depth ");
        print_dec(depth);
        print(" is deeper than the driver's ");
        print_dec(disk_depth());
        println("");
        return 5;
    }
    for (uint32_t t = 0; depth > 1 && t < depth; t++)
    {
        disk_use_buffer(deep_buf[t]);
    }
    job->sectors = disk_sectors();
    print("disk-io: ");
    print(disk_name);
    print(", ");
    print_dec(job->sectors);
    print(" sectors, ");
    print_dec(job->count);
    print(" requests (");
    print_dec(job->warmup);
    println(" warm-up)");
    for (uint32_t i = 0; i < job->count; i++)
    {
        if (records[i].op > OP_WRITE || records[i].sector % 8 != 0 || records[i].sector + 8 > job->sectors)
        {
            print("disk-io: bad request ");
            print_dec(i);
            println("");
            return 3;
        }
    }
    uint32_t failed = 0;
    uint64_t t_base = time_now();
    for (uint32_t i = 0; i < job->warmup; i++)
    {
        if (issue(&records[i], flags & ~F_OPEN_LOOP, t_base) && !failed)
        {
            failed = i + 1;
        }
    }
    println("disk-io: start");
    const uint64_t exits = disk_exits();
    const uint64_t interrupts = disk_interrupts();
    t_base = time_now();
    if (depth > 1)
    {
        const uint32_t first_failed = deep_loop(records, job->warmup, job->count, depth, flags);
        if (first_failed && !failed)
        {
            failed = first_failed;
        }
    }
    for (uint32_t i = job->warmup; depth == 1 && i < job->count; i++)
    {
        if (issue(&records[i], flags, t_base) && !failed)
        {
            failed = i + 1;
        }
    }
    job->exits = disk_exits() - exits;
    job->interrupts = disk_interrupts() - interrupts;
    println("disk-io: end");
    job->t_base = t_base;
    job->failed = failed;
    if (flags & F_PRINT)
    {
        /* One line per timed request: start - t_base, end - start, instructions, status (hex). */
        print("disk-io: results t_base=");
        print_hex_short(t_base);
        print(" exits=");
        print_hex_short(job->exits);
        print(" interrupts=");
        print_hex_short(job->interrupts);
        println("");
        for (uint32_t i = job->warmup; i < job->count; i++)
        {
            const struct job_record *r = &records[i];
            print_hex_short(r->start - t_base);
            print(" ");
            print_hex_short(r->end - r->start);
            print(" ");
            print_hex_short(r->instructions);
            print(" ");
            print_hex_short(r->status);
            println("");
        }
    }
    job->done = DONE_MAGIC;
    if (failed)
    {
        print("disk-io: request ");
        print_dec(failed - 1);
        println(" failed or read wrong data");
        return 4;
    }
    println("disk-io: pass");
    return 0;
}
