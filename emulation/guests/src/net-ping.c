/* net-ping (bare, javisor only): WARMUP + PINGS request frames to whoever echoes them on the bridge
 * (net-echo or a Java guest), one at a time, retried every 50 ms; the first goes to broadcast and
 * the reply names the peer. Then a goodbye handshake. While it waits for a reply the guest sleeps
 * in WFI until the NIC's receive interrupt or the retry deadline. The guest-measured round trips
 * (time CSR) go to a "timing" line, the only line that differs from run to run. Built per NIC. */
#include "guest.h"
#include "jping.h"
#include "nic.h"

#define WARMUP 16 /* not timed: the peer's and the host's code paths warm up */
#define PINGS 256
#define WAIT (50 * TICKS_PER_MS)
#define FIRST_TRIES 600 /* the peer may still be booting: 30 s */
#define TRIES 40

static const uint8_t broadcast[6] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
static uint8_t peer[6];
static struct jp out;
static uint32_t in[(NIC_MTU_FRAME + 4) / 4];
static uint64_t rtt[PINGS];

/* Send (kind, seq) until the answer (answer, seq) comes; 0 or -1 after `tries` sends. */
static int exchange(int kind, uint32_t seq, int answer, int tries, uint32_t *resent)
{
    const struct jp *f = (const struct jp *)in;
    for (int t = 0; t < tries; t++)
    {
        const uint64_t sent = now();
        jp_fill(&out, peer, nic_mac, kind, seq, sent);
        if (nic_send(&out, JP_LEN))
        {
            return -1;
        }
        if (t > 0)
        {
            (*resent)++;
        }
        for (;;)
        {
            const uint32_t len = nic_recv(in);
            if (len == 0)
            {
                if (!nic_wait(sent + WAIT))
                {
                    break;
                }
                continue;
            }
            if (jp_kind(f, len) == answer && f->seq == seq)
            {
                memcpy(peer, f->src, 6);
                if (kind == JP_REQUEST && seq >= WARMUP)
                {
                    rtt[seq - WARMUP] = now() - f->stamp;
                }
                return 0;
            }
        }
    }
    return -1;
}

static void print_ns(const char *name, uint64_t ticks)
{
    print(name);
    print_dec(ticks * 100);
}

int main(void)
{
    const int rc = nic_open();
    if (rc)
    {
        print("net-ping: no NIC, step ");
        print_dec((uint64_t)-rc);
        println("");
        return 1;
    }
    print("net-ping: ");
    print(nic_name);
    println(" up");
    memcpy(peer, broadcast, 6);
    uint32_t resent = 0;
    uint32_t answered = 0;
    for (uint32_t seq = 0; seq < WARMUP + PINGS; seq++)
    {
        if (exchange(JP_REQUEST, seq, JP_REPLY, seq == 0 ? FIRST_TRIES : TRIES, &resent))
        {
            break;
        }
        answered++;
    }
    print("net-ping: ");
    print_dec(answered);
    print(" of ");
    print_dec(WARMUP + PINGS);
    print(" answered, the last ");
    print_dec(PINGS);
    println(" timed");
    const int pass = answered == WARMUP + PINGS;
    const int bye = pass && exchange(JP_BYE, WARMUP + PINGS, JP_BYE_ACK, TRIES, &resent) == 0;
    answered = answered > WARMUP ? answered - WARMUP : 0;
    println(bye ? "net-ping: goodbye acknowledged" : "net-ping: no goodbye");
    for (uint32_t i = 1; i < answered; i++)
    {
        const uint64_t v = rtt[i];
        uint32_t j = i;
        for (; j > 0 && rtt[j - 1] > v; j--)
        {
            rtt[j] = rtt[j - 1];
        }
        rtt[j] = v;
    }
    if (answered > 0)
    {
        print("net-ping: timing");
        print_ns(" rtt_ns_min=", rtt[0]);
        print_ns(" p50=", rtt[answered / 2]);
        print_ns(" p90=", rtt[answered * 9 / 10]);
        print_ns(" p99=", rtt[answered * 99 / 100]);
        print_ns(" max=", rtt[answered - 1]);
        print(" resent=");
        print_dec(resent);
        print(" rx_interrupts=");
        print_dec(nic_interrupts());
        println("");
    }
    println(pass && bye ? "net-ping: pass" : "net-ping: FAIL");
    return !(pass && bye);
}
