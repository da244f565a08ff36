/* A xenstore client over this domain's store ring (xs_wire.h), as Linux's xenbus_xs: requests
 * written to the ring, the store notified, replies waited for on the store port (polled, masked).
 * Watch events that arrive meanwhile are kept for xs_wait_watch. Relative paths are relative to
 * /local/domain/<this domain>. Errors are Xen errnos (negative). One caller at a time. */
#ifndef XEN_STORE_H
#define XEN_STORE_H

#include "xen-hypercall.h"

#define XS_NO_TRANSACTION 0

int xs_init(void);
/* The value into buf (NUL-terminated, at most size - 1 bytes): its length, or an errno. */
int xs_read(uint32_t tx, const char *path, char *buf, int size);
/* The value as a decimal number, or `fallback` when it cannot be read. */
long xs_read_long(uint32_t tx, const char *path, long fallback);
int xs_write(uint32_t tx, const char *path, const char *value);
/* The children's names, each NUL-terminated, into buf: the bytes used, or an errno. */
int xs_directory(uint32_t tx, const char *path, char *buf, int size);
int xs_watch(const char *path, const char *token);
int xs_unwatch(const char *path, const char *token);
int xs_transaction_start(uint32_t *tx);
/* commit 1 or abort 0: 0, XEN_EAGAIN when it conflicted (start again), or an errno. */
int xs_transaction_end(uint32_t tx, int commit);
/* The next watch event (path into buf), waiting until `deadline` (time ticks): 1, 0 on timeout, or an errno. */
int xs_wait_watch(char *path, int size, uint64_t deadline);

/* The next watch event without waiting for one: 1 with its path in buf, 0 when none has arrived, or an
 * errno. Costs no hypercall when none has. */
int xs_take_watch_event(char *path, int size);
/* The store's event channel (masked unless a caller unmasks it to have watch events end an
 * evtchn_block), or an errno before xs_init. */
int xs_event_port(void);

/* Requests made, for statistics. */
extern uint64_t xs_requests;
/* Watch events that arrived while KEPT_EVENTS others were waiting to be taken, and were dropped. */
extern uint64_t xs_watch_events_dropped;

#endif
