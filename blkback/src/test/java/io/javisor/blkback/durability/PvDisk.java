package io.javisor.blkback.durability;

import io.javisor.blkback.BlkBackend;
import io.javisor.blkback.BlkFront;
import io.javisor.blkback.BlkFrontConfig;
import io.javisor.blkback.image.DiskImage;
import io.javisor.memory.FrameAllocator;
import io.javisor.memory.GrantMapper;
import io.javisor.memory.GrantReferencePool;
import io.javisor.memory.GrantTable;
import io.javisor.memory.GrantTables;
import io.javisor.memory.GuestMemory;
import io.javisor.memory.GuestPageAllocator;
import io.javisor.memory.MachineMemory;
import io.javisor.ringio.BackendResources;
import io.javisor.ringio.DomainResources;
import io.javisor.ringio.event.EventChannelHub;
import io.javisor.ringio.event.EventChannels;
import io.javisor.ringio.xenstore.XenStore;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A disk image reached the way a guest reaches it: a miniature hypervisor (machine memory, grant
 * tables, event channels, xenstore), a dom0 running {@link BlkBackend} with the image attached as
 * xvda of a Java guest, and that guest's {@link BlkFront} connected to it. Every byte read or
 * written through {@link #front()} crosses the shared ring and granted guest pages.
 * <p>
 * Closing releases everything except the image, which belongs to the caller.
 */
final class PvDisk implements AutoCloseable
{
    /** Linux's device number for xvda (202:0). */
    static final int XVDA = 51712;

    private static final int MACHINE_MIB = 64;
    private static final int DOM0_MIB = 8;
    private static final int GUEST_MIB = 16;
    private static final int GUEST_DOMID = 1;

    private final MachineMemory machine;
    private final FrameAllocator allocator;
    private final GrantTables grantTables = new GrantTables();
    private final EventChannelHub hub = new EventChannelHub();
    private final XenStore xenStore = new XenStore();
    private BlkBackend backend;
    private BlkFront front;

    private PvDisk()
    {
        machine = MachineMemory.anonymous(MACHINE_MIB * 256);
        allocator = new FrameAllocator(machine);
    }

    /**
     * Boots the two domains, attaches {@code image} and connects the front end.
     */
    static PvDisk attach(final DiskImage image, final BlkBackend.Mode mode, final boolean readOnly)
    {
        final PvDisk disk = new PvDisk();
        try
        {
            final DomainResources dom0 = disk.domain(0, DOM0_MIB);
            final DomainResources guest = disk.domain(GUEST_DOMID, GUEST_MIB);
            disk.backend = new BlkBackend(new BackendResources(dom0, disk.machine::newWindow), mode, "durability").start();
            disk.backend.attach(guest.domid(), XVDA, image, readOnly);
            disk.front = BlkFront.attach(guest, dom0.domid(), XVDA, BlkFrontConfig.defaults());
            return disk;
        }
        catch (final RuntimeException | Error ex)
        {
            disk.close();
            throw ex;
        }
    }

    private DomainResources domain(final int domid, final int memoryMiB)
    {
        final GuestMemory memory = GuestMemory.allocate(allocator, domid, memoryMiB * 256);
        final GrantTable grants = new GrantTable(allocator, memory, 4);
        grantTables.register(grants);
        // The shared-info page (event pending/mask bitmaps) is a hypervisor-owned frame.
        final UnsafeBuffer sharedInfo = new UnsafeBuffer(0, 0);
        machine.wrap(allocator.allocate(FrameAllocator.DOMID_XEN, 1), 1, sharedInfo);
        final EventChannels events = new EventChannels(domid, hub, sharedInfo, 1024);
        if (domid != 0)
        {
            xenStore.introduceDomain(domid);
        }
        // The first 8 grant references are reserved, as in Xen.
        final GrantReferencePool references = new GrantReferencePool(8, grants.entryCount() - 8);
        return new DomainResources(domid, memory, new GuestPageAllocator(memory, 0), grants, references,
            new GrantMapper(memory, grantTables), events, xenStore.connect(domid));
    }

    BlkFront front()
    {
        return front;
    }

    @Override
    public void close()
    {
        try
        {
            if (front != null)
            {
                front.close();
            }
        }
        finally
        {
            try
            {
                if (backend != null)
                {
                    backend.close();
                }
            }
            finally
            {
                machine.close();
            }
        }
    }
}
