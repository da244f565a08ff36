package io.javisor.ringio;

import io.javisor.memory.GrantMapper;
import io.javisor.memory.GrantReferencePool;
import io.javisor.memory.GrantTable;
import io.javisor.memory.GuestMemory;
import io.javisor.memory.GuestPageAllocator;
import io.javisor.memory.HostMemoryWindow;
import io.javisor.ringio.event.EventChannels;
import io.javisor.ringio.xenstore.XenStoreConnection;

import java.util.function.Supplier;

/**
 * The privileged view a back end in a trusted back-end domain (dom0) runs with: its domain's own
 * {@link DomainResources}, plus {@link HostMemoryWindow}s over machine memory through which its IO
 * threads hand granted frames to file channels without a copy. Only the hypervisor makes one, and
 * only for dom0; a guest's resources are a {@link DomainResources} and cannot become one, so the
 * compiler keeps guest code away from machine memory.
 * <p>
 * Immutable; each part states its own thread safety.
 *
 * @param domain  the back-end domain's own resources.
 * @param windows makes a new {@link HostMemoryWindow} for one IO thread.
 */
public record BackendResources(DomainResources domain, Supplier<HostMemoryWindow> windows)
{
    public int domid()
    {
        return domain.domid();
    }

    public GuestMemory memory()
    {
        return domain.memory();
    }

    public GuestPageAllocator pages()
    {
        return domain.pages();
    }

    public GrantTable grantTable()
    {
        return domain.grantTable();
    }

    public GrantReferencePool grantReferences()
    {
        return domain.grantReferences();
    }

    public GrantMapper grantMapper()
    {
        return domain.grantMapper();
    }

    public EventChannels eventChannels()
    {
        return domain.eventChannels();
    }

    public XenStoreConnection xenStore()
    {
        return domain.xenStore();
    }
}
