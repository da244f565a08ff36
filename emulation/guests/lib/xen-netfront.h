/* netfront: a Xen PV network front end in guest code, as Linux's xen-netfront with rx-copy. Every
 * receive buffer (a page of this guest's, granted writable once) stays posted on the rx ring and is
 * reposted as soon as its frame is copied out; the back end is told of reposted buffers only when it
 * asked to be (feature-rx-notify). A frame to send is copied into a transmit page (granted read-only
 * once) and pushed on the tx ring, the back end notified only when it asked to be (notification
 * suppression); transmit pages come back as their responses are found, without an event for them.
 * Waiting for a frame polls the event channel (masked) with a deadline, and the store's channel with
 * it: a watch on the back end's state tells of a back end that went away (a driver domain killed).
 * Then the frames in flight are lost, as on a wire whose switch restarts, and the front end connects
 * again to the back end's next instance (as Linux's netfront does on resume): the next wait or send
 * notices, reconnects and carries on. */
#ifndef XEN_NETFRONT_H
#define XEN_NETFRONT_H

#include "xen-bus.h"

#define NETFRONT_RX_BUFFERS 64
#define NETFRONT_TX_BUFFERS 16

struct netfront
{
    struct xenbus_device dev;
    uint8_t mac[6];
    int port;
    uint32_t tx_prod_pvt, tx_rsp_cons;
    uint32_t rx_prod_pvt, rx_rsp_cons;
    int tx_free[NETFRONT_TX_BUFFERS];
    int tx_free_count;
    uint64_t sent, received, dropped;
    uint64_t tx_notifies;      /* sends after which the back end had to be told */
    uint64_t rx_notifies;      /* reposts after which the back end had to be told */
    uint64_t events;           /* waits ended by the back end's event */
    uint64_t reconnects;       /* handshakes again with a restarted back end */
    uint64_t frames_lost;      /* frames sent to a back end that went before answering them */
    int tx_ring_ref, rx_ring_ref;
    int failed;                /* the errno that ended a reconnect: the front end is dead */
};

/* Finds the first vif and connects: 0, or an errno. */
int netfront_connect(struct netfront *nf);
/* One frame (≤ 4096 bytes, one page): 0, or -1 (also once a reconnect failed). */
int netfront_send(struct netfront *nf, const void *frame, uint32_t len);
/* The next frame into buf (size bytes): its length, 0 when none has arrived. A frame longer than
 * size, or one the back end marked bad, is dropped (and counted). */
uint32_t netfront_recv(struct netfront *nf, void *buf, uint32_t size);
/* After netfront_recv found nothing: sleep until the back end's event (1) or `deadline` (0). A back end
 * that went away is reconnected first (1, or 0 when that failed). */
int netfront_wait(struct netfront *nf, uint64_t deadline);

#endif
