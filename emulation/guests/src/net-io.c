/* net-io (bare on javisor's board, and PV; javisor only): runs a job of network round trips and
 * frame streams the host placed in RAM, against a peer on the bridge that answers as net-echo does
 * and also counts streams (bench io's Java echo guest). Built per NIC (nic-*.c).
 *
 * The job sits at __heap_start: a 128-byte header, then one u64 per timed round trip, little-endian
 * (io.javisor.emulation.guests.NetIoJobDescriptor is the host's side).
 *
 *   header  0 magic "NETIOJ01"  8 version (1)  12 pings  16 warmup  20 stream frames
 *           24 stream frame length (60..1514 bytes, no FCS)  28 flags  32 time-base ticks per ms
 *           40 done magic (guest)  48 stream ticks (guest)  56 stream frames the peer counted (guest)
 *           60 resends (guest)  64 failed step (guest, 0 = none)  68 rx interrupts (guest)
 *   record  round-trip ticks of timed ping i (guest)
 *
 * flags: 1 wait for frames in WFI until the NIC's receive interrupt (else poll the NIC).
 *
 * First a request to broadcast finds the peer (retried every 50 ms for 30 s). Then `warmup`
 * untimed and `pings` timed 60-byte request/reply round trips, one at a time, each retried every
 * 50 ms; "net-io: start" and "net-io: end" bracket the timed ones (a host reads counters there).
 * Then a stream: `stream frames` frames of the stream length sent back to back as fast as the NIC
 * takes them, then a count request whose answer says how many the peer received; stream ticks run
 * from the first frame's send to that answer. Last, the goodbye handshake. */
#include "guest.h"
#include "jping.h"
#include "nic.h"

#define JOB_MAGIC 0x31304A4F4954454EULL  /* "NETIOJ01" */
#define DONE_MAGIC 0x21454E4F444F494EULL /* "NIODONE!" */
#define JOB_VERSION 1
#define F_WAIT_INTERRUPT 1u
#define FIRST_TRIES 600
#define TRIES 40

struct job_header
{
    uint64_t magic;
    uint32_t version;
    uint32_t pings;
    uint32_t warmup;
    uint32_t stream_frames;
    uint32_t stream_len;
    uint32_t flags;
    uint64_t ticks_per_ms;
    uint64_t done;
    uint64_t stream_ticks;
    uint32_t stream_counted;
    uint32_t resent;
    uint32_t failed;
    uint32_t rx_interrupts;
    uint32_t reserved[14];
};

_Static_assert(sizeof(struct job_header) == 128, "job header is 128 bytes");

extern char __heap_start[];
static const uint8_t broadcast[6] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
static uint8_t peer[6];
static struct jp out;
static uint32_t in[(NIC_MTU_FRAME + 4) / 4];
static uint32_t stream_frame[(NIC_MTU_FRAME + 4) / 4];
static uint64_t wait_ticks;
static uint32_t flags;

/* The next frame, waiting until `deadline` (polling or in WFI): its length, or 0 at the deadline. */
static uint32_t receive(uint64_t deadline)
{
    for (;;)
    {
        const uint32_t len = nic_recv(in);
        if (len != 0)
        {
            return len;
        }
        if (flags & F_WAIT_INTERRUPT)
        {
            if (!nic_wait(deadline))
            {
                return 0;
            }
        }
        else if (time_now() >= deadline)
        {
            return 0;
        }
    }
}

/* Sends (kind, seq) until the answer (answer, seq or any seq for counts) comes, `tries` times.
 * Returns the answer's seq field through *got and the round trip of the last send, or -1. */
