/* The front end's half of the xenbus handshake (xenbus states in xen-abi.h): find a device of a
 * class, publish this end's state, wait for the back end's through a watch. */
#ifndef XEN_BUS_H
#define XEN_BUS_H

#include "xen-store.h"

struct xenbus_device
{
    char node[64];          /* device/<class>/<id>, relative to this domain's home */
    char backend[128];      /* the back end's directory */
    int backend_id;
    int id;
};

/* The first device of `class` ("vbd", "vif"): 0, or an errno (XEN_ENOENT when there is none). */
int xenbus_find(const char *class, struct xenbus_device *dev);
int xenbus_switch(struct xenbus_device *dev, int state, uint32_t tx);
int xenbus_backend_state(struct xenbus_device *dev);
/* Waits until the back end is in one of `states` (a bit mask of 1 << state) or `timeout_ms` passes:
 * the state, or an errno (XEN_ETIMEDOUT). */
int xenbus_wait_backend(struct xenbus_device *dev, unsigned states, unsigned timeout_ms);
/* path = base + "/" + key, into out (size bytes). */
void xenbus_path(char *out, int size, const char *base, const char *key);

#endif
