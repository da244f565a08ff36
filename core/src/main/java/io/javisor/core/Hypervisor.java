package io.javisor.core;

import io.javisor.blkback.BlkBackend;
import io.javisor.blkback.Vbd;
import io.javisor.blkback.image.DiskImage;
import io.javisor.blkback.image.DiskImages;
import io.javisor.blkback.image.DiskSpec;
import io.javisor.blkback.image.VirtualDevice;
import io.javisor.memory.FrameAllocator;
import io.javisor.netback.NetBackend;
import io.javisor.netback.Vif;
import io.javisor.netback.bridge.Bridge;
import io.javisor.netback.bridge.Bridges;
import io.javisor.netback.ratelimit.RateLimiter;
import io.javisor.netback.spec.VifSpec;
import io.javisor.memory.GrantMapper;
import io.javisor.memory.GrantTable;
import io.javisor.memory.GrantTables;
import io.javisor.memory.GuestMemory;
import io.javisor.memory.MachineMemory;
import io.javisor.memory.PageDescriptor;
import io.javisor.ringio.BackendResources;
import io.javisor.ringio.event.EventChannelHub;
import io.javisor.ringio.event.EventChannels;
import io.javisor.ringio.event.SharedInfoDescriptor;
import io.javisor.ringio.xenstore.XenStore;
import io.javisor.ringio.xenstore.XenStoreException;
import org.agrona.concurrent.UnsafeBuffer;

