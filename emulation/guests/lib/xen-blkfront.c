#include "xen-blkfront.h"
#include "xen-events.h"
#include "xen-grant.h"

static union
{
    struct xen_ring_header header;
    uint8_t bytes[4096];
} ring_page __attribute__((aligned(4096)));
#define SLOTS ((union blkif_slot *)(ring_page.bytes + 64))

static uint8_t pool[BLKFRONT_POOL_PAGES][4096] __attribute__((aligned(4096)));
static int pool_ref[BLKFRONT_POOL_PAGES];
static struct blkif_segment indirect_page[BLKIF_SEGMENTS_PER_INDIRECT_PAGE] __attribute__((aligned(4096)));
static int indirect_ref;
/* The request in flight as it was queued, to re-issue to a restarted back end. */
static union blkif_slot in_flight;

/* A polled wait looks for a watch event on the back end's state every WATCH_POLLS polls: shared
 * memory only (the store's ring), so a back end that lives costs no exit however slowly it answers
 * (a timed xenstore read of the state used to cost exits whenever the host kept the back end waiting). */
#define WATCH_POLLS 1024u
/* await_response's answer when the back end left Connected before it answered. */
#define BACKEND_LOST (-1000)

static void copy_bytes(void *to, const void *from, uint32_t n)
{
    if ((((uintptr_t)to | (uintptr_t)from | n) & 7) == 0)
    {
        uint64_t *d = to;
        const uint64_t *s = from;
        for (uint32_t i = 0; i < n / 8; i += 4)
        {
            /* n is a multiple of 512 here, so of 32. */
            d[i] = s[i]; d[i + 1] = s[i + 1]; d[i + 2] = s[i + 2]; d[i + 3] = s[i + 3];
        }
        return;
    }
    uint8_t *d = to;
    const uint8_t *s = from;
    while (n--)
        *d++ = *s++;
}

static int backend_feature(struct blkfront *bf, const char *key)
{
    char path[160];
    xenbus_path(path, sizeof path, bf->dev.backend, key);
    return (int)xs_read_long(XS_NO_TRANSACTION, path, 0);
}

static int write_keys(struct blkfront *bf, uint32_t tx)
{
    char path[96], value[16];
    int rc, n = 0;
    long v = bf->ring_ref;
    char digits[16];
    do { digits[n++] = (char)('0' + v % 10); v /= 10; } while (v);
    for (int i = 0; i < n; i++) value[i] = digits[n - 1 - i];
    value[n] = 0;
    xenbus_path(path, sizeof path, bf->dev.node, "ring-ref");
    if ((rc = xs_write(tx, path, value)))
        return rc;
    n = 0; v = bf->port;
    do { digits[n++] = (char)('0' + v % 10); v /= 10; } while (v);
    for (int i = 0; i < n; i++) value[i] = digits[n - 1 - i];
    value[n] = 0;
    xenbus_path(path, sizeof path, bf->dev.node, "event-channel");
    if ((rc = xs_write(tx, path, value)))
        return rc;
    xenbus_path(path, sizeof path, bf->dev.node, "protocol");
    if ((rc = xs_write(tx, path, "x86_64-abi")))
        return rc;
    xenbus_path(path, sizeof path, bf->dev.node, "feature-persistent");
    if ((rc = xs_write(tx, path, bf->persistent ? "1" : "0")))
        return rc;
    return xenbus_switch(&bf->dev, XENBUS_INITIALISED, tx);
}

static int handshake(struct blkfront *bf, int restarting);

int blkfront_connect(struct blkfront *bf)
{
    int rc;
    if ((rc = xen_events_init()) || (rc = gnttab_init()) || (rc = xs_init()))
        return rc;
    if ((rc = xenbus_find("vbd", &bf->dev)))
        return rc;
    rc = xenbus_wait_backend(&bf->dev, 1u << XENBUS_INIT_WAIT | 1u << XENBUS_CONNECTED, 5000);
    if (rc < 0)
        return rc;
    bf->persistent = backend_feature(bf, "feature-persistent") == 1;
    bf->max_indirect = backend_feature(bf, "feature-max-indirect-segments");
    /* One indirect page, and no more segments than the pool has pages. */
    if (bf->max_indirect > BLKFRONT_POOL_PAGES)
        bf->max_indirect = BLKFRONT_POOL_PAGES;
    bf->flush = backend_feature(bf, "feature-flush-cache") == 1;

    bf->ring_ref = gnttab_claim();
    gnttab_grant(bf->ring_ref, bf->dev.backend_id, &ring_page, 0);
    bf->port = evtchn_alloc_unbound(bf->dev.backend_id);
    if (bf->port < 0)
        return bf->port;
    for (int i = 0; i < BLKFRONT_POOL_PAGES; i++)
    {
        pool_ref[i] = gnttab_claim();
        if (bf->persistent)
            gnttab_grant(pool_ref[i], bf->dev.backend_id, pool[i], 0);
    }
    indirect_ref = gnttab_claim();
    gnttab_grant(indirect_ref, bf->dev.backend_id, indirect_page, 1);

    if ((rc = handshake(bf, 0)))
        return rc;
    /* Both modes learn of a lost back end from this watch (interrupt-driven: its event ends a block). */
    return xenbus_watch_backend(&bf->dev);
}

