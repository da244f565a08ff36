package io.javisor.ringio;

import io.javisor.memory.GrantMapper;
import io.javisor.memory.GrantReferencePool;
import io.javisor.memory.GrantTable;
import io.javisor.memory.GuestMemory;
import io.javisor.memory.GuestPageAllocator;
import io.javisor.ringio.event.EventChannels;
import io.javisor.ringio.xenstore.XenStoreConnection;

/**
 * What a domain's own drivers can use of it, and nothing else: its own memory and free pages, its
 * grant table and free references (as granter), its grant mapper (as grantee, which reaches another
 * domain's frames only through grants that domain made to it), its own event channels, and a
 * xenstore connection that acts as this domain only. This is what a guest receives; every part is
 * bound to {@link #domid()} when the hypervisor builds it, so a guest never names the domain it acts
 * as. The privileged view that back ends need is a different type, {@link BackendResources}.
 * <p>
 * Immutable; each part states its own thread safety.
 */
public record DomainResources(
    int domid,
    GuestMemory memory,
    GuestPageAllocator pages,
    GrantTable grantTable,
    GrantReferencePool grantReferences,
    GrantMapper grantMapper,
    EventChannels eventChannels,
    XenStoreConnection xenStore)
{
    public DomainResources
    {
        // Every part must be the same domain's: a mismatch would let one domain act as another.
        if (memory.domid() != domid || grantMapper.domid() != domid || eventChannels.domid() != domid ||
            xenStore.domid() != domid)
        {
            throw new IllegalArgumentException("resources of domain " + domid + " mix in another domain's parts");
        }
    }
}
