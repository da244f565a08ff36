/* pv-flood (javisor only): a guest that floods. Without end it notifies dom0's xenstored on its
 * store port, sends on a channel looped back to itself and asks for grant copies of garbage; the
 * host and other domains must not notice beyond the CPU this vCPU burns. */
#include "guest.h"
#include "xen-events.h"

static struct xen_grant_copy ops[16];

int main(void)
{
    check(1, xen_events_init() == 0, "shared info registered");
    const int store = (int)xen_param(XEN_PARAM_STORE_EVTCHN);
    const int a = evtchn_alloc_unbound(XEN_DOMID_SELF);
    const struct xen_ret r = xen_call(XEN_EVTCHN_BIND_INTERDOMAIN, XEN_DOMID_SELF, a, 0);
    check(2, store > 0 && a > 0 && r.error == 0, "ports");
    evtchn_unmask((int)r.value);
    for (int i = 0; i < 16; i++)
    {
        ops[i].source_ref_or_frame = (uint64_t)i * 77;
        ops[i].source_domid = 0;
        ops[i].dest_ref_or_frame = 0x80000 + (uint64_t)i;
        ops[i].dest_domid = XEN_DOMID_SELF;
        ops[i].len = 4096;
        ops[i].flags = GNTCOPY_SOURCE_GREF;
    }
    println("pv-flood: flooding");
    for (uint64_t n = 0; ; n++)
    {
        evtchn_send(store);
        evtchn_send(a);
        if ((n & 15) == 0)
            xen_call(XEN_GNTTAB_COPY, (long)ops, 16, 0);
    }
}