/* Ring reset, our keys published (Initialised), until both ends are Connected. `restarting`: the
 * back end is a new instance, which may go too before Connected (then BACKEND_LOST). */
static int handshake(struct blkfront *bf, int restarting)
{
    int rc;
    ring_page.header.req_prod = 0;
    ring_page.header.rsp_prod = 0;
    ring_page.header.req_event = 1;
    ring_page.header.rsp_event = 1;
    bf->req_prod_pvt = 0;
    bf->rsp_cons = 0;
    for (int attempt = 0; ; attempt++)
    {
        uint32_t tx;
        if ((rc = xs_transaction_start(&tx)))
            return rc;
        rc = write_keys(bf, tx);
        if (rc)
        {
            xs_transaction_end(tx, 0);
            return rc;
        }
        rc = xs_transaction_end(tx, 1);
        if (rc != XEN_EAGAIN || attempt == 8)
            break;
    }
    if (rc)
        return rc;
    const unsigned lost = restarting ? 1u << XENBUS_CLOSING | 1u << XENBUS_CLOSED : 0;
    rc = xenbus_wait_backend(&bf->dev, 1u << XENBUS_CONNECTED | lost, 5000);
    if (rc < 0)
        return rc;
    if (rc != XENBUS_CONNECTED)
        return BACKEND_LOST;
    bf->sectors = (uint64_t)backend_feature(bf, "sectors");
    bf->readonly = (backend_feature(bf, "info") & BLKIF_INFO_READONLY) != 0;
    return xenbus_switch(&bf->dev, XENBUS_CONNECTED, XS_NO_TRANSACTION);
}

/* The back end left Connected: waits for its next instance (InitWait) and connects to it with a
 * fresh event channel, as many times as instances go before Connected. The pool's persistent
 * grants and the ring's grant stay: they name the same back-end domain. */
static int reconnect(struct blkfront *bf)
{
    for (int attempt = 0; attempt < 16; attempt++)
    {
        xenbus_switch(&bf->dev, XENBUS_CLOSED, XS_NO_TRANSACTION);
        xenbus_switch(&bf->dev, XENBUS_INITIALISING, XS_NO_TRANSACTION);
        int rc = xenbus_wait_backend(&bf->dev, 1u << XENBUS_INIT_WAIT, 30000);
        if (rc < 0)
            return rc;
        evtchn_close(bf->port);
        bf->port = evtchn_alloc_unbound(bf->dev.backend_id);
        if (bf->port < 0)
            return bf->port;
        if (bf->interrupts)
            evtchn_unmask(bf->port);
        rc = handshake(bf, 1);
        if (rc != BACKEND_LOST)
        {
            if (rc == 0)
            {
                bf->reconnects++;
                /* Seen Connected just now; a later change comes as a watch event. */
                bf->dev.backend_state = XENBUS_CONNECTED;
            }
            return rc;
        }
    }
    return BACKEND_LOST;
}

void blkfront_set_interrupts(struct blkfront *bf, int on)
{
    bf->interrupts = on;
    bf->wakeups = 0;
    const int store = xs_event_port();
    if (on)
    {
        /* A wait for an event whose back end died would never end: the watch on the back end's state
         * has the store's event end it too. */
        xenbus_watch_backend(&bf->dev);
        evtchn_clear(store);
        evtchn_unmask(store);
        evtchn_unmask(bf->port);
    }
    else
    {
        if (store > 0)
            evtchn_mask(store);
        evtchn_mask(bf->port);
    }
}

/* Publishes the request just written and notifies the back end if it asked to be. */
static void push(struct blkfront *bf)
{
    const uint32_t old = ring_page.header.req_prod;
    const uint32_t now = ++bf->req_prod_pvt;
    /* One request is in flight at a time: asking for an event at the next response before the
     * request is visible means the back end notifies for exactly this response. */
    if (bf->interrupts)
        ring_page.header.rsp_event = bf->rsp_cons + 1;
    xen_wmb();
    ring_page.header.req_prod = now;
    xen_mb();
    if ((uint32_t)(now - ring_page.header.req_event) < (uint32_t)(now - old))
    {
        bf->notifies++;
        evtchn_send(bf->port);
    }
    bf->requests++;
}

