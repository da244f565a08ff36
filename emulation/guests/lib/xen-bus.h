/* The front end's half of the xenbus handshake (xenbus states in xen-abi.h): find a device of a
 * class, publish this end's state, wait for the back end's through a watch. A front end that must
 * notice its back end going away (a driver domain that died) keeps a watch on the back end's state
 * (xenbus_watch_backend) and asks xenbus_backend_lost whenever it wakes: watch events mark the
 * devices they name, and only a marked device's state is read again, so a back end that stays
 * costs no xenstore traffic. */
#ifndef XEN_BUS_H
#define XEN_BUS_H

#include "xen-store.h"

struct xenbus_device
{
    char node[64];          /* device/<class>/<id>, relative to this domain's home */
    char backend[128];      /* the back end's directory */
    int backend_id;
    int id;
    int watching;           /* a watch on the back end's state is registered */
    int backend_changed;    /* a watch event named the back end's state since it was last read */
    int backend_state;      /* as last read for xenbus_backend_lost */
};

/* The first device of `class` ("vbd", "vif"): 0, or an errno (XEN_ENOENT when there is none). */
int xenbus_find(const char *class, struct xenbus_device *dev);
int xenbus_switch(struct xenbus_device *dev, int state, uint32_t tx);
int xenbus_backend_state(struct xenbus_device *dev);
/* Waits until the back end is in one of `states` (a bit mask of 1 << state) or `timeout_ms` passes:
 * the state, or an errno (XEN_ETIMEDOUT). */
int xenbus_wait_backend(struct xenbus_device *dev, unsigned states, unsigned timeout_ms);
/* Registers a watch on the back end's state (once) and reads that state; 0 or an errno. At most
 * XENBUS_WATCHED devices are watched. */
#define XENBUS_WATCHED 4
int xenbus_watch_backend(struct xenbus_device *dev);
/* With a watch registered: takes the watch events that have arrived (without waiting) and, when one
 * named this device's back end, reads its state again. 1 when the back end's state, as last read, is
 * not Connected. A caller that sleeps lets the store's event (xs_event_port) wake it. */
int xenbus_backend_lost(struct xenbus_device *dev);
/* path = base + "/" + key, into out (size bytes). */
void xenbus_path(char *out, int size, const char *base, const char *key);

#endif
