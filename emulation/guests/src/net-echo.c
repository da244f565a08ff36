/* net-echo (bare, javisor only): answers every request frame (see jping.h) to its sender, and a
 * goodbye with an acknowledgement; it lingers LINGER after the last goodbye (answering any resent
 * one, in case the acknowledgement was lost) and then reports and exits. Between frames it sleeps in
 * WFI until the NIC's receive interrupt. Requests and goodbyes seen again (the pinger resent them)
 * are answered but counted apart, on the "timing" line with the interrupts taken. Gives up after
 * 60 s without a frame. Built per NIC (nic-*.c). */
#include "guest.h"
#include "jping.h"
#include "nic.h"

#define IDLE (60000 * (uint64_t)TICKS_PER_MS)
#define LINGER (200 * (uint64_t)TICKS_PER_MS) /* four of the pinger's retry periods */

static uint32_t in[(NIC_MTU_FRAME + 4) / 4];
static struct jp out;

int main(void)
{
    const int rc = nic_open();
    if (rc)
    {
        print("net-echo: no NIC, step ");
        print_dec((uint64_t)-rc);
        println("");
        return 1;
    }
    print("net-echo: ");
    print(nic_name);
    println(" up");
    const struct jp *f = (const struct jp *)in;
    uint32_t next = 0;
    uint32_t again = 0;
    uint32_t other = 0;
    uint32_t byes = 0;
    uint64_t last = now();
    for (;;)
    {
        const uint32_t len = nic_recv(in);
        if (len == 0)
        {
            if (!nic_wait(last + (byes ? LINGER : IDLE)))
            {
                if (byes)
                {
                    break;
                }
                println("net-echo: idle for 60 s, FAIL");
                return 2;
            }
            continue;
        }
        last = now();
        const int kind = jp_kind(f, len);
        if (kind != JP_REQUEST && kind != JP_BYE)
        {
            other++;
            continue;
        }
        if (kind == JP_BYE)
        {
            again += byes++ > 0;
        }
        else if (f->seq == next)
        {
            next++;
        }
        else
        {
            again++;
        }
        jp_fill(&out, f->src, nic_mac, kind == JP_REQUEST ? JP_REPLY : JP_BYE_ACK, f->seq, f->stamp);
        if (nic_send(&out, JP_LEN))
        {
            println("net-echo: send failed");
            return 3;
        }
    }
    print("net-echo: ");
    print_dec(next);
    println(" requests answered in order");
    print("net-echo: timing repeated=");
    print_dec(again);
    print(" other_frames=");
    print_dec(other);
    print(" rx_interrupts=");
    print_dec(nic_interrupts());
    println("");
    println("net-echo: pass");
    return 0;
}
