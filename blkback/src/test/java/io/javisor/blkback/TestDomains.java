package io.javisor.blkback;

import io.javisor.memory.FrameAllocator;
import io.javisor.memory.GrantMapper;
import io.javisor.memory.GrantReferencePool;
import io.javisor.memory.GrantTable;
import io.javisor.memory.GrantTables;
import io.javisor.memory.GuestMemory;
import io.javisor.memory.GuestPageAllocator;
import io.javisor.memory.MachineMemory;
import io.javisor.ringio.DomainResources;
import io.javisor.ringio.event.EventChannelHub;
import io.javisor.ringio.event.EventChannels;
import io.javisor.ringio.xenstore.XenStore;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Just enough of a hypervisor for driver tests below core: machine memory, grant tables, event
 * channels and xenstore, and {@link DomainResources} for dom0 and guests.
 */
final class TestDomains implements AutoCloseable
{
    final MachineMemory machine;
    final FrameAllocator allocator;
    final GrantTables grantTables = new GrantTables();
    final EventChannelHub hub = new EventChannelHub();
    final XenStore xenStore = new XenStore();

    TestDomains(final int machineMiB)
    {
        machine = MachineMemory.anonymous(machineMiB * 256);
        allocator = new FrameAllocator(machine);
    }

    DomainResources domain(final int domid, final int memoryMiB)
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
            new GrantReferencePool(8, table.entryCount() - 8), new GrantMapper(memory, grantTables), events, xenStore,
            machine::newWindow);
    }

    @Override
    public void close()
    {
        machine.close();
    }
}
