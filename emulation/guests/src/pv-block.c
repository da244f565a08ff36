/* pv-block (javisor only): a guest that blocks forever. Every port masked, no event ever comes: it
 * sleeps in XEN_SCHED_BLOCK, again whenever that returns early, and must cost the host nothing. */
#include "guest.h"
#include "xen-events.h"

int main(void)
{
    check(1, xen_events_init() == 0, "shared info registered");
    println("pv-block: blocking forever");
    for (;;)
        xen_call(XEN_SCHED_BLOCK, 0, 0, 0);
}
