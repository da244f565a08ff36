#include "xen-grant.h"

static struct xen_grant_entry table[GNTTAB_ENTRIES] __attribute__((aligned(4096)));
static uint16_t free_refs[GNTTAB_ENTRIES];
static int free_count;

int gnttab_init(void)
{
    static int done;
    if (done)
        return 0;
    struct xen_ret r = xen_call(XEN_GNTTAB_SETUP, (long)table, 1, 0);
    if (r.error)
        return (int)r.error;
    for (int ref = GNTTAB_ENTRIES - 1; ref >= GNTTAB_RESERVED; ref--)
        free_refs[free_count++] = (uint16_t)ref;
    done = 1;
    return 0;
}

int gnttab_claim(void)
{
    return free_count ? free_refs[--free_count] : -1;
}

void gnttab_release(int ref)
{
    free_refs[free_count++] = (uint16_t)ref;
}

void gnttab_grant(int ref, int domid, const void *page, int readonly)
{
    table[ref].domid = (uint16_t)domid;
    table[ref].frame = (uint32_t)((uintptr_t)page >> 12);
    xen_wmb();
    table[ref].flags = (uint16_t)(GTF_PERMIT_ACCESS | (readonly ? GTF_READONLY : 0));
}

int gnttab_end(int ref)
{
    /* flags and domid share one aligned word, which the hypervisor also changes with a CAS. */
    volatile uint32_t *word = (volatile uint32_t *)&table[ref];
    uint32_t old = *word;
    for (;;)
    {
        if (old & (GTF_READING | GTF_WRITING))
            return 0;
        if (__atomic_compare_exchange_n(word, &old, old & 0xFFFF0000u, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
            return 1;
    }
}
