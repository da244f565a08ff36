/* blkfront: a Xen PV block front end in guest code, as Linux's xen-blkfront. One request in flight
 * (QD1). Data moves through a pool of this guest's pages: granted once when the back end offers
 * feature-persistent (a copy per request, no grant traffic), else granted and revoked per request;
 * a one-page request on a page the caller registered (blkfront_register) skips the pool and its copy.
 * Requests of more than 11 pages go as one BLKIF_OP_INDIRECT request when the back end offers
 * feature-max-indirect-segments, else as several. Responses are waited for by polling the ring or,
 * with interrupts on, by sleeping in XEN_SCHED_BLOCK until the back end's event.
 * A back end that dies (a driver domain killed) is noticed while a response is awaited: a polled wait
 * of more than 20 ms looks at the back end's state every 20 ms; an interrupt-driven one keeps a
 * xenstore watch on that state, whose event (the store's port is unmasked while interrupts are on)
 * ends the block. A back end out of Connected is lost: the front end runs the handshake again with
 * the back end's next instance and re-issues the request in flight, as Linux's blkfront recovers. */
#ifndef XEN_BLKFRONT_H
#define XEN_BLKFRONT_H

#include "xen-bus.h"

#define BLKFRONT_POOL_PAGES 64   /* the largest request: 256 KiB */
#define BLKFRONT_REGISTERED_PAGES 40

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
    uint64_t zero_copy;      /* requests whose data moved straight to or from a registered page */
    uint64_t reconnects;     /* handshakes again with a restarted back end */
    uint64_t reissued;       /* requests pushed again to a restarted back end */
    uint64_t losses_seen_by_watch; /* lost back ends noticed through the watch (interrupt-driven) */
    int registered;          /* pages of the caller's, granted once (blkfront_register) */
    uintptr_t registered_page[BLKFRONT_REGISTERED_PAGES];
    int registered_ref[BLKFRONT_REGISTERED_PAGES];
};

/* Finds the first vbd and connects: 0, or an errno. */
int blkfront_connect(struct blkfront *bf);
/* Waits by polling (0) or by blocking until the event (1); interrupt-driven, it keeps a watch on the
 * back end's state from then on. */
void blkfront_set_interrupts(struct blkfront *bf, int on);
/* `count` sectors (≤ 8 × BLKFRONT_POOL_PAGES) at `sector` from or into buf. 0, or non-zero on failure. */
int blkfront_io(struct blkfront *bf, int write, uint64_t sector, void *buf, uint32_t count);
int blkfront_flush(struct blkfront *bf);
/* Grants the caller's 4 KiB-aligned page to the back end once, for as long as the device is
 * connected (a persistent grant; needs feature-persistent): a one-page request on exactly that page
 * then moves its data with no copy through the pool (as a registered buffer). 0, or -1 when the back
 * end is not persistent, the page is not aligned or BLKFRONT_REGISTERED_PAGES are registered. */
int blkfront_register(struct blkfront *bf, void *page);
/* Queued requests, polled (at most BLKIF_RING_SLOTS in flight): starts a 4 KiB request on a
 * registered page whose response carries `tag`; 0, or -1 when the page is not registered, the ring
 * is full or a write meets a read-only disk. Not to be mixed with blkfront_io while any is in flight. */
int blkfront_submit(struct blkfront *bf, int write, uint64_t sector, void *page, uint64_t tag);
/* Takes one response, never waiting: 1 with its tag and blkif status, else 0. */
int blkfront_reap(struct blkfront *bf, uint64_t *tag, int *status);

#endif
