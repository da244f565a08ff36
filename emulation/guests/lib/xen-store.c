#include "xen-store.h"
#include "xen-events.h"

uint64_t xs_requests;
uint64_t xs_watch_events_dropped;

static struct xen_store_ring *ring;
static int port = -1;
static uint32_t next_req_id = 1;
static char reply[XS_PAYLOAD_MAX + 1];
static int reply_len;

/* Watch events kept while a reply was awaited: their paths, NUL-separated, oldest first. */
#define KEPT_EVENTS 8
static char kept[KEPT_EVENTS][256];
static int kept_count;

static int xs_strlen(const char *s) { int n = 0; while (s[n]) n++; return n; }

int xs_init(void)
{
    if (ring)
        return 0;
    int rc = xen_events_init();
    if (rc)
        return rc;
    const long pfn = xen_param(XEN_PARAM_STORE_PFN);
    const long evtchn = xen_param(XEN_PARAM_STORE_EVTCHN);
    if (pfn < 0 || evtchn <= 0)
        return pfn < 0 ? (int)pfn : XEN_ENOENT;
    ring = (struct xen_store_ring *)(uintptr_t)(pfn << 12);
    port = (int)evtchn;
    return 0;
}

static int wait_store(uint64_t deadline)
{
    return evtchn_poll(port, deadline);
}

static int ring_write(const void *data, int len)
{
    const char *p = data;
    while (len > 0)
    {
        const uint32_t prod = ring->req_prod;
        xen_mb();
        const uint32_t space = 1024 - (prod - ring->req_cons);
        if (space == 0 || space > 1024)
        {
            if (space > 1024)
                return XEN_EIO;
            evtchn_send(port);
            wait_store(0);
            continue;
        }
        uint32_t n = (uint32_t)len < space ? (uint32_t)len : space;
        for (uint32_t i = 0; i < n; i++)
            ring->req[(prod + i) & 1023] = p[i];
        xen_wmb();
        ring->req_prod = prod + n;
        p += n;
        len -= (int)n;
    }
    return 0;
}

static int ring_read(void *data, int len, uint64_t deadline)
{
    char *p = data;
    while (len > 0)
    {
        const uint32_t cons = ring->rsp_cons;
        const uint32_t avail = ring->rsp_prod - cons;
        xen_rmb();
        if (avail == 0)
        {
            int rc = wait_store(deadline);
            if (rc <= 0)
                return rc == 0 ? XEN_ETIMEDOUT : rc;
            continue;
        }
        if (avail > 1024)
            return XEN_EIO;
        uint32_t n = (uint32_t)len < avail ? (uint32_t)len : avail;
        for (uint32_t i = 0; i < n; i++)
            p[i] = ring->rsp[(cons + i) & 1023];
        xen_mb();
        ring->rsp_cons = cons + n;
        evtchn_send(port);
        p += n;
        len -= (int)n;
    }
    return 0;
}

/* Reads one message; a watch event is kept (first string: the path) and 0 returned. */
static int read_message(uint32_t *req_id, uint32_t *type, uint64_t deadline)
{
    struct xs_header h;
    int rc = ring_read(&h, sizeof h, deadline);
    if (rc)
        return rc;
    if (h.len > XS_PAYLOAD_MAX)
        return XEN_EIO;
    rc = ring_read(reply, (int)h.len, deadline);
    if (rc)
        return rc;
    reply[h.len] = 0;
    reply_len = (int)h.len;
    *req_id = h.req_id;
    *type = h.type;
    if (h.type == XS_WATCH_EVENT)
    {
        if (kept_count < KEPT_EVENTS)
        {
            int i = 0;
            for (; i < 255 && reply[i]; i++)
                kept[kept_count][i] = reply[i];
            kept[kept_count][i] = 0;
            kept_count++;
        }
        else
            xs_watch_events_dropped++;
        return 0;
    }
    return 1;
}

static int error_number(const char *name)
{
    static const struct { const char *name; int number; } errors[] = {
        {"ENOENT", XEN_ENOENT}, {"EACCES", XEN_EACCES}, {"EEXIST", XEN_EEXIST}, {"EINVAL", XEN_EINVAL},
        {"EAGAIN", XEN_EAGAIN}, {"ENOSPC", XEN_ENOSPC}, {"EBUSY", XEN_EBUSY}, {"EPERM", XEN_EPERM},
        {"ENOSYS", XEN_ENOSYS}};
    for (unsigned i = 0; i < sizeof errors / sizeof errors[0]; i++)
    {
        const char *a = errors[i].name, *b = name;
        while (*a && *a == *b) { a++; b++; }
        if (!*a && !*b)
            return errors[i].number;
    }
    return XEN_EIO;
}

/* One request of up to two strings (the first NUL-terminated; the second with its NUL when
 * `terminate_second`); the reply payload is left in `reply`. Its length, or an errno. */
