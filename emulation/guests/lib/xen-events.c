#include "xen-events.h"

uint64_t xen_hypercalls;
uint32_t xen_barrier_word;
struct xen_shared_info xen_shared_info __attribute__((aligned(4096)));

int xen_events_init(void)
{
    static int done;
    if (done)
        return 0;
    struct xen_ret r = xen_call(XEN_SHARED_INFO_REGISTER, (long)&xen_shared_info, 0, 0);
    if (r.error)
        return (int)r.error;
    for (int w = 0; w < 64; w++)
        __atomic_fetch_or(&xen_shared_info.evtchn_mask[w], ~0UL, __ATOMIC_SEQ_CST);
    done = 1;
    return 0;
}

int evtchn_alloc_unbound(int remote_domid)
{
    struct xen_ret r = xen_call(XEN_EVTCHN_ALLOC_UNBOUND, remote_domid, 0, 0);
    return r.error ? (int)r.error : (int)r.value;
}

int evtchn_send(int port) { return (int)xen_call(XEN_EVTCHN_SEND, port, 0, 0).error; }
int evtchn_close(int port) { return (int)xen_call(XEN_EVTCHN_CLOSE, port, 0, 0).error; }
int evtchn_unmask(int port) { return (int)xen_call(XEN_EVTCHN_UNMASK, port, 0, 0).error; }

void evtchn_mask(int port)
{
    __atomic_fetch_or(&xen_shared_info.evtchn_mask[port / 64], 1UL << (port % 64), __ATOMIC_SEQ_CST);
}

int evtchn_pending(int port)
{
    return (int)((xen_shared_info.evtchn_pending[port / 64] >> (port % 64)) & 1);
}

int evtchn_clear(int port)
{
    const uint64_t bit = 1UL << (port % 64);
    return (__atomic_fetch_and(&xen_shared_info.evtchn_pending[port / 64], ~bit, __ATOMIC_SEQ_CST) & bit) != 0;
}

int evtchn_poll(int port, uint64_t deadline)
{
    static uint32_t ports[1];
    for (;;)
    {
        if (evtchn_clear(port))
            return 1;
        ports[0] = (uint32_t)port;
        struct xen_ret r = xen_call(XEN_SCHED_POLL, (long)ports, 1, (long)deadline);
        if (r.error)
            return (int)r.error;
        if (r.value == 0)
            return evtchn_clear(port);
    }
}

int evtchn_poll_either(int port, int other, uint64_t deadline)
{
    static uint32_t ports[2];
    for (;;)
    {
        const int ready = evtchn_clear(port) | evtchn_clear(other) << 1;
        if (ready)
            return ready;
        ports[0] = (uint32_t)port;
        ports[1] = (uint32_t)other;
        struct xen_ret r = xen_call(XEN_SCHED_POLL, (long)ports, 2, (long)deadline);
        if (r.error)
            return (int)r.error;
        if (r.value == 0)
            return evtchn_clear(port) | evtchn_clear(other) << 1;
    }
}

/* Index of the lowest set bit of a non-zero word (no libgcc: it is built for another ABI). */
static int lowest_bit(uint64_t v)
{
    int n = 0;
    while (!(v & 1))
    {
        v >>= 1;
        n++;
    }
    return n;
}

/* Blocks and acknowledges the upcall; *hit is set when `port` was among the ports cleared. */
static int block_and_clear(int port, int *hit)
{
    struct xen_vcpu_info *vcpu = &xen_shared_info.vcpu[0];
    if (!vcpu->upcall_pending)
        xen_call(XEN_SCHED_BLOCK, 0, 0, 0);
    vcpu->upcall_pending = 0;
    xen_mb();
    uint64_t selector = __atomic_exchange_n(&vcpu->pending_sel, 0, __ATOMIC_SEQ_CST);
    int cleared = 0;
    while (selector)
    {
        const int w = lowest_bit(selector);
        selector &= selector - 1;
        uint64_t ready = xen_shared_info.evtchn_pending[w] & ~xen_shared_info.evtchn_mask[w];
        while (ready)
        {
            const uint64_t bit = ready & -ready;
            ready &= ready - 1;
            if (__atomic_fetch_and(&xen_shared_info.evtchn_pending[w], ~bit, __ATOMIC_SEQ_CST) & bit)
            {
                cleared++;
                if (w * 64 + lowest_bit(bit) == port)
                    *hit = 1;
            }
        }
    }
    return cleared;
}

int evtchn_block(void)
{
    int hit = 0;
    return block_and_clear(-1, &hit);
}

int evtchn_block_for(int port)
{
    int hit = 0;
    block_and_clear(port, &hit);
    return hit;
}
