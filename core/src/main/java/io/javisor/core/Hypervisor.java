package io.javisor.core;

import io.javisor.memory.FrameAllocator;
import io.javisor.memory.GrantMapper;
import io.javisor.memory.GrantTable;
import io.javisor.memory.GrantTables;
import io.javisor.memory.GuestMemory;
import io.javisor.memory.MachineMemory;
import io.javisor.memory.PageDescriptor;
import io.javisor.ringio.BackendResources;
import io.javisor.ringio.event.EventChannelHub;
import io.javisor.ringio.event.EventChannels;
import io.javisor.ringio.xenstore.XenStore;
import org.agrona.concurrent.UnsafeBuffer;

import io.javisor.core.hypercall.DomainHypercalls;
import io.javisor.core.sched.CreditParams;
import io.javisor.core.sched.CreditScheduler;
import io.javisor.core.sched.VcpuView;
import io.javisor.emulation.machine.Board;
import io.javisor.emulation.machine.BootMode;
import io.javisor.emulation.machine.MachineConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The hypervisor proper, as Xen's: the machine frame pool, the domains from create to destroy, the
 * index of grant tables and event channels, xenstore, and the scheduler that runs guest-code vCPUs.
 * dom0, the runtime itself, exists from start-up with id 0. What Xen keeps in dom0 is apart:
 * {@link Dom0Backends} (back ends, bridges, device models; {@link #backends()}) and
 * {@link GuestRingServices} (xenstore and console rings of guest-code domains); the toolstack
 * ({@code io.javisor.core.toolstack.Toolstack}) drives both.
 * <p>
 * Domain creation and destruction are control-plane operations serialised by this object's
 * monitor; the data plane (rings, grants, events) never takes it. Guest-code vCPUs run on the
 * {@link CreditScheduler}'s pool when the config has one (the default), else on a thread each.
 */
public final class Hypervisor implements AutoCloseable
{
    public static final int DOM0 = 0;
    /** Domain ids go up to 0x7FEF; the rest are reserved, as in Xen. */
    public static final int MAX_DOMID = 0x7FEF;

    private final MachineMemory machineMemory;
    private final FrameAllocator allocator;
    private final GrantTables grantTables = new GrantTables();
    private final EventChannelHub eventChannelHub = new EventChannelHub();
    private final XenStore xenStore = new XenStore();
    private final ConcurrentMap<Integer, Domain> domains = new ConcurrentHashMap<>();
    /** The live domains by name (a dying one keeps its name until it is gone), as {@link #domains}. */
    private final ConcurrentMap<String, Domain> domainsByName = new ConcurrentHashMap<>();
    private final ConcurrentMap<Integer, HvmGuest> hvmGuests = new ConcurrentHashMap<>();
    private final Domain dom0;
    /** dom0's back ends, bridges and device models. */
    private final Dom0Backends backends;
    /** dom0's xenstore and console rings for guest-code domains. */
    private final GuestRingServices guestRings;
    /** Runs every guest-code vCPU (its pool starts with the first, lives until close), or null: a thread per vCPU. */
    private final CreditScheduler scheduler;
    private int nextDomid = 1;
    private boolean closed;

    public Hypervisor(final HypervisorConfig config)
    {
        final long frames = (long)config.machineMemoryMiB() * (1 << 20) / PageDescriptor.PAGE_SIZE;
        if (config.machineMemoryMiB() <= 0 || frames > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException("machine memory: " + config.machineMemoryMiB() + " MiB is out of range");
        }
        machineMemory = config.machineMemoryFile() == null ?
            MachineMemory.anonymous((int)frames) : MachineMemory.fileBacked(config.machineMemoryFile(), (int)frames);
        allocator = new FrameAllocator(machineMemory);
        scheduler = config.scheduler() == null ? null : new CreditScheduler(config.scheduler());
        // dom0 binds one port per PV device of every guest: its port count is the hypervisor's
        // setting, beyond the 2-level ABI's limit if need be (its back ends are Java code).
        dom0 = build(DOM0, DomainConfig.pv("Domain-0", config.dom0MemoryMiB()).validate()
            .withMaxEventChannels(config.dom0EventChannels()));
        backends = new Dom0Backends(xenStore, config.backendThreading(),
            new BackendResources(dom0.resources(), machineMemory::newWindow));
        guestRings = new GuestRingServices(xenStore, dom0);
        dom0.unpause();
    }

    public static Hypervisor start()
    {
        return new Hypervisor(HypervisorConfig.defaults());
    }

    public Domain dom0()
    {
        return dom0;
    }

    public XenStore xenStore()
    {
        return xenStore;
    }

    public FrameAllocator frameAllocator()
    {
        return allocator;
    }

    public GrantTables grantTables()
    {
        return grantTables;
    }

    public EventChannelHub eventChannelHub()
    {
        return eventChannelHub;
    }

    /**
     * dom0's back-end pool: disks and vifs of PV domains ({@code attachDisk}, {@code attachVif}), the
     * device models of HVM domains ({@code attachHvmDisk}, {@code attachHvmVif}), bridges, and the
     * privileged view back ends run with.
     */
    public Dom0Backends backends()
    {
        return backends;
    }

    /**
     * @return the live domain with this id, or null.
     */
    public Domain domain(final int id)
    {
        return domains.get(id);
    }

    public Domain domainByName(final String name)
    {
        return domainsByName.get(name);
    }

    public List<Domain> domains()
    {
        final List<Domain> list = new ArrayList<>(domains.values());
        list.sort((a, b) -> Integer.compare(a.id(), b.id()));
        return list;
    }

    /**
     * Builds a domain, paused in state CREATED; {@link Domain#unpause()} starts it.
     *
     * @throws IllegalArgumentException for a bad config (one line naming the setting).
     * @throws DomainCreationException  when the machine cannot host it; nothing is left behind.
     */
    public synchronized Domain createDomain(final DomainConfig config)
    {
        ensureOpen();
        config.validate();
        if (domainByName(config.name()) != null)
        {
            throw new IllegalArgumentException("name: a domain called '" + config.name() + "' already exists");
        }
        return build(allocateDomid(), config);
    }

    /**
     * Renames a domain, as libxl does for {@code rename-restart}: the name index and its xenstore
     * {@code name} node follow, and the old name is free for a new domain.
     *
     * @throws IllegalArgumentException when another domain has the name
     * @throws IllegalStateException    when the domain is dying
     */
    public synchronized void renameDomain(final Domain domain, final String newName)
    {
        ensureOpen();
        domain.requireAlive();
        final Domain holder = domainByName(newName);
        if (holder != null && holder != domain)
        {
            throw new IllegalArgumentException("name: a domain called '" + newName + "' already exists");
        }
        domainsByName.remove(domain.name(), domain);
        domain.rename(newName);
        domainsByName.put(newName, domain);
        xenStore.write(DOM0, "/local/domain/" + domain.id() + "/name", newName);
    }

    /**
     * Destroys a domain: it goes DYING at once; its vCPU stops; its devices are detached through the
     * same path as {@link Dom0Backends#detachDisk}/{@link Dom0Backends#detachVif} (back end told, images closed, bridge ports
     * removed, back-end xenstore nodes removed, agents that serve nothing stopped); its mappings of
     * other domains' grants are unmapped, its event channels closed (peers see unbound ports), and its
     * xenstore home removed, firing @releaseDomain. It goes GONE when no other domain still maps its
     * frames; only then do its frames return to the pool. Serialised with every other life-cycle
     * operation.
     *
     * @return false when there is no such domain (or it is already dying).
     */
    public synchronized boolean destroyDomain(final int id)
    {
        final Domain domain = domains.get(id);
        if (domain == null || id == DOM0 && !closed || !domain.markDying())
        {
            return false;
        }
        // Its vCPU must be off the domain's memory before that memory can go.
        final HvmGuest guest = hvmGuests.remove(id);
        if (guest != null)
        {
            guest.stopAndJoin();
        }
        if (scheduler != null)
        {
            scheduler.forgetDomain(id);
        }
        guestRings.release(id);
        backends.releaseDomain(id);
        domain.grantMapper().close();
        eventChannelHub.unregister(domain.eventChannels());
        if (id != DOM0)
        {
            xenStore.releaseDomain(id);
        }
        domain.grantTable().retire(() -> release(domain));
        return true;
    }

    /**
     * Starts an HVM domain's guest: a RISC-V virt machine on the domain's memory, booted as
     * {@code machine} says (its memory setting is replaced by the domain's), run by the credit
     * scheduler (or a vCPU thread of its own without one). The domain goes RUNNING; how the guest ends
     * becomes its state (see {@link HvmGuest}).
     *
     * @throws IllegalArgumentException when the domain is not HVM, already runs, or the images do
     *                                  not fit (one line)
     */
    public synchronized HvmGuest startHvm(final Domain domain, final MachineConfig machine)
    {
        ensureOpen();
        if (domain.type() != DomainType.HVM)
        {
            throw new IllegalArgumentException("domain " + domain.name() + " is not an HVM domain");
        }
        requireNotRunning(domain);
        backends.startHvmDevices(domain, machine);
        // An S-mode kernel under the builtin firmware may use PV front ends too (PV-on-HVM).
        final DomainHypercalls hypercalls = machine.bootMode() == BootMode.BUILTIN ? guestRings.build(domain, machine) : null;
        return start(domain, machine.board(Board.VIRT), hypercalls);
    }

    /**
     * Starts a PV domain's RISC-V kernel: an S-mode ELF entered at 0x8020_0000 under javisor's SBI
     * firmware on the PV board, which has RAM and nothing else; console, disks and NICs only through
     * rings and hypercalls. The domain builder keeps the top two pages of its RAM for its xenstore
     * and console rings (found with the parameter query), binds their channels to dom0 and serves them
     * (xenstore on dom0's xenstored thread, the console on the vCPU's thread, to
     * {@code machine}'s console). Boot mode and board are set here; the rest is {@code machine}'s.
     *
     * @throws IllegalArgumentException when the domain is not PV, is dom0, already runs, or the
     *                                  kernel does not fit (one line)
     */
    public synchronized HvmGuest startPv(final Domain domain, final MachineConfig machine)
    {
        ensureOpen();
        if (domain.type() != DomainType.PV || domain.id() == DOM0)
        {
            throw new IllegalArgumentException("domain " + domain.name() + " is not a PV guest domain");
        }
        requireNotRunning(domain);
        machine.bootMode(BootMode.BUILTIN).board(Board.PV);
        return start(domain, machine, guestRings.build(domain, machine));
    }

    /** @return whether guest-code vCPUs run on the credit scheduler (else each on a thread of its own) */
    public boolean hasScheduler()
    {
        return scheduler != null;
    }

    /**
     * A domain's credit scheduler weight and cap ({@code xl sched-credit -d DOM}); the defaults until set.
     *
     * @throws IllegalStateException when vCPUs run on threads of their own (no scheduler)
     */
    public CreditParams creditParams(final Domain domain)
    {
        return requireScheduler().params(domain.id());
    }

    /**
     * Set a domain's credit scheduler weight and cap ({@code xl sched-credit -d DOM -w W -c CAP}), in force
     * from the next accounting period; before its guest starts too.
     *
     * @throws IllegalStateException when vCPUs run on threads of their own, or the domain is dying
     */
    public synchronized void setCreditParams(final Domain domain, final CreditParams params)
    {
        ensureOpen();
        domain.requireAlive();
        requireScheduler().setParams(domain.id(), params);
    }

    /** @return every running guest-code vCPU's scheduling ({@code xl vcpu-list}); empty without a scheduler */
    public List<VcpuView> vcpus()
    {
        return scheduler == null ? List.of() : scheduler.vcpus();
    }

    /** @return the credit scheduler running guest-code vCPUs, or null when each has a thread of its own */
    public CreditScheduler scheduler()
    {
        return scheduler;
    }

    private CreditScheduler requireScheduler()
    {
        if (scheduler == null)
        {
            throw new IllegalStateException("this hypervisor gives each vCPU a thread of its own (no credit scheduler): " +
                "weights and caps need HypervisorConfig.withScheduler");
        }
        return scheduler;
    }

    private void requireNotRunning(final Domain domain)
    {
        if (hvmGuests.containsKey(domain.id()))
        {
            throw new IllegalArgumentException("domain " + domain.name() + " already runs its guest");
        }
    }

    private HvmGuest start(final Domain domain, final MachineConfig machine, final DomainHypercalls hypercalls)
    {
        final HvmGuest guest;
        try
        {
            guest = new HvmGuest(domain, machine.hypercalls(hypercalls), hypercalls, scheduler);
        }
        catch (final RuntimeException ex)
        {
            guestRings.release(domain.id());
            throw ex;
        }
        hvmGuests.put(domain.id(), guest);
        guest.start();
        return guest;
    }

    /** Pages at the top of a guest-code domain's RAM that the builder keeps: xenstore ring, console ring. */
    public static final int PV_RING_PAGES = 2;

    /**
     * Frames currently free in the machine pool.
     */
    public long freeFrames()
    {
        return allocator.freeFrames();
    }

    private Domain build(final int domid, final DomainConfig config)
    {
        final int frames = config.memoryFrames();
        allocator.setQuota(domid, frames);
        GuestMemory memory = null;
        GrantTable grantTable = null;
        long sharedInfoMfn = -1;
        EventChannels eventChannels = null;
        try
        {
            memory = GuestMemory.allocate(allocator, domid, frames);
            grantTable = new GrantTable(allocator, memory, config.grantFrames());
            sharedInfoMfn = allocator.allocate(FrameAllocator.DOMID_XEN, 1);
            if (sharedInfoMfn < 0)
            {
                throw new IllegalStateException("no machine frame for the shared-info page");
            }
            final UnsafeBuffer sharedInfo = new UnsafeBuffer(0, 0);
            machineMemory.wrap(sharedInfoMfn, 1, sharedInfo);
            eventChannels = new EventChannels(domid, eventChannelHub, sharedInfo, config.maxEventChannels());
            grantTables.register(grantTable);
            if (domid != DOM0)
            {
                xenStore.introduceDomain(domid); // xenstore knows dom0 from its own start
            }
            xenStore.write(DOM0, "/local/domain/" + domid + "/name", config.name());
            xenStore.write(DOM0, "/local/domain/" + domid + "/domid", Integer.toString(domid));
            xenStore.write(DOM0, "/local/domain/" + domid + "/memory/target", Long.toString(config.memoryMiB() * 1024L));
            final Domain domain = new Domain(this, domid, config, memory, grantTable,
                new GrantMapper(memory, grantTables), eventChannels, sharedInfoMfn);
            domains.put(domid, domain);
            domainsByName.put(config.name(), domain);
            return domain;
        }
        catch (final RuntimeException ex)
        {
            if (eventChannels != null)
            {
                eventChannelHub.unregister(eventChannels);
            }
            if (grantTable != null)
            {
                grantTables.unregister(grantTable);
                grantTable.close();
            }
            if (sharedInfoMfn >= 0)
            {
                allocator.free(FrameAllocator.DOMID_XEN, sharedInfoMfn, 1);
            }
            if (memory != null)
            {
                memory.close();
            }
            allocator.freeAll(domid);
            if (domid != DOM0)
            {
                try
                {
                    xenStore.releaseDomain(domid);
                }
                catch (final RuntimeException ignore)
                {
                    // It was never introduced.
                }
            }
            throw new DomainCreationException("cannot create domain '" + config.name() + "': " + ex.getMessage(), ex);
        }
    }

    private void release(final Domain domain)
    {
        grantTables.unregister(domain.grantTable());
        domain.grantTable().close();
        allocator.free(FrameAllocator.DOMID_XEN, domain.sharedInfoMfn(), 1);
        domain.memory().close();
        allocator.freeAll(domain.id());
        domains.remove(domain.id());
        domainsByName.remove(domain.name(), domain);
        domain.markGone();
    }

    private int allocateDomid()
    {
        for (int i = 0; i < MAX_DOMID; i++)
        {
            final int candidate = nextDomid;
            nextDomid = nextDomid == MAX_DOMID ? 1 : nextDomid + 1;
            if (!domains.containsKey(candidate))
            {
                return candidate;
            }
        }
        throw new DomainCreationException("no free domain id", null);
    }

    private void ensureOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("the hypervisor is shut down");
        }
    }

    /**
     * Destroys every domain (their devices first), stops the back ends, destroys dom0 last and unmaps
     * the machine memory.
     */
    @Override
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        for (final Domain domain : domains())
        {
            if (domain.id() != DOM0)
            {
                destroyDomain(domain.id());
            }
        }
        // Devices of domains that were dying already, if any, go with their agents.
        backends.close();
        closed = true;
        if (scheduler != null)
        {
            scheduler.close();
        }
        guestRings.close();
        destroyDomain(DOM0);
        machineMemory.close();
    }
}