static int64_t exchange(int kind, uint32_t seq, int answer, int tries, uint32_t *resent, uint32_t *got)
{
    const struct jp *f = (const struct jp *)in;
    for (int t = 0; t < tries; t++)
    {
        const uint64_t sent = time_now();
        /* Until a peer has answered, its address is unknown: the first exchange goes to broadcast. */
        jp_fill(&out, tries == FIRST_TRIES ? broadcast : peer, nic_mac, kind, seq, sent);
        if (nic_send(&out, JP_LEN))
        {
            return -1;
        }
        *resent += t > 0;
        for (;;)
        {
            const uint32_t len = receive(sent + wait_ticks);
            if (len == 0)
            {
                break;
            }
            if (jp_kind(f, len) == answer && (answer == JP_COUNT_ACK || f->seq == seq) && f->stamp == sent)
            {
                const uint64_t rtt = time_now() - sent;
                memcpy(peer, f->src, 6);
                *got = f->seq;
                return (int64_t)rtt;
            }
        }
    }
    return -1;
}

static int fail(struct job_header *job, uint32_t step, const char *what)
{
    job->failed = step;
    print("net-io: FAIL ");
    println(what);
    job->done = DONE_MAGIC;
    return (int)step;
}

int main(void)
{
    struct job_header *job = (struct job_header *)__heap_start;
    uint64_t *rtt = (uint64_t *)(job + 1);
    const int rc = nic_open();
    if (rc)
    {
        print("net-io: no NIC, step ");
        print_dec((uint64_t)-rc);
        println("");
        return 1;
    }
    print("net-io: ");
    print(nic_name);
    println(" up");
    if (job->magic != JOB_MAGIC || job->version != JOB_VERSION || job->ticks_per_ms == 0 ||
        job->stream_len < JP_LEN || job->stream_len > NIC_MTU_FRAME)
    {
        println("net-io: no job");
        return 1;
    }
    flags = job->flags;
    wait_ticks = 50 * job->ticks_per_ms;
    uint32_t resent = 0;
    uint32_t got;
    if (exchange(JP_REQUEST, 0, JP_REPLY, FIRST_TRIES, &resent, &got) < 0)
    {
        return fail(job, 2, "no peer answered");
    }
    resent = 0;
    for (uint32_t i = 1; i < job->warmup; i++)
    {
        if (exchange(JP_REQUEST, i, JP_REPLY, TRIES, &resent, &got) < 0)
        {
            return fail(job, 3, "a warm-up ping went unanswered");
        }
    }
    println("net-io: start");
    const uint64_t interrupts = nic_interrupts();
    const uint32_t first = job->warmup > 0 ? job->warmup : 1;
    for (uint32_t i = 0; i < job->pings; i++)
    {
        const int64_t ticks = exchange(JP_REQUEST, first + i, JP_REPLY, TRIES, &resent, &got);
        if (ticks < 0)
        {
            return fail(job, 4, "a timed ping went unanswered");
        }
        rtt[i] = (uint64_t)ticks;
    }
    job->rx_interrupts = (uint32_t)(nic_interrupts() - interrupts);
    println("net-io: end");
    if (job->stream_frames > 0)
    {
        struct jp *frame = (struct jp *)stream_frame;
        jp_fill(frame, peer, nic_mac, JP_STREAM, 0, 0);
        const uint64_t t0 = time_now();
        for (uint32_t i = 0; i < job->stream_frames; i++)
        {
            frame->seq = i;
            if (nic_send(frame, job->stream_len))
            {
                return fail(job, 5, "the NIC refused a stream frame");
            }
        }
        if (exchange(JP_COUNT, job->stream_frames, JP_COUNT_ACK, TRIES, &resent, &got) < 0)
        {
            return fail(job, 6, "the peer did not answer the stream count");
        }
        job->stream_ticks = time_now() - t0;
        job->stream_counted = got;
    }
    job->resent = resent;
    if (exchange(JP_BYE, 0, JP_BYE_ACK, TRIES, &resent, &got) < 0)
    {
        return fail(job, 7, "no goodbye");
    }
    job->done = DONE_MAGIC;
    println("net-io: pass");
    return 0;
}
