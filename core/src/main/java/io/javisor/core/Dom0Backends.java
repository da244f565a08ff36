package io.javisor.core;

import io.javisor.blkback.BlkBackend;
import io.javisor.blkback.Vbd;
import io.javisor.blkback.image.DiskImage;
import io.javisor.blkback.image.DiskImages;
import io.javisor.blkback.image.DiskSpec;
import io.javisor.blkback.image.VirtualDevice;
import io.javisor.emulation.machine.HvmDeviceSpecs;
import io.javisor.emulation.machine.MachineConfig;
import io.javisor.netback.NetBackend;
import io.javisor.netback.Vif;
import io.javisor.netback.bridge.Bridge;
import io.javisor.netback.bridge.Bridges;
import io.javisor.netback.ratelimit.RateLimiter;
import io.javisor.netback.spec.VifSpec;
import io.javisor.ringio.BackendResources;
import io.javisor.ringio.xenstore.XenStore;
import io.javisor.ringio.xenstore.XenStoreException;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * dom0's back-end pool: the block and network back ends that serve PV front ends, the bridges their
 * vifs are switched on, and the emulated and virtio device models of HVM domains. Xen keeps these
 * in dom0 (blkback, netback, QEMU), apart from the hypervisor; here they are apart from
 * {@link Hypervisor} too, which only asks this pool to release a dying domain's devices and to hand
 * an HVM guest its device models as it starts.
 * <p>
 * Attach, detach and release are control-plane operations serialised by this object's monitor; the
 * data plane (the agents) never takes it. When both monitors are held the {@link Hypervisor}'s is
 * taken first: this class never calls into the hypervisor.
 */
public final class Dom0Backends
{
    private final XenStore xenStore;
    private final BackendThreading backendThreading;
    private final BackendResources backendResources;
    // Which agent serves each device. In SHARED mode every value is the one shared back end; in
    // DEDICATED mode each device has its own.
    private BlkBackend blockBackend;
    private final DeviceTable<Vbd, BlkBackend> blockDevices = new DeviceTable<>();
    private final Bridges bridges = new Bridges();
    private NetBackend networkBackend;
    private final DeviceTable<Vif, NetBackend> netDevices = new DeviceTable<>();
    /** Emulated and virtio devices of HVM domains, by domain id. */
    private final Map<Integer, HvmDevices> hvmDevices = new HashMap<>();
    /** HVM domains whose guest has started with its device models: no more are attached (no hot plug). */
    private final Set<Integer> sealed = new HashSet<>();
    private boolean closed;

    Dom0Backends(final XenStore xenStore, final BackendThreading backendThreading, final BackendResources backendResources)
    {
        this.xenStore = xenStore;
        this.backendThreading = backendThreading;
        this.backendResources = backendResources;
    }

    /**
     * Attaches a disk to an HVM domain from an xl.cfg disk spec: {@code vdev=hdX} is an emulated ATA
     * disk (Linux {@code pata_of_platform}), {@code vdev=vdX} a virtio-blk disk; the guest finds it in
     * its device tree when it starts ({@link Hypervisor#startHvm}); attaching to a running guest (hot plug) is
     * refused. The back-end pool owns the image and closes it when the domain is destroyed.
     *
     * @throws IllegalArgumentException (one line) for a bad spec, a PV vdev, or a domain that is not HVM
     *                                  or already runs; {@code DiskImageException} for a bad image.
     */
    public synchronized HvmDeviceSpecs.DiskKind attachHvmDisk(final Domain guest, final String spec)
    {
        ensureOpen();
        guest.requireAlive();
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
        guest.requireAlive();
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
        if (sealed.contains(guest.id()))
        {
            throw new IllegalArgumentException(device + ": domain " + guest.name() + " runs already; " +
                "devices are attached before its guest starts (no hot plug)");
        }
    }

