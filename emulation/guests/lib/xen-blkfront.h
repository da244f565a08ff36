/* blkfront: a Xen PV block front end in guest code, as Linux's xen-blkfront. One request in flight
 * (QD1). Data moves through a pool of this guest's pages: granted once when the back end offers
 * feature-persistent (a copy per request, no grant traffic), else granted and revoked per request.
 * Requests of more than 11 pages go as one BLKIF_OP_INDIRECT request when the back end offers
 * feature-max-indirect-segments, else as several. Responses are waited for by polling the ring or,
 * with interrupts on, by sleeping in XEN_SCHED_BLOCK until the back end's event. */
#ifndef XEN_BLKFRONT_H
#define XEN_BLKFRONT_H

#include "xen-bus.h"

#define BLKFRONT_POOL_PAGES 64   /* the largest request: 256 KiB */

struct blkfront
{
    struct xenbus_device dev;
    int port;
    int ring_ref;
    uint32_t req_prod_pvt;
    uint32_t rsp_cons;
    uint64_t next_id;
    uint64_t sectors;
    int readonly;
    int persistent;          /* pool pages stay granted */
    int max_indirect;        /* segments per indirect request the back end takes, 0: none */
    int flush;               /* feature-flush-cache */
    int interrupts;          /* wait in XEN_SCHED_BLOCK rather than polling */
    uint64_t wakeups;        /* wake-ups from XEN_SCHED_BLOCK with our event */
    uint64_t requests;
    uint64_t indirect_requests;
    uint64_t notifies;       /* requests after which the back end had to be notified */
};

/* Finds the first vbd and connects: 0, or an errno. */
int blkfront_connect(struct blkfront *bf);
/* Waits by polling (0) or by blocking until the event (1). */
void blkfront_set_interrupts(struct blkfront *bf, int on);
/* `count` sectors (≤ 8 × BLKFRONT_POOL_PAGES) at `sector` from or into buf. 0, or non-zero on failure. */
int blkfront_io(struct blkfront *bf, int write, uint64_t sector, void *buf, uint32_t count);
int blkfront_flush(struct blkfront *bf);

#endif
