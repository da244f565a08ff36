/* pv-events (javisor only, PV domain or PV-on-HVM): event channels and the upcall from guest code.
 * A channel looped back to this domain; events sent on one end raise the upcall as a supervisor
 * external interrupt (a trap) exactly once each, masked ones wake a poll instead, a poll with a
 * deadline times out, a block returns at once when an event is pending, and bad hypercalls get
 * their errors. */
#include "guest.h"
#include "xen-events.h"

#define SCAUSE_S_EXTERNAL ((1UL << 63) | 9)
#define SIE_SEIE (1UL << 9)
#define SSTATUS_SIE (1UL << 1)

static volatile int upcalls;
static volatile int ports_seen;

/* The upcall: acknowledge as Xen's handler does, then have the line re-evaluated. */
void s_trap(struct frame *f)
{
    (void)f;
    if (csr_read(scause) != SCAUSE_S_EXTERNAL)
    {
        print("pv-events: unexpected trap ");
        print_hex(csr_read(scause));
        println("");
        guest_exit(2);
    }
    upcalls++;
    xen_shared_info.vcpu[0].upcall_pending = 0;
    xen_mb();
    uint64_t selector = __atomic_exchange_n(&xen_shared_info.vcpu[0].pending_sel, 0, __ATOMIC_SEQ_CST);
    for (int w = 0; selector; w++, selector >>= 1)
    {
        if (!(selector & 1))
            continue;
        const uint64_t ready = xen_shared_info.evtchn_pending[w] & ~xen_shared_info.evtchn_mask[w];
        __atomic_fetch_and(&xen_shared_info.evtchn_pending[w], ~ready, __ATOMIC_SEQ_CST);
        for (uint64_t r = ready; r; r &= r - 1)
            ports_seen++;
    }
    xen_call(XEN_UPCALL_ACK, 0, 0, 0);
}

static void settle(void)
{
    for (volatile int i = 0; i < 100; i++)
        ;
}

int main(void)
{
    check(1, xen_events_init() == 0, "shared info registered");
    const int a = evtchn_alloc_unbound(XEN_DOMID_SELF);
    check(2, a > 0, "alloc_unbound");
    struct xen_ret r = xen_call(XEN_EVTCHN_BIND_INTERDOMAIN, XEN_DOMID_SELF, a, 0);
    check(3, r.error == 0 && r.value > 0, "bind_interdomain to our own port");
    const int b = (int)r.value;
    r = xen_call(XEN_EVTCHN_STATUS, a, 0, 0);
    check(4, r.error == 0 && r.value == 2 && r.value3 == b, "status: interdomain, to the bound port");
    evtchn_clear(b);
    println("pv-events: loopback channel bound");

    extern char trap_entry_s[];
    csr_write(stvec, trap_entry_s);
    check(5, evtchn_unmask(b) == 0, "unmask");
    csr_set(sie, SIE_SEIE);
    csr_set(sstatus, SSTATUS_SIE);
    for (int i = 1; i <= 100; i++)
    {
        evtchn_send(a);
        settle();
        if (upcalls != i || ports_seen != i)
            test_fail(6, "one upcall per event, none after the acknowledgement");
    }
    println("pv-events: 100 events, 100 upcalls");

    csr_clear(sstatus, SSTATUS_SIE);
    evtchn_mask(b);
    evtchn_send(a);
    settle();
    check(7, upcalls == 100 && evtchn_pending(b), "a masked event is pending without an upcall");
    check(8, evtchn_poll(b, 0) == 1 && !evtchn_pending(b), "poll finds it and clears it");
    const uint64_t t0 = xen_time();
    check(9, evtchn_poll(b, t0 + XEN_TICKS_PER_MS) == 0, "poll times out");
    check(10, xen_time() - t0 >= XEN_TICKS_PER_MS, "not before its deadline");
    println("pv-events: masked event polled, poll timed out");

    evtchn_unmask(b);
    evtchn_send(a);
    check(11, evtchn_block() == 1, "block returns with the pending event");
    println("pv-events: block woken by the event");

    check(12, xen_call(0x7F, 0, 0, 0).error == XEN_ENOSYS, "unknown function");
    check(13, xen_call(XEN_SHARED_INFO_REGISTER, 0x10000000L, 0, 0).error == XEN_EFAULT, "shared info on MMIO");
    check(14, xen_call(XEN_SHARED_INFO_REGISTER, 0x80000800L, 0, 0).error == XEN_EINVAL, "shared info misaligned");
    check(15, xen_call(XEN_GNTTAB_SETUP, 0, 1, 0).error == XEN_EFAULT, "grant table below RAM");
    check(16, xen_call(XEN_GNTTAB_SETUP, 0x80000000L, 1000, 0).error == XEN_EINVAL, "too many grant frames");
    check(17, xen_call(XEN_EVTCHN_SEND, 5000, 0, 0).error == XEN_EINVAL, "no such port");
    check(18, xen_call(XEN_EVTCHN_BIND_INTERDOMAIN, 0x7FEF, 1, 0).error == XEN_ESRCH, "no such domain");
    check(19, xen_call(XEN_SCHED_SHUTDOWN, 2, 0, 0).error == XEN_EINVAL, "suspend is refused");
    check(20, xen_call(XEN_VERSION, 0, 0, 0).value == XEN_ABI_VERSION, "version");
    println("pv-events: bad arguments refused");
    println("pv-events: pass");
    return 0;
}
