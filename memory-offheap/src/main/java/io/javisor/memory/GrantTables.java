package io.javisor.memory;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The hypervisor's index of grant tables by domain id: how a mapping domain's grant reference
 * (domid, ref) finds the granter's table. Lookups are lock-free reads of an array slot.
 */
public final class GrantTables
{
    private final AtomicReferenceArray<GrantTable> byDomid =
        new AtomicReferenceArray<>(GrantEntryDescriptor.DOMID_FIRST_RESERVED);

    public void register(final GrantTable table)
    {
        final int domid = table.domid();
        if (domid < 0 || domid >= GrantEntryDescriptor.DOMID_FIRST_RESERVED)
        {
            throw new IllegalArgumentException("domid out of range: " + domid);
        }
        if (!byDomid.compareAndSet(domid, null, table))
        {
            throw new IllegalStateException("domain " + domid + " already has a grant table");
        }
    }

    public void unregister(final GrantTable table)
    {
        byDomid.compareAndSet(table.domid(), table, null);
    }

    /**
     * @return the table of {@code domid}, or null when there is no such domain.
     */
    public GrantTable lookup(final int domid)
    {
        return domid >= 0 && domid < GrantEntryDescriptor.DOMID_FIRST_RESERVED ? byDomid.get(domid) : null;
    }
}
