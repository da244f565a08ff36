/* PV guests: console through this domain's PV console ring (the back end is told at each end of
 * line and when the ring fills), exit through XEN_SCHED_SHUTDOWN. Replaces console-sbi.c. */
#include "guest.h"
#include "xen-hypercall.h"

static struct xen_console_ring *ring;
static int port = -1;

static void notify(void)
{
    xen_call(XEN_EVTCHN_SEND, port, 0, 0);
}

void console_putc(char c)
{
    if (!ring)
    {
        const long pfn = xen_param(XEN_PARAM_CONSOLE_PFN);
        port = (int)xen_param(XEN_PARAM_CONSOLE_EVTCHN);
        if (pfn <= 0 || port <= 0)
            return;
        ring = (struct xen_console_ring *)(uintptr_t)(pfn << 12);
    }
    uint32_t prod = ring->out_prod;
    while (prod - ring->out_cons >= sizeof ring->out)
        notify();
    ring->out[prod & (sizeof ring->out - 1)] = c;
    xen_wmb();
    ring->out_prod = prod + 1;
    if (c == '\n')
        notify();
}

void guest_exit(int code)
{
    if (ring)
        notify();
    xen_shutdown(code == 0 ? XEN_SHUTDOWN_POWEROFF : XEN_SHUTDOWN_CRASH);
    for (;;)
        __asm__ volatile ("wfi");
}

const char test_name[] = "guest";
