#include "xen-netfront.h"
#include "xen-events.h"
#include "xen-grant.h"

struct ring_page { struct xen_ring_header header; uint8_t slots[4096 - 64]; };
static struct ring_page tx_page __attribute__((aligned(4096)));
static struct ring_page rx_page __attribute__((aligned(4096)));
#define TX_SLOTS ((union netif_tx_slot *)tx_page.slots)
#define RX_SLOTS ((union netif_rx_slot *)rx_page.slots)
#define SLOT(i) ((i) & (NETIF_RING_SLOTS - 1))

static uint8_t rx_buffers[NETFRONT_RX_BUFFERS][4096] __attribute__((aligned(4096)));
static int rx_ref[NETFRONT_RX_BUFFERS];
static uint8_t tx_buffers[NETFRONT_TX_BUFFERS][4096] __attribute__((aligned(4096)));
static int tx_ref[NETFRONT_TX_BUFFERS];

static void copy_bytes(void *to, const void *from, uint32_t n)
{
    uint8_t *d = to;
    const uint8_t *s = from;
    if ((((uintptr_t)d | (uintptr_t)s) & 7) == 0)
    {
        for (; n >= 8; n -= 8, d += 8, s += 8)
            *(uint64_t *)d = *(const uint64_t *)s;
    }
    while (n--)
        *d++ = *s++;
}