/* Waits for the one response in flight and consumes it: its status. Interrupt-driven, it waits for
 * the response's event before it looks at the ring (as virtio's driver waits for its interrupt):
 * push() asked for an event on this very response, so while the back end lives the wait ends, and
 * every interrupt-driven request is completed by an event, however fast the back end was. A back end
 * that died sends no event: the store's event for the watch on its state ends the wait instead; a
 * response already in the ring is taken, else the back end is lost. */
static int await_response(struct blkfront *bf, uint64_t id)
{
    for (uint32_t polls = 1; ; polls++)
    {
        if (bf->interrupts)
        {
            /* Before blocking: an event of the store's may have been taken already by a xenstore
             * request, leaving its watch event kept and nothing to wake the block. */
            if (xenbus_backend_lost(&bf->dev))
            {
                /* Answered before it went: its event may never have been sent. */
                if (ring_page.header.rsp_prod != bf->rsp_cons)
                    break;
                bf->losses_seen_by_watch++;
                return BACKEND_LOST;
            }
            if (evtchn_block_for(bf->port))
                bf->wakeups++;
        }
        if (ring_page.header.rsp_prod != bf->rsp_cons)
            break;
        if (!bf->interrupts && polls % WATCH_POLLS == 0 && xenbus_backend_lost(&bf->dev))
        {
            if (ring_page.header.rsp_prod != bf->rsp_cons)
                break; /* answered before it went */
            bf->losses_seen_by_watch++;
            return BACKEND_LOST;
        }
    }
    xen_rmb();
    const struct blkif_response rsp = SLOTS[bf->rsp_cons & (BLKIF_RING_SLOTS - 1)].rsp;
    bf->rsp_cons++;
    return rsp.id == id ? rsp.status : -1;
}

static void fill_segments(struct blkif_segment *seg, const int *refs, uint32_t pages, uint32_t count)
{
    for (uint32_t p = 0; p < pages; p++)
    {
        const uint32_t in_page = count - p * 8 < 8 ? count - p * 8 : 8;
        seg[p].gref = (uint32_t)refs[p];
        seg[p].first_sect = 0;
        seg[p].last_sect = (uint8_t)(in_page - 1);
        seg[p].pad = 0;
    }
}

/* Pushes the request written in `slot` and waits for its response, re-issuing it to the back end's
 * next instance as often as the back end is lost before it answers. */
static int issue(struct blkfront *bf, const union blkif_slot *slot, uint64_t id)
{
    in_flight = *slot;
    push(bf);
    int status = await_response(bf, id);
    while (status == BACKEND_LOST)
    {
        const int rc = reconnect(bf);
        if (rc)
            return rc;
        SLOTS[bf->req_prod_pvt & (BLKIF_RING_SLOTS - 1)] = in_flight;
        bf->reissued++;
        push(bf);
        status = await_response(bf, id);
    }
    return status;
}

/* One request of at most BLKFRONT_POOL_PAGES pages, whose data is in (or goes to) the pages granted
 * with `refs`: the pool's, or one registered page (already granted, persistent). */
static int request(struct blkfront *bf, int write, uint64_t sector, uint32_t count, const int *refs)
{
    const uint32_t pages = (count + 7) / 8;
    const int grant_each = !bf->persistent && refs == pool_ref;
    if (grant_each)
        for (uint32_t p = 0; p < pages; p++)
            gnttab_grant(pool_ref[p], bf->dev.backend_id, pool[p], !write ? 0 : 1);
    union blkif_slot *slot = &SLOTS[bf->req_prod_pvt & (BLKIF_RING_SLOTS - 1)];
    const uint64_t id = ++bf->next_id;
    if (pages <= BLKIF_MAX_SEGMENTS)
    {
        slot->req.operation = write ? BLKIF_OP_WRITE : BLKIF_OP_READ;
        slot->req.nr_segments = (uint8_t)pages;
        slot->req.handle = (uint16_t)bf->dev.id;
        slot->req.id = id;
        slot->req.sector_number = sector;
        fill_segments(slot->req.seg, refs, pages, count);
    }
    else
    {
        fill_segments(indirect_page, refs, pages, count);
        slot->ind.operation = BLKIF_OP_INDIRECT;
        slot->ind.indirect_op = write ? BLKIF_OP_WRITE : BLKIF_OP_READ;
        slot->ind.nr_segments = (uint16_t)pages;
        slot->ind.id = id;
        slot->ind.sector_number = sector;
        slot->ind.handle = (uint16_t)bf->dev.id;
        slot->ind.indirect_grefs[0] = (uint32_t)indirect_ref;
        bf->indirect_requests++;
    }
    const int status = issue(bf, slot, id);
    if (grant_each)
        for (uint32_t p = 0; p < pages; p++)
            while (!gnttab_end(pool_ref[p]))
                ;
    return status;
}

