/* Event channels over the shared-info page (Xen's 2-level ABI). Every port starts masked: a masked
 * port is waited for with evtchn_poll (no upcall); evtchn_unmask lets it raise the upcall, which
 * evtchn_block waits for. One vCPU, no traps: nothing here runs in an interrupt handler. */
#ifndef XEN_EVENTS_H
#define XEN_EVENTS_H

#include "xen-hypercall.h"

extern struct xen_shared_info xen_shared_info;

/* Registers the shared-info page and masks every port. 0 or an errno. */
int xen_events_init(void);
int evtchn_alloc_unbound(int remote_domid);   /* port or errno */
int evtchn_send(int port);
int evtchn_close(int port);
int evtchn_unmask(int port);
void evtchn_mask(int port);
int evtchn_pending(int port);
/* Clears the port's pending bit; 1 when it was set. */
int evtchn_clear(int port);
/* Sleeps until the port is pending (masked or not) or `deadline` (time ticks, 0: none) passes; clears
 * it. 1 when it was pending, 0 on timeout, or an errno. */
int evtchn_poll(int port, uint64_t deadline);
/* As evtchn_poll for two ports: a bit mask of those that were pending and are now cleared (1: `port`,
 * 2: `other`), 0 on timeout, or an errno. */
int evtchn_poll_either(int port, int other, uint64_t deadline);
/* Sleeps until an unmasked port raises the upcall, then acknowledges it: upcall_pending and the
 * selector cleared, each pending unmasked port cleared. The number of ports cleared (0: woken early). */
int evtchn_block(void);
/* As evtchn_block: 1 when `port` was among the ports it cleared, else 0. */
int evtchn_block_for(int port);

#endif
