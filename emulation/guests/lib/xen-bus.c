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
    }
    xs_unwatch(path, "be");
    /* Events of this watch still queued are stale from now on. */
    while (xs_wait_watch(event, sizeof event, 1) > 0)
        ;
    return state;
}
