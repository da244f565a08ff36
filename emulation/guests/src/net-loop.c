/* net-loop (bare): two virtio-net NICs on one segment (javisor: one bridge; QEMU: one hub), both
 * driven by this guest: the first sends LOOPS requests (see jping.h) to the second, which answers
 * each. Checks the driver against javisor's device and QEMU's alike; prints counts only. */
#include "guest.h"
#include "jping.h"
#include "virtio.h"

#define LOOPS 16
#define WAIT (1000 * (uint64_t)TICKS_PER_MS)

static struct vnet nic[2];
static struct jp out;
static uint32_t in[(VNET_BUF + 4) / 4];

/* The next frame on `to` of `kind` and `seq`, within WAIT; other frames are skipped. */
static int expect(struct vnet *to, int kind, uint32_t seq)
{
    const struct jp *f = (const struct jp *)in;
    const uint64_t start = now();
    while (now() - start < WAIT)
    {
        const uint32_t len = vnet_recv(to, in, VNET_BUF);
        if (len == JP_LEN && jp_kind(f, len) == kind && f->seq == seq)
        {
            return 0;
        }
    }
    return -1;
}

int main(void)
{
    for (int i = 0; i < 2; i++)
    {
        const uintptr_t base = virtio_find_nth(VIRTIO_ID_NET, i);
        const int rc = base == 0 ? -10 : vnet_init(&nic[i], base, 0);
        if (rc)
        {
            print("net-loop: NIC ");
            print_dec((uint64_t)i);
            print(" failed at step ");
            print_dec((uint64_t)-rc);
            println("");
            return 1;
        }
    }
    println("net-loop: two virtio-net NICs up");
    int requests = 0, replies = 0;
    for (uint32_t seq = 0; seq < LOOPS; seq++)
    {
        jp_fill(&out, nic[1].mac, nic[0].mac, JP_REQUEST, seq, now());
        if (vnet_send(&nic[0], &out, JP_LEN) || expect(&nic[1], JP_REQUEST, seq))
        {
            break;
        }
        requests++;
        jp_fill(&out, nic[0].mac, nic[1].mac, JP_REPLY, seq, 0);
        if (vnet_send(&nic[1], &out, JP_LEN) || expect(&nic[0], JP_REPLY, seq))
        {
            break;
        }
        replies++;
    }
    print("net-loop: requests ");
    print_dec((uint64_t)requests);
    print(" of " );
    print_dec(LOOPS);
    print(", replies ");
    print_dec((uint64_t)replies);
    println("");
    const int pass = requests == LOOPS && replies == LOOPS;
    println(pass ? "net-loop: pass" : "net-loop: FAIL");
    return !pass;
}
