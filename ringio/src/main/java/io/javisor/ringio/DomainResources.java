package io.javisor.ringio;

import io.javisor.memory.GrantMapper;
import io.javisor.memory.GrantReferencePool;
import io.javisor.memory.GrantTable;
import io.javisor.memory.GuestMemory;
import io.javisor.memory.GuestPageAllocator;
import io.javisor.memory.HostMemoryWindow;
import io.javisor.ringio.event.EventChannels;
import io.javisor.ringio.xenstore.XenStore;

import java.util.function.Supplier;

/**
 * What a driver running in a domain can use of it: the domain's own memory and free pages, its
 * grant table and free references (as granter), its grant mapper (as grantee), its event channels,
 * and xenstore. Front ends and back ends take this instead of the hypervisor, so that drivers
 * live below {@code core}; a driver reaches another domain only through grants and events.
 *
 * @param windows makes a new {@link HostMemoryWindow} for an IO thread.
 */
public record DomainResources(
    int domid,
    GuestMemory memory,
    GuestPageAllocator pages,
    GrantTable grantTable,
    GrantReferencePool grantReferences,
    GrantMapper grantMapper,
    EventChannels eventChannels,
    XenStore xenStore,
    Supplier<HostMemoryWindow> windows)
{
}