static int hex_digit(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static int write_number(uint32_t tx, struct netfront *nf, const char *key, long v)
{
    char path[96], value[16], digits[16];
    int n = 0;
    do { digits[n++] = (char)('0' + v % 10); v /= 10; } while (v);
    for (int i = 0; i < n; i++) value[i] = digits[n - 1 - i];
    value[n] = 0;
    xenbus_path(path, sizeof path, nf->dev.node, key);
    return xs_write(tx, path, value);
}

static int write_keys(struct netfront *nf, uint32_t tx, int tx_ring_ref, int rx_ring_ref)
{
    char path[96];
    int rc;
    if ((rc = write_number(tx, nf, "tx-ring-ref", tx_ring_ref)) || (rc = write_number(tx, nf, "rx-ring-ref", rx_ring_ref)) ||
        (rc = write_number(tx, nf, "event-channel", nf->port)))
        return rc;
    xenbus_path(path, sizeof path, nf->dev.node, "request-rx-copy");
    if ((rc = xs_write(tx, path, "1")))
        return rc;
    xenbus_path(path, sizeof path, nf->dev.node, "feature-rx-notify");
    if ((rc = xs_write(tx, path, "1")))
        return rc;
    return xenbus_switch(&nf->dev, XENBUS_INITIALISED, tx);
}

/* Publishes requests up to `prod` on a ring; 1 when the back end asked to be told. */
static int push(struct xen_ring_header *ring, uint32_t prod)
{
    const uint32_t old = ring->req_prod;
    xen_wmb();
    ring->req_prod = prod;
    xen_mb();
    return (uint32_t)(prod - ring->req_event) < (uint32_t)(prod - old);
}

/* Both rings empty, every transmit page free and every receive buffer posted: a fresh start, for
 * the back end's first instance or its next. */
static void reset_rings(struct netfront *nf)
{
    tx_page.header.req_prod = tx_page.header.rsp_prod = 0;
    tx_page.header.req_event = tx_page.header.rsp_event = 1;
    rx_page.header.req_prod = rx_page.header.rsp_prod = 0;
    rx_page.header.req_event = rx_page.header.rsp_event = 1;
    nf->tx_prod_pvt = nf->tx_rsp_cons = nf->rx_prod_pvt = nf->rx_rsp_cons = 0;
    nf->tx_free_count = 0;
    for (int i = 0; i < NETFRONT_TX_BUFFERS; i++)
        nf->tx_free[nf->tx_free_count++] = i;
    for (int i = 0; i < NETFRONT_RX_BUFFERS; i++)
    {
        union netif_rx_slot *slot = &RX_SLOTS[SLOT(nf->rx_prod_pvt++)];
        slot->req.id = (uint16_t)i;
        slot->req.pad = 0;
        slot->req.gref = (uint32_t)rx_ref[i];
    }
    push(&rx_page.header, nf->rx_prod_pvt);
}

/* Our keys published and Initialised, in one transaction (retried when it conflicts). */
static int publish(struct netfront *nf)
{
    int rc;
    for (int attempt = 0; ; attempt++)
    {
        uint32_t tx;
        if ((rc = xs_transaction_start(&tx)))
            return rc;
        if ((rc = write_keys(nf, tx, nf->tx_ring_ref, nf->rx_ring_ref)))
        {
            xs_transaction_end(tx, 0);
            return rc;
        }
        rc = xs_transaction_end(tx, 1);
        if (rc != XEN_EAGAIN || attempt == 8)
            return rc;
    }
}

int netfront_connect(struct netfront *nf)
{
    int rc;
    if ((rc = xen_events_init()) || (rc = gnttab_init()) || (rc = xs_init()))
        return rc;
    if ((rc = xenbus_find("vif", &nf->dev)))
        return rc;
    rc = xenbus_wait_backend(&nf->dev, 1u << XENBUS_INIT_WAIT | 1u << XENBUS_CONNECTED, 5000);
    if (rc < 0)
        return rc;
    char path[96], mac[24];
    xenbus_path(path, sizeof path, nf->dev.node, "mac");
    if (xs_read(XS_NO_TRANSACTION, path, mac, sizeof mac) != 17)
        return XEN_EINVAL;
    for (int i = 0; i < 6; i++)
    {
        const int hi = hex_digit(mac[3 * i]), lo = hex_digit(mac[3 * i + 1]);
        if (hi < 0 || lo < 0)
            return XEN_EINVAL;
        nf->mac[i] = (uint8_t)(hi << 4 | lo);
    }

    nf->tx_ring_ref = gnttab_claim();
    nf->rx_ring_ref = gnttab_claim();
    gnttab_grant(nf->tx_ring_ref, nf->dev.backend_id, &tx_page, 0);
    gnttab_grant(nf->rx_ring_ref, nf->dev.backend_id, &rx_page, 0);
    nf->port = evtchn_alloc_unbound(nf->dev.backend_id);
    if (nf->port < 0)
        return nf->port;
    for (int i = 0; i < NETFRONT_TX_BUFFERS; i++)
    {
        tx_ref[i] = gnttab_claim();
        gnttab_grant(tx_ref[i], nf->dev.backend_id, tx_buffers[i], 1);
    }
    for (int i = 0; i < NETFRONT_RX_BUFFERS; i++)
    {
        rx_ref[i] = gnttab_claim();
        gnttab_grant(rx_ref[i], nf->dev.backend_id, rx_buffers[i], 0);
    }
    reset_rings(nf);
    if ((rc = publish(nf)))
        return rc;
    rc = xenbus_wait_backend(&nf->dev, 1u << XENBUS_CONNECTED, 5000);
    if (rc < 0)
        return rc;
    if ((rc = xenbus_switch(&nf->dev, XENBUS_CONNECTED, XS_NO_TRANSACTION)))
        return rc;
    if ((rc = xenbus_watch_backend(&nf->dev)))
        return rc;
    /* The store's replies left its port pending: the first wait should not end for that. */
    evtchn_clear(xs_event_port());
    return 0;
}

/* The back end left Connected: the frames in flight are lost; waits for its next instance (InitWait)
 * and connects to it with a fresh event channel, both rings reset and every receive buffer posted
 * again, as many times as instances go before Connected. The grants stay: they name the same
 * back-end domain. */
static void reclaim_tx(struct netfront *nf);

static int reconnect(struct netfront *nf)
{
    for (int attempt = 0; attempt < 16; attempt++)
    {
        xenbus_switch(&nf->dev, XENBUS_CLOSED, XS_NO_TRANSACTION);
        xenbus_switch(&nf->dev, XENBUS_INITIALISING, XS_NO_TRANSACTION);
        int rc = xenbus_wait_backend(&nf->dev, 1u << XENBUS_INIT_WAIT, 30000);
        if (rc < 0)
            return rc;
        evtchn_close(nf->port);
        nf->port = evtchn_alloc_unbound(nf->dev.backend_id);
        if (nf->port < 0)
            return nf->port;
        reclaim_tx(nf);
        nf->frames_lost += NETFRONT_TX_BUFFERS - nf->tx_free_count;
        reset_rings(nf);
        if ((rc = publish(nf)))
            return rc;
        rc = xenbus_wait_backend(&nf->dev, 1u << XENBUS_CONNECTED | 1u << XENBUS_CLOSING | 1u << XENBUS_CLOSED, 5000);
        if (rc < 0)
            return rc;
        if (rc != XENBUS_CONNECTED)
            continue;
        if ((rc = xenbus_switch(&nf->dev, XENBUS_CONNECTED, XS_NO_TRANSACTION)))
            return rc;
        /* Seen Connected just now; a later change comes as a watch event. */
        nf->dev.backend_state = XENBUS_CONNECTED;
        /* The back end may have looked at the receive ring before it bound the channel. */
        evtchn_send(nf->port);
        nf->reconnects++;
        return 0;
    }
    return XEN_EIO;
}

/* Reconnects when the watch on the back end's state says it left Connected: 1 when it did (with
 * nf->failed set if the front end could not connect again), else 0. No hypercall while it stays. */
static int recover(struct netfront *nf)
{
    if (nf->failed || !xenbus_backend_lost(&nf->dev))
        return 0;
    const int rc = reconnect(nf);
    if (rc)
        nf->failed = rc;
    return 1;
}

/* Takes back the transmit pages whose responses have come. */
static void reclaim_tx(struct netfront *nf)
{
    const uint32_t prod = tx_page.header.rsp_prod;
    xen_rmb();
    while (nf->tx_rsp_cons != prod)
    {
        const struct netif_tx_response rsp = TX_SLOTS[SLOT(nf->tx_rsp_cons++)].rsp;
        if (rsp.id < NETFRONT_TX_BUFFERS && nf->tx_free_count < NETFRONT_TX_BUFFERS)
            nf->tx_free[nf->tx_free_count++] = rsp.id;
    }
}

int netfront_send(struct netfront *nf, const void *frame, uint32_t len)
{
    if (len == 0 || len > 4096)
        return -1;
    recover(nf);
    if (nf->failed)
        return -1;
    const uint64_t give_up = xen_time() + 1000 * XEN_TICKS_PER_MS;
    reclaim_tx(nf);
    while (nf->tx_free_count == 0)
    {
        /* Every page is in flight: ask for an event at the next response, then wait for it (or for
         * the store's event that the back end went, which frees every page). */
        tx_page.header.rsp_event = nf->tx_rsp_cons + 1;
        xen_mb();
        reclaim_tx(nf);
        if (nf->tx_free_count)
            break;
        if (evtchn_poll_either(nf->port, xs_event_port(), give_up) <= 0)
            return -1;
        if (recover(nf) && nf->failed)
            return -1;
        reclaim_tx(nf);
    }
    const int id = nf->tx_free[--nf->tx_free_count];
    copy_bytes(tx_buffers[id], frame, len);
    union netif_tx_slot *slot = &TX_SLOTS[SLOT(nf->tx_prod_pvt++)];
    slot->req.gref = (uint32_t)tx_ref[id];
    slot->req.offset = 0;
    slot->req.flags = 0;
    slot->req.id = (uint16_t)id;
    slot->req.size = (uint16_t)len;
    if (push(&tx_page.header, nf->tx_prod_pvt))
    {
        nf->tx_notifies++;
        evtchn_send(nf->port);
    }
    nf->sent++;
    return 0;
}

uint32_t netfront_recv(struct netfront *nf, void *buf, uint32_t size)
{
    for (;;)
    {
        const uint32_t prod = rx_page.header.rsp_prod;
        xen_rmb();
        if (nf->rx_rsp_cons == prod)
            return 0;
        const struct netif_rx_response rsp = RX_SLOTS[SLOT(nf->rx_rsp_cons++)].rsp;
        const int good = rsp.id < NETFRONT_RX_BUFFERS && rsp.status > 0 && !(rsp.flags & NETRXF_MORE_DATA) &&
            (uint32_t)rsp.status <= size && rsp.offset + (uint32_t)rsp.status <= 4096;
        if (good)
            copy_bytes(buf, rx_buffers[rsp.id] + rsp.offset, (uint32_t)rsp.status);
        else
            nf->dropped++;
        /* The buffer goes back at once, under the id the back end answered with. */
        const int id = rsp.id < NETFRONT_RX_BUFFERS ? rsp.id : 0;
        union netif_rx_slot *slot = &RX_SLOTS[SLOT(nf->rx_prod_pvt++)];
        slot->req.id = (uint16_t)id;
        slot->req.pad = 0;
        slot->req.gref = (uint32_t)rx_ref[id];
        if (push(&rx_page.header, nf->rx_prod_pvt))
        {
            nf->rx_notifies++;
            evtchn_send(nf->port);
        }
        if (good)
        {
            nf->received++;
            return (uint32_t)rsp.status;
        }
    }
}

int netfront_wait(struct netfront *nf, uint64_t deadline)
{
    for (;;)
    {
        if (recover(nf))
            return !nf->failed;
        if (nf->failed)
            return 0;
        rx_page.header.rsp_event = nf->rx_rsp_cons + 1;
        xen_mb();
        if (rx_page.header.rsp_prod != nf->rx_rsp_cons)
            return 1;
        const int ready = evtchn_poll_either(nf->port, xs_event_port(), deadline);
        if (ready < 0)
            return 0;
        if (ready & 1)
        {
            nf->events++;
            return 1;
        }
        if (ready == 0)
            return 0;
        /* Only the store's event: a watch event, perhaps the back end's going. */
    }
}