    /**
     * Attaches {@code image} to {@code guest} as {@code vdev} (e.g. {@code xvda}), served by dom0's
     * block back end; a Java guest then connects with {@code BlkFront.attach(guest.resources(), 0,
     * VirtualDevice.deviceId(vdev), ...)}. The back-end pool owns the image from here on and closes it
     * on detach, or when the guest is destroyed.
     *
     * @throws IllegalArgumentException for a bad vdev name (one line naming it).
     * @throws IllegalStateException    when the guest is not alive.
     */
    public synchronized Vbd attachDisk(final Domain guest, final String vdev, final DiskImage image, final DiskAccess access)
    {
        ensureOpen();
        guest.requireAlive();
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
        requireDom0(parsed.backend(), "disk " + parsed.vdev());
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
        requireDom0(parsed.backend(), "vif " + parsed.macText());
        ensureOpen();
        guest.requireAlive();
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

    /**
     * The lowest vif handle free in the guest: neither dom0's nor in its xenstore directory (where a
     * driver domain's vifs are too).
     */
    private int nextVifHandle(final Domain guest)
    {
        final java.util.Set<Integer> used = new java.util.HashSet<>();
        for (final Vif vif : netDevices.ofDomain(guest.id()))
        {
            used.add(vif.handle());
        }
        List<String> listed;
        try
        {
            listed = xenStore.directory(Hypervisor.DOM0, "/local/domain/" + guest.id() + "/device/vif");
        }
        catch (final XenStoreException none)
        {
            listed = List.of();
        }
        int handle = 0;
        while (used.contains(handle) || listed.contains(Integer.toString(handle)))
        {
            handle++;
        }
        return handle;
    }

    /** A spec naming another back-end domain is that driver domain's to attach ({@code io.javisor.core.driver.DriverDomain}). */
    private static void requireDom0(final String backend, final String device)
    {
        if (backend != null && !backend.equals("Domain-0") && !backend.equals("0"))
        {
            throw new IllegalArgumentException(device + ": backend " + backend + " is a driver domain, not dom0: attach it " +
                "through that driver domain (the toolstack does)");
        }
    }

    /**
     * An HVM guest is starting: its device models become devices of {@code machine}, and no more are
     * attached to it from here on.
     */
    void startHvmDevices(final Domain domain, final MachineConfig machine)
    {
        final HvmDevices devices;
        synchronized (this)
        {
            sealed.add(domain.id());
            devices = hvmDevices.get(domain.id());
        }
        // Outside this monitor: a stub domain's process may take seconds to start, and other domains'
        // attaches must not wait for it. Sealed, the devices are no attach's to change; their release
        // is a destroy's, which the hypervisor's monitor keeps apart from this start.
        if (devices != null)
        {
            devices.applyTo(machine, domain.name(), domain.memory());
        }
    }

    /**
     * A dying domain's part of dom0, once its vCPU has stopped: its device models' images are closed,
     * its disks and vifs detached (back end told, images closed, bridge ports removed, agents that serve
     * nothing stopped), and dom0's back-end directories of it removed.
     */
    synchronized void releaseDomain(final int domid)
    {
        sealed.remove(domid);
        final HvmDevices devices = hvmDevices.remove(domid);
        if (devices != null)
        {
            devices.close();
        }
        for (final Vbd vbd : blockDevices.ofDomain(domid))
        {
            detachDisk(vbd);
        }
        for (final Vif vif : netDevices.ofDomain(domid))
        {
            detachVif(vif);
        }
        if (domid != Hypervisor.DOM0)
        {
            removeBackendDirectories(domid);
        }
    }

    /**
     * The toolstack's part of a destroy, as libxl's: dom0's {@code backend/<type>/<id>} directories of
     * the domain go, once every device in them is detached.
     */
    private void removeBackendDirectories(final int id)
    {
        final String backends = "/local/domain/" + Hypervisor.DOM0 + "/backend";
        final List<String> types;
        try
        {
            types = xenStore.directory(Hypervisor.DOM0, backends);
        }
        catch (final XenStoreException ex)
        {
            return; // no back end was ever published
        }
        for (final String type : types)
        {
            xenStore.rm(Hypervisor.DOM0, backends + "/" + type + "/" + id);
        }
    }

    private void ensureOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("the hypervisor is shut down");
        }
    }

    /** Detaches every device still attached (those of domains that were dying already) and stops the agents. */
    synchronized void close()
    {
        for (final Vbd vbd : blockDevices.all())
        {
            detachDisk(vbd);
        }
        for (final Vif vif : netDevices.all())
        {
            detachVif(vif);
        }
        for (final HvmDevices devices : hvmDevices.values())
        {
            devices.close();
        }
        hvmDevices.clear();
        closed = true;
    }
}
