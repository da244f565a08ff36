package io.javisor.ringio;

import io.javisor.memory.FrameAllocator;
import io.javisor.memory.GrantMapper;
import io.javisor.memory.GrantReferencePool;
import io.javisor.memory.GrantTable;
import io.javisor.memory.GrantTables;
import io.javisor.memory.GuestMemory;
import io.javisor.memory.GuestPageAllocator;
import io.javisor.memory.MachineMemory;
import io.javisor.ringio.event.EventChannelHub;
import io.javisor.ringio.event.EventChannels;
import io.javisor.ringio.xenstore.XenStore;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Just enough of a hypervisor to run split drivers without {@code core}: machine memory, grant
 * tables, event channels and xenstore, and {@link DomainResources} for dom0 and guests (4 grant
 * frames and 1024 event channels each). Used by the drivers' own tests; {@code core}'s Hypervisor
 * is the real thing.
 */
public final class StandaloneDomains implements AutoCloseable
{
    public final MachineMemory machine;
    public final FrameAllocator allocator;
    public final GrantTables grantTables = new GrantTables();
    public final EventChannelHub hub = new EventChannelHub();
    public final XenStore xenStore = new XenStore();

    public StandaloneDomains(final int machineMiB)
    {
        machine = MachineMemory.anonymous(machineMiB * 256);
        allocator = new FrameAllocator(machine);
    }

    /**
     * Builds domain {@code domid} with {@code memoryMiB} of memory; domid 0 is dom0.
     */
    public DomainResources domain(final int domid, final int memoryMiB)
    {
        final GuestMemory memory = GuestMemory.allocate(allocator, domid, memoryMiB * 256);
        final GrantTable table = new GrantTable(allocator, memory, 4);
        grantTables.register(table);
        final long sharedInfo = allocator.allocate(FrameAllocator.DOMID_XEN, 1);
        final UnsafeBuffer sharedInfoPage = new UnsafeBuffer(0, 0);
        machine.wrap(sharedInfo, 1, sharedInfoPage);
        final EventChannels events = new EventChannels(domid, hub, sharedInfoPage, 1024);
        if (domid != 0)
        {
            xenStore.introduceDomain(domid);
        }
        return new DomainResources(domid, memory, new GuestPageAllocator(memory, 0), table,
            new GrantReferencePool(8, table.entryCount() - 8), new GrantMapper(memory, grantTables), events, xenStore.connect(domid));
    }

    /**
     * Builds {@code domid} as a trusted back-end domain: its resources plus windows over machine memory.
     */
    public BackendResources backend(final int domid, final int memoryMiB)
    {
        return new BackendResources(domain(domid, memoryMiB), machine::newWindow);
    }

    @Override
    public void close()
    {
        machine.close();
    }
}