import io.javisor.core.hypercall.ConsoleBackend;
import io.javisor.core.hypercall.DomainHypercalls;
import io.javisor.core.hypercall.GuestRam;
import io.javisor.core.hypercall.PvParams;
import io.javisor.core.hypercall.XenStoreRingService;
import io.javisor.core.sched.CreditParams;
import io.javisor.core.sched.CreditScheduler;
import io.javisor.core.sched.VcpuView;
import io.javisor.emulation.machine.Board;
import io.javisor.emulation.machine.BootMode;
import io.javisor.emulation.machine.HvmDeviceSpecs;
import io.javisor.emulation.machine.MachineConfig;
import io.javisor.ringio.xenstore.XenStoreRingServer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The hypervisor: the machine frame pool, the index of grant tables and event channels, xenstore,
 * and the domains. dom0, the runtime itself, exists from start-up with id 0.
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
    private final BackendThreading backendThreading;
    private final BackendResources backendResources;
    // Device bookkeeping, guarded by this object's monitor: which agent serves each device. In SHARED
    // mode every value is the one shared back end; in DEDICATED mode each device has its own.
    private BlkBackend blockBackend;
    private final DeviceTable<Vbd, BlkBackend> blockDevices = new DeviceTable<>();
    private final Bridges bridges = new Bridges();
    private NetBackend networkBackend;
    private final DeviceTable<Vif, NetBackend> netDevices = new DeviceTable<>();
    /** Emulated and virtio devices of HVM domains, by domain id; under this object's monitor. */
    private final Map<Integer, HvmDevices> hvmDevices = new java.util.HashMap<>();
    /** dom0's end of each guest-code domain's console channel, by domain id; under this object's monitor. */
    private final Map<Integer, Integer> consolePorts = new java.util.HashMap<>();
    /** dom0's xenstored for guest-code domains, started with the first one; under this object's monitor. */
    private XenStoreRingService xenStoreRings;
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
        backendThreading = config.backendThreading();
        scheduler = config.scheduler() == null ? null : new CreditScheduler(config.scheduler());
        // dom0 binds one port per PV device of every guest: its port count is the hypervisor's
        // setting, beyond the 2-level ABI's limit if need be (its back ends are Java code).
        dom0 = build(DOM0, DomainConfig.pv("Domain-0", config.dom0MemoryMiB()).validate()
            .withMaxEventChannels(config.dom0EventChannels()));
        backendResources = new BackendResources(dom0.resources(), machineMemory::newWindow);
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
     * Destroys a domain: it goes DYING at once; its vCPU stops; its devices are detached through the
     * same path as {@link #detachDisk}/{@link #detachVif} (back end told, images closed, bridge ports
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
        if (xenStoreRings != null)
        {
            xenStoreRings.remove(id);
        }
        final Integer consolePort = consolePorts.remove(id);
        if (consolePort != null)
        {
            dom0.eventChannels().close(consolePort);
        }
        final HvmDevices devices = hvmDevices.remove(id);
        if (devices != null)
        {
            devices.close();
        }
        for (final Vbd vbd : blockDevices.ofDomain(id))
        {
            detachDisk(vbd);
        }
        for (final Vif vif : netDevices.ofDomain(id))
        {
            detachVif(vif);
        }
        domain.grantMapper().close();
        eventChannelHub.unregister(domain.eventChannels());
        if (id != DOM0)
        {
            removeBackendDirectories(id);
            xenStore.releaseDomain(id);
        }
        domain.grantTable().retire(() -> release(domain));
        return true;
    }

    /**
     * The toolstack's part of a destroy, as libxl's: dom0's {@code backend/<type>/<id>} directories of
     * the domain go, once every device in them is detached.
     */
    private void removeBackendDirectories(final int id)
    {
        final String backends = "/local/domain/" + DOM0 + "/backend";
        final List<String> types;
        try
        {
            types = xenStore.directory(DOM0, backends);
        }
        catch (final XenStoreException ex)
        {
            return; // no back end was ever published
        }
        for (final String type : types)
        {
            xenStore.rm(DOM0, backends + "/" + type + "/" + id);
        }
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
        final HvmDevices devices = hvmDevices.get(domain.id());
        if (devices != null)
        {
            devices.applyTo(machine);
        }
        // An S-mode kernel under the builtin firmware may use PV front ends too (PV-on-HVM).
        final DomainHypercalls hypercalls = machine.bootMode() == BootMode.BUILTIN ? buildPvRings(domain, machine) : null;
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
        return start(domain, machine, buildPvRings(domain, machine));
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
        requireAlive(domain);
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
            releasePvRings(domain.id());
            throw ex;
        }
        hvmGuests.put(domain.id(), guest);
        guest.start();
        return guest;
    }

    /**
     * The domain builder's part for guest code that may use PV front ends: the xenstore ring in the
     * second-last page of RAM and the console ring in the last, each with an event channel the guest
     * owns and dom0 binds, announced in xenstore ({@code store/ring-ref}, {@code store/port},
     * {@code console/ring-ref}, {@code console/port}) and through the parameter query.
     */
    private DomainHypercalls buildPvRings(final Domain domain, final MachineConfig machine)
    {
        final long size = domain.memory().size();
        if (size < 4L * MachineConfig.MIB)
        {
            throw new IllegalArgumentException("domain " + domain.name() + " has too little memory for its guest");
        }
        final long storeFrame = size / PageDescriptor.PAGE_SIZE - PV_RING_PAGES;
        final long consoleFrame = storeFrame + 1;
        final UnsafeBuffer storePage = new UnsafeBuffer(0, 0);
        final UnsafeBuffer consolePage = new UnsafeBuffer(0, 0);
        domain.memory().wrapFrame(storeFrame, storePage);
        domain.memory().wrapFrame(consoleFrame, consolePage);
        storePage.setMemory(0, PageDescriptor.PAGE_SIZE, (byte)0);
        consolePage.setMemory(0, PageDescriptor.PAGE_SIZE, (byte)0);

        final int id = domain.id();
        final int storePort = domain.eventChannels().allocUnbound(DOM0);
        final int consolePort = domain.eventChannels().allocUnbound(DOM0);
        if (storePort < 0 || consolePort < 0)
        {
            throw new IllegalStateException("domain " + domain.name() + " has no free event channel for its rings");
        }
        final int dom0StorePort = dom0.eventChannels().bindInterdomain(id, storePort);
        final int dom0ConsolePort = dom0.eventChannels().bindInterdomain(id, consolePort);
        if (dom0StorePort < 0 || dom0ConsolePort < 0)
        {
            throw new IllegalStateException("dom0 has no free event channel for domain " + domain.name() + "'s rings");
        }
        dom0.eventChannels().clearPending(dom0StorePort);
        dom0.eventChannels().clearPending(dom0ConsolePort);
        consolePorts.put(id, dom0ConsolePort);

        final long storePfn = GuestRam.RAM_BASE_FRAME + storeFrame;
        final long consolePfn = GuestRam.RAM_BASE_FRAME + consoleFrame;
        final String home = domain.xenstoreHome();
        xenStore.write(DOM0, home + "/store/ring-ref", Long.toString(storePfn));
        xenStore.write(DOM0, home + "/store/port", Integer.toString(storePort));
        xenStore.write(DOM0, home + "/console/ring-ref", Long.toString(consolePfn));
        xenStore.write(DOM0, home + "/console/port", Integer.toString(consolePort));

        if (xenStoreRings == null)
        {
            xenStoreRings = new XenStoreRingService(dom0.eventChannels());
        }
        final XenStoreRingService service = xenStoreRings;
        service.add(new XenStoreRingServer(xenStore.connect(id), storePage, service::wake), dom0StorePort);

        machine.reservedTopBytes((long)PV_RING_PAGES * PageDescriptor.PAGE_SIZE);
        return new DomainHypercalls(id, domain.memory(), domain.eventChannels(), domain.grantTable(), domain.grantMapper(),
            machine.console(), new PvParams(storePfn, storePort, consolePfn, consolePort),
            new ConsoleBackend(consolePage, machine.console()));
    }

    private void releasePvRings(final int id)
    {
        if (xenStoreRings != null)
        {
            xenStoreRings.remove(id);
        }
        final Integer port = consolePorts.remove(id);
        if (port != null)
        {
            dom0.eventChannels().close(port);
        }
    }

    /** Pages at the top of a guest-code domain's RAM that the builder keeps: xenstore ring, console ring. */
    public static final int PV_RING_PAGES = 2;

    /**
     * Attaches a disk to an HVM domain from an xl.cfg disk spec: {@code vdev=hdX} is an emulated ATA
     * disk (Linux {@code pata_of_platform}), {@code vdev=vdX} a virtio-blk disk; the guest finds it in
     * its device tree when it starts ({@link #startHvm}); attaching to a running guest (hot plug) is
     * refused. The hypervisor owns the image and closes it when the domain is destroyed.
     *
     * @throws IllegalArgumentException (one line) for a bad spec, a PV vdev, or a domain that is not HVM
     *                                  or already runs; {@code DiskImageException} for a bad image.
     */
    public synchronized HvmDeviceSpecs.DiskKind attachHvmDisk(final Domain guest, final String spec)
    {
        ensureOpen();
        requireAlive(guest);
        final DiskSpec parsed = DiskSpec.parse(spec);
        final HvmDeviceSpecs.DiskKind kind = HvmDeviceSpecs.diskKind(parsed);
        if (kind == HvmDeviceSpecs.DiskKind.XEN_PV)
        {
            requireHvm(guest, "disk " + parsed.vdev());
            attachDisk(guest, spec);
            return kind;
        }
        requireHvmNotStarted(guest, "disk " + parsed.vdev());
        final DiskImage image = DiskImages.open(parsed);
        try
        {
            hvmDevices.computeIfAbsent(guest.id(), _ -> new HvmDevices()).add(new HvmDevices.Disk(parsed, kind, image));
        }
        catch (final RuntimeException ex)
        {
            image.close();
            throw ex;
        }
        return kind;
    }

    /**
     * Attaches a NIC to an HVM domain from an xl.cfg vif spec: {@code model=lan9118} is an emulated
     * LAN9118 (Linux {@code smsc911x}), {@code model=virtio} a virtio-net NIC, each a port on the
     * spec's bridge (xenbr0 by default), shared with PV vifs. As {@link #attachHvmDisk}, before the guest
     * starts.
     *
     * @throws IllegalArgumentException (one line) for a bad spec, a PV vif, or a domain that is not HVM
     *                                  or already runs.
     */
    public synchronized HvmDeviceSpecs.NicKind attachHvmVif(final Domain guest, final String spec)
    {
        ensureOpen();
        requireAlive(guest);
        final VifSpec parsed = VifSpec.parse(spec);
        final HvmDeviceSpecs.NicKind kind = HvmDeviceSpecs.nicKind(parsed);
        if (kind == HvmDeviceSpecs.NicKind.XEN_PV)
        {
            requireHvm(guest, "vif " + parsed.macText());
            attachVif(guest, spec);
            return kind;
        }
        requireHvmNotStarted(guest, "vif " + parsed.macText());
        hvmDevices.computeIfAbsent(guest.id(), _ -> new HvmDevices())
            .add(new HvmDevices.Nic(parsed, kind, bridges.getOrCreate(parsed.bridge())));
        return kind;
    }

    private static void requireHvm(final Domain guest, final String device)
    {
        if (guest.type() != DomainType.HVM)
        {
            throw new IllegalArgumentException(device + ": domain " + guest.name() + " is PV; its disks and vifs " +
                "attach with attachDisk/attachVif");
        }
    }

    private void requireHvmNotStarted(final Domain guest, final String device)
    {
        requireHvm(guest, device);
        if (hvmGuests.containsKey(guest.id()))
        {
            throw new IllegalArgumentException(device + ": domain " + guest.name() + " runs already; " +
                "devices are attached before its guest starts (no hot plug)");
        }
    }

    /**
     * Attaches {@code image} to {@code guest} as {@code vdev} (e.g. {@code xvda}), served by dom0's
     * block back end; a Java guest then connects with {@code BlkFront.attach(guest.resources(), 0,
     * VirtualDevice.deviceId(vdev), ...)}. The hypervisor owns the image from here on and closes it
     * on detach, or when the guest is destroyed.
     *
     * @throws IllegalArgumentException for a bad vdev name (one line naming it).
     * @throws IllegalStateException    when the guest is not alive.
     */
    public synchronized Vbd attachDisk(final Domain guest, final String vdev, final DiskImage image, final DiskAccess access)
    {
        ensureOpen();
        requireAlive(guest);
        final int deviceId = VirtualDevice.deviceId(vdev);
        final boolean readOnly = access == DiskAccess.READ_ONLY;
        final BlkBackend backend = backendThreading == BackendThreading.SHARED ? blockBackend() :
            new BlkBackend(backendResources, BlkBackend.Mode.LATENCY, "dom0-d" + guest.id() + "-" + deviceId).start();
        try
        {
            final Vbd vbd = backend.attach(guest.id(), deviceId, image, readOnly);
            blockDevices.put(guest.id(), vbd, backend);
            return vbd;
        }
        catch (final RuntimeException ex)
        {
            stopIfIdle(backend);
            throw ex;
        }
    }

    /**
     * Attaches a disk from an xl.cfg disk spec, e.g. {@code format=raw, vdev=xvda, access=rw, target=PATH}.
     *
     * @throws IllegalArgumentException for a bad spec, and {@code DiskImageException} for a missing or
     * malformed image, each with a one-line message; nothing is attached then.
     */
    public Vbd attachDisk(final Domain guest, final String spec)
    {
        final DiskSpec parsed = DiskSpec.parse(spec);
        final DiskImage image = DiskImages.open(parsed);
        try
        {
            return attachDisk(guest, parsed.vdev(), image, parsed.readOnly() ? DiskAccess.READ_ONLY : DiskAccess.READ_WRITE);
        }
        catch (final RuntimeException ex)
        {
            image.close();
            throw ex;
        }
    }

    /**
     * Detaches a disk: the back end disconnects it, removes its xenstore nodes and closes its image
     * before this returns; a back-end agent left serving nothing is stopped. Harmless for a disk that
     * is detached already.
     */
    public synchronized void detachDisk(final Vbd vbd)
    {
        final BlkBackend backend = blockDevices.remove(vbd);
        if (backend != null)
        {
            backend.detach(vbd);
            stopIfIdle(backend);
        }
    }

    /**
     * The disks attached to a domain, in no particular order.
     */
    public synchronized List<Vbd> disks(final Domain guest)
    {
        return blockDevices.ofDomain(guest.id());
    }

    /**
     * dom0's shared block back end, started on first use and stopped when it serves nothing: one agent
     * serving every disk in {@link BackendThreading#SHARED} mode, parking on event channels when idle
     * (density). Benchmarks that want a busy-spinning back end start their own {@link BlkBackend} on
     * {@link #backendResources()}.
     */
    public synchronized BlkBackend blockBackend()
    {
        ensureOpen();
        if (blockBackend == null)
        {
            blockBackend = new BlkBackend(backendResources, BlkBackend.Mode.DENSITY, "dom0").start();
        }
        return blockBackend;
    }

    /**
     * Attaches a virtual network interface to {@code guest} from an xl.cfg vif spec, e.g.
     * {@code mac=00:16:3e:01:02:03,bridge=xenbr0,rate=10MB/s} (a random 00:16:3e MAC when none is
     * given; bridge xenbr0 by default), served by dom0's network back end. A Java guest then
     * connects with {@code NetFront.attach(guest.resources(), 0, vif.handle(), ...)}.
     *
     * @throws IllegalArgumentException for a bad spec (one line naming the bad part).
     * @throws IllegalStateException    when the guest is not alive.
     */
    public synchronized Vif attachVif(final Domain guest, final String spec)
    {
        final VifSpec parsed = VifSpec.parse(spec);
        ensureOpen();
        requireAlive(guest);
        final Bridge bridge = bridges.getOrCreate(parsed.bridge());
        final RateLimiter limiter = RateLimiter.fromSpec(parsed);
        final int handle = nextVifHandle(guest);
        final NetBackend backend = backendThreading == BackendThreading.SHARED ? networkBackend() :
            new NetBackend(backendResources, NetBackend.Mode.LATENCY, "dom0-v" + guest.id() + "-" + handle).start();
        try
        {
            final Vif vif = backend.attach(guest.id(), handle, parsed.mac(), bridge, limiter);
            netDevices.put(guest.id(), vif, backend);
            return vif;
        }
        catch (final RuntimeException ex)
        {
            stopIfIdle(backend);
            throw ex;
        }
    }

    /**
     * Detaches a vif: its port leaves the bridge and its xenstore nodes are removed before this
     * returns; a back-end agent left serving nothing is stopped. Harmless for a detached vif.
     */
    public synchronized void detachVif(final Vif vif)
    {
        final NetBackend backend = netDevices.remove(vif);
        if (backend != null)
        {
            backend.detach(vif);
            stopIfIdle(backend);
        }
    }

    /**
     * The vifs attached to a domain, in no particular order.
     */
    public synchronized List<Vif> vifs(final Domain guest)
    {
        return netDevices.ofDomain(guest.id());
    }

    /**
     * The bridges vifs are switched on, by name (xenbr0, ...).
     */
    public Bridges bridges()
    {
        return bridges;
    }

    /**
     * dom0's shared network back end, started on first use and stopped when it serves nothing (see
     * {@link #blockBackend()}).
     */
    public synchronized NetBackend networkBackend()
    {
        ensureOpen();
        if (networkBackend == null)
        {
            networkBackend = new NetBackend(backendResources, NetBackend.Mode.DENSITY, "dom0").start();
        }
        return networkBackend;
    }

    /**
     * dom0's privileged view for back ends: its own resources plus windows over machine memory. Only
     * trusted dom0 code (back ends, benchmarks that run their own) takes this; guests get
     * {@link Domain#resources()}.
     */
    public BackendResources backendResources()
    {
        return backendResources;
    }

    private void stopIfIdle(final BlkBackend backend)
    {
        if (!blockDevices.serves(backend))
        {
            backend.close();
            if (backend == blockBackend)
            {
                blockBackend = null;
            }
        }
    }

    private void stopIfIdle(final NetBackend backend)
    {
        if (!netDevices.serves(backend))
        {
            backend.close();
            if (backend == networkBackend)
            {
                networkBackend = null;
            }
        }
    }

    private int nextVifHandle(final Domain guest)
    {
        final java.util.Set<Integer> used = new java.util.HashSet<>();
        for (final Vif vif : netDevices.ofDomain(guest.id()))
        {
            used.add(vif.handle());
        }
        int handle = 0;
        while (used.contains(handle))
        {
            handle++;
        }
        return handle;
    }

    private static void requireAlive(final Domain guest)
    {
        final DomainState state = guest.state();
        if (state == DomainState.DYING || state == DomainState.GONE)
        {
            throw new IllegalStateException("domain " + guest.id() + " (" + guest.name() + ") is " + state);
        }
    }

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
        for (final Vbd vbd : blockDevices.all())
        {
            detachDisk(vbd);
        }
        for (final Vif vif : netDevices.all())
        {
            detachVif(vif);
        }
        closed = true;
        if (scheduler != null)
        {
            scheduler.close();
        }
        if (xenStoreRings != null)
        {
            xenStoreRings.close();
            xenStoreRings = null;
        }
        destroyDomain(DOM0);
        machineMemory.close();
    }
}
