#include "xen-bus.h"

static int append(char *out, int at, int size, const char *s)
{
    while (*s && at < size - 1)
        out[at++] = *s++;
    out[at] = 0;
    return at;
}

static int append_dec(char *out, int at, int size, unsigned long v)
{
    char digits[24];
    int n = 0;
    do { digits[n++] = (char)('0' + v % 10); v /= 10; } while (v);
    while (n && at < size - 1)
        out[at++] = digits[--n];
    out[at] = 0;
    return at;
}

void xenbus_path(char *out, int size, const char *base, const char *key)
{
    int at = append(out, 0, size, base);
    at = append(out, at, size, "/");
    append(out, at, size, key);
}

int xenbus_find(const char *class, struct xenbus_device *dev)
{
    char dir[32], names[256], path[160];
    int at = append(dir, 0, sizeof dir, "device/");
    append(dir, at, sizeof dir, class);
    int n = xs_directory(XS_NO_TRANSACTION, dir, names, sizeof names);
    if (n < 0)
        return n;
    if (n == 0)
        return XEN_ENOENT;
    long id = 0;
    for (int i = 0; i < n && names[i]; i++)
        id = id * 10 + (names[i] - '0');
    dev->id = (int)id;
    at = append(dev->node, 0, sizeof dev->node, dir);
    at = append(dev->node, at, sizeof dev->node, "/");
    append_dec(dev->node, at, sizeof dev->node, (unsigned long)id);
    xenbus_path(path, sizeof path, dev->node, "backend");
    n = xs_read(XS_NO_TRANSACTION, path, dev->backend, sizeof dev->backend);
    if (n < 0)
        return n;
    xenbus_path(path, sizeof path, dev->node, "backend-id");
    dev->backend_id = (int)xs_read_long(XS_NO_TRANSACTION, path, -1);
    return dev->backend_id < 0 ? XEN_EINVAL : 0;
}

int xenbus_switch(struct xenbus_device *dev, int state, uint32_t tx)
{
    char path[96], value[4];
    xenbus_path(path, sizeof path, dev->node, "state");
    append_dec(value, 0, sizeof value, (unsigned long)state);
    return xs_write(tx, path, value);
}

int xenbus_backend_state(struct xenbus_device *dev)
{
    char path[160];
    xenbus_path(path, sizeof path, dev->backend, "state");
    return (int)xs_read_long(XS_NO_TRANSACTION, path, 0);
}

/* The devices whose back-end state is watched: the watch events taken are matched against them. */
static struct xenbus_device *watched[XENBUS_WATCHED];
static int watched_count;

static int same_path(const char *a, const char *b)
{
    while (*a && *a == *b)
    {
        a++;
        b++;
    }
    return *a == *b;
}

/* With watch events dropped since it last looked (the store client's queue was full), marks every
 * watched device: a dropped event may have named any. */
static void note_dropped(void)
{
    static uint64_t dropped_seen;
    if (xs_watch_events_dropped == dropped_seen)
        return;
    dropped_seen = xs_watch_events_dropped;
    for (int i = 0; i < watched_count; i++)
        watched[i]->backend_changed = 1;
}

/* Marks the watched device whose back-end state is `path`. */
static void note_event(const char *path)
{
    char state_path[160];
    note_dropped();
    for (int i = 0; i < watched_count; i++)
    {
        xenbus_path(state_path, sizeof state_path, watched[i]->backend, "state");
        if (same_path(path, state_path))
            watched[i]->backend_changed = 1;
    }
}

int xenbus_watch_backend(struct xenbus_device *dev)
{
    if (dev->watching)
        return 0;
    if (watched_count == XENBUS_WATCHED)
        return XEN_ENOSPC;
    char path[160], event[160];
    xenbus_path(path, sizeof path, dev->backend, "state");
    int rc = xs_watch(path, "backend-state");
    if (rc)
        return rc;
    watched[watched_count++] = dev;
    dev->watching = 1;
    /* The watch fires once when registered: that event is taken here, not by the first wait. */
    const uint64_t deadline = xen_time() + 1000 * XEN_TICKS_PER_MS;
    while ((rc = xs_wait_watch(event, sizeof event, deadline)) > 0 && !same_path(event, path))
        note_event(event);
    if (rc < 0)
        return rc;
    dev->backend_changed = 0;
    dev->backend_state = xenbus_backend_state(dev);
    return 0;
}

int xenbus_backend_lost(struct xenbus_device *dev)
{
    char event[160];
    while (xs_take_watch_event(event, sizeof event) > 0)
        note_event(event);
    note_dropped();
    if (dev->backend_changed)
    {
        /* Cleared before the read: a change after it marks the device again. */
        dev->backend_changed = 0;
        dev->backend_state = xenbus_backend_state(dev);
    }
    return dev->backend_state != XENBUS_CONNECTED;
}

int xenbus_wait_backend(struct xenbus_device *dev, unsigned states, unsigned timeout_ms)
{
    char path[160], event[160];
    xenbus_path(path, sizeof path, dev->backend, "state");
    int rc = xs_watch(path, "be");
    if (rc)
        return rc;
    const uint64_t deadline = xen_time() + timeout_ms * XEN_TICKS_PER_MS;
    int state;
    for (;;)
    {
        state = xenbus_backend_state(dev);
        if (states & (1u << state))
            break;
        rc = xs_wait_watch(event, sizeof event, deadline);
        if (rc <= 0)
        {
            state = rc == 0 ? XEN_ETIMEDOUT : rc;
            break;
        }
        note_event(event);
    }
    xs_unwatch(path, "be");
    /* Events still queued are this watch's, stale from now on, or a kept watch's, noted. */
    while (xs_wait_watch(event, sizeof event, 1) > 0)
        note_event(event);
    return state;
}