int blkfront_register(struct blkfront *bf, void *page)
{
    if (!bf->persistent || ((uintptr_t)page & 4095) != 0 || bf->registered == BLKFRONT_REGISTERED_PAGES)
        return -1;
    const int ref = gnttab_claim();
    if (ref < 0)
        return -1;
    gnttab_grant(ref, bf->dev.backend_id, page, 0);
    bf->registered_page[bf->registered] = (uintptr_t)page;
    bf->registered_ref[bf->registered] = ref;
    bf->registered++;
    return 0;
}

/* The grant of a registered page, or 0 when `buf` is not one. */
static const int *registered_ref(const struct blkfront *bf, const void *buf)
{
    for (int i = 0; i < bf->registered; i++)
        if (bf->registered_page[i] == (uintptr_t)buf)
            return &bf->registered_ref[i];
    return 0;
}

int blkfront_io(struct blkfront *bf, int write, uint64_t sector, void *buf, uint32_t count)
{
    if (count == 0 || count > 8 * BLKFRONT_POOL_PAGES || (write && bf->readonly))
        return -1;
    if (count == 8)
    {
        const int *ref = registered_ref(bf, buf);
        if (ref)
        {
            bf->zero_copy++;
            return request(bf, write, sector, 8, ref) == BLKIF_RSP_OKAY ? 0 : -1;
        }
    }
    const uint32_t limit = bf->max_indirect >= BLKIF_MAX_SEGMENTS ?
        (uint32_t)bf->max_indirect * 8 : BLKIF_MAX_SEGMENTS * 8;
    uint8_t *data = buf;
    while (count > 0)
    {
        const uint32_t chunk = count < limit ? count : limit;
        if (write)
            copy_bytes(pool, data, chunk * 512);
        const int status = request(bf, write, sector, chunk, pool_ref);
        if (status != BLKIF_RSP_OKAY)
            return -1;
        if (!write)
            copy_bytes(data, pool, chunk * 512);
        data += chunk * 512;
        sector += chunk;
        count -= chunk;
    }
    return 0;
}

int blkfront_submit(struct blkfront *bf, int write, uint64_t sector, void *page, uint64_t tag)
{
    const int *ref = registered_ref(bf, page);
    /* Requests and responses share the slots: a slot is free once its response is consumed. */
    if (!ref || bf->req_prod_pvt - bf->rsp_cons >= BLKIF_RING_SLOTS || (write && bf->readonly))
        return -1;
    union blkif_slot *slot = &SLOTS[bf->req_prod_pvt & (BLKIF_RING_SLOTS - 1)];
    slot->req.operation = write ? BLKIF_OP_WRITE : BLKIF_OP_READ;
    slot->req.nr_segments = 1;
    slot->req.handle = (uint16_t)bf->dev.id;
    slot->req.id = tag;
    slot->req.sector_number = sector;
    fill_segments(slot->req.seg, ref, 1, 8);
    bf->zero_copy++;
    push(bf);
    return 0;
}

int blkfront_reap(struct blkfront *bf, uint64_t *tag, int *status)
{
    if (ring_page.header.rsp_prod == bf->rsp_cons)
        return 0;
    xen_rmb();
    const struct blkif_response rsp = SLOTS[bf->rsp_cons & (BLKIF_RING_SLOTS - 1)].rsp;
    bf->rsp_cons++;
    *tag = rsp.id;
    *status = rsp.status;
    return 1;
}

int blkfront_flush(struct blkfront *bf)
{
    if (!bf->flush)
        return 0;
    union blkif_slot *slot = &SLOTS[bf->req_prod_pvt & (BLKIF_RING_SLOTS - 1)];
    const uint64_t id = ++bf->next_id;
    slot->req.operation = BLKIF_OP_FLUSH_DISKCACHE;
    slot->req.nr_segments = 0;
    slot->req.handle = (uint16_t)bf->dev.id;
    slot->req.id = id;
    slot->req.sector_number = 0;
    return issue(bf, slot, id) == BLKIF_RSP_OKAY ? 0 : -1;
}
