/* The grant table, v1, in one page of this guest's own RAM. References 0..7 are reserved, as Xen's. */
#ifndef XEN_GRANT_H
#define XEN_GRANT_H

#include "xen-hypercall.h"

#define GNTTAB_ENTRIES 512
#define GNTTAB_RESERVED 8

int gnttab_init(void);                 /* 0 or an errno */
int gnttab_claim(void);                /* a free reference, or -1 */
/* Lets `domid` map or copy the page at `page` (page aligned): domid and frame, then the flags. */
void gnttab_grant(int ref, int domid, const void *page, int readonly);
/* Revokes unless the grantee has it mapped or is copying: 1 when revoked. */
int gnttab_end(int ref);
void gnttab_release(int ref);          /* back to the free references (after gnttab_end) */

#endif