static int request(uint32_t type, uint32_t tx, const char *a, const char *b, int terminate_second)
{
    int rc = xs_init();
    if (rc)
        return rc;
    const int la = a ? xs_strlen(a) + 1 : 0;
    const int lb = b ? xs_strlen(b) + (terminate_second ? 1 : 0) : 0;
    if (la + lb > XS_PAYLOAD_MAX)
        return XEN_EINVAL;
    const struct xs_header h = { type, next_req_id++, tx, (uint32_t)(la + lb) };
    xs_requests++;
    if ((rc = ring_write(&h, sizeof h)) || (la && (rc = ring_write(a, la))) || (lb && (rc = ring_write(b, lb))))
        return rc;
    evtchn_send(port);
    const uint64_t deadline = xen_time() + 5000 * XEN_TICKS_PER_MS;
    for (;;)
    {
        uint32_t id, got;
        rc = read_message(&id, &got, deadline);
        if (rc < 0)
            return rc;
        if (rc == 0 || id != h.req_id)
            continue;
        return got == XS_ERROR ? error_number(reply) : reply_len;
    }
}

int xs_read(uint32_t tx, const char *path, char *buf, int size)
{
    int n = request(XS_READ, tx, path, 0, 0);
    if (n < 0)
        return n;
    if (n >= size)
        n = size - 1;
    for (int i = 0; i < n; i++)
        buf[i] = reply[i];
    buf[n] = 0;
    return n;
}

long xs_read_long(uint32_t tx, const char *path, long fallback)
{
    char value[32];
    int n = xs_read(tx, path, value, sizeof value);
    if (n <= 0)
        return fallback;
    long v = 0;
    for (int i = 0; i < n; i++)
    {
        if (value[i] < '0' || value[i] > '9')
            return fallback;
        v = v * 10 + (value[i] - '0');
    }
    return v;
}

int xs_write(uint32_t tx, const char *path, const char *value)
{
    int n = request(XS_WRITE, tx, path, value, 0);
    return n < 0 ? n : 0;
}

int xs_directory(uint32_t tx, const char *path, char *buf, int size)
{
    int n = request(XS_DIRECTORY, tx, path, 0, 0);
    if (n < 0)
        return n;
    if (n > size)
        return XEN_ENOSPC;
    for (int i = 0; i < n; i++)
        buf[i] = reply[i];
    return n;
}

int xs_watch(const char *path, const char *token)
{
    int n = request(XS_WATCH, XS_NO_TRANSACTION, path, token, 1);
    return n < 0 ? n : 0;
}

int xs_unwatch(const char *path, const char *token)
{
    int n = request(XS_UNWATCH, XS_NO_TRANSACTION, path, token, 1);
    return n < 0 ? n : 0;
}

int xs_transaction_start(uint32_t *tx)
{
    int n = request(XS_TRANSACTION_START, XS_NO_TRANSACTION, "", 0, 0);
    if (n < 0)
        return n;
    uint32_t id = 0;
    for (int i = 0; i < n && reply[i]; i++)
        id = id * 10 + (uint32_t)(reply[i] - '0');
    *tx = id;
    return 0;
}

int xs_transaction_end(uint32_t tx, int commit)
{
    int n = request(XS_TRANSACTION_END, tx, commit ? "T" : "F", 0, 0);
    return n < 0 ? n : 0;
}

/* Moves the oldest kept event's path into path (size bytes). */
static void take_kept(char *path, int size)
{
    int i = 0;
    for (; i < size - 1 && kept[0][i]; i++)
        path[i] = kept[0][i];
    path[i] = 0;
    for (int k = 1; k < kept_count; k++)
        for (int j = 0; j < 256; j++)
            kept[k - 1][j] = kept[k][j];
    kept_count--;
}

int xs_wait_watch(char *path, int size, uint64_t deadline)
{
    int rc = xs_init();
    if (rc)
        return rc;
    while (kept_count == 0)
    {
        uint32_t id, type;
        rc = read_message(&id, &type, deadline);
        if (rc == XEN_ETIMEDOUT)
            return 0;
        if (rc < 0)
            return rc;
        /* A stray reply (no request is outstanding) is dropped. */
    }
    take_kept(path, size);
    return 1;
}

int xs_take_watch_event(char *path, int size)
{
    int rc = xs_init();
    if (rc)
        return rc;
    /* A message begun in the ring is read whole: the store writes the rest of it at once. */
    while (kept_count == 0 && ring->rsp_prod != ring->rsp_cons)
    {
        uint32_t id, type;
        rc = read_message(&id, &type, xen_time() + 1000 * XEN_TICKS_PER_MS);
        if (rc < 0)
            return rc;
    }
    if (kept_count == 0)
        return 0;
    take_kept(path, size);
    return 1;
}

int xs_event_port(void)
{
    const int rc = xs_init();
    return rc ? rc : port;
}
