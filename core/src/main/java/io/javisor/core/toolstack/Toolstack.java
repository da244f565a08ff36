package io.javisor.core.toolstack;

import io.javisor.core.Domain;
import io.javisor.core.DomainState;
import io.javisor.core.HvmGuest;
import io.javisor.core.Hypervisor;
import io.javisor.core.ShutdownReason;
import io.javisor.core.driver.DriverDomain;
import io.javisor.core.driver.DriverDomainConfig;
import io.javisor.core.driver.DriverVifSpec;
import io.javisor.core.sched.CreditParams;
import io.javisor.core.toolstack.config.GuestType;
import io.javisor.core.toolstack.config.ShutdownAction;
import io.javisor.core.toolstack.config.XlConfig;
import io.javisor.blkback.Vbd;
import io.javisor.blkback.image.DiskSpec;
import io.javisor.emulation.machine.MachineConfig;
import io.javisor.emulation.machine.MachineExit;
import io.javisor.netback.Vif;
import io.javisor.netback.spec.MacAddress;
import io.javisor.netback.spec.VifSpec;
import io.javisor.blkback.image.VirtualDevice;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The toolstack: what {@code xl} does, over one {@link Hypervisor}. It creates domains from
 * {@link XlConfig}s (memory, disks, vifs, the guest: a RISC-V kernel on a PV or HVM domain, or a
 * {@link JavaGuest}), lists, pauses, shuts down, reboots and destroys them, attaches and detaches
 * their devices, keeps their consoles ({@link DomainConsole}) and carries out the life-cycle action
 * configured for how each one ended (destroy, restart under the same name with a new id, preserve,
 * rename-restart). Commands serialise on this object's monitor and come from the daemon's client
 * threads or an embedding program; the life-cycle actions run on the toolstack's own
 * {@code toolstack-lifecycle} thread, which takes the same monitor. Domain-0 is listed, never managed.
 */
public final class Toolstack implements AutoCloseable
{
    private static final String DOM0_NAME = "Domain-0";
    private static final long JAVA_STOP_WAIT_MS = 5000;

    private final Hypervisor hypervisor;
    private final ToolstackLog log = new ToolstackLog();
    /** Managed domains by id, in creation order. */
    private final Map<Integer, ManagedDomain> domains = new LinkedHashMap<>();
    private final ExecutorService lifecycle = Executors.newSingleThreadExecutor(
        r -> Thread.ofPlatform().name("toolstack-lifecycle").daemon().unstarted(r));
    private final List<java.util.function.Consumer<DomainEnd>> endListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private boolean closed;

    public Toolstack(final Hypervisor hypervisor)
    {
        this.hypervisor = hypervisor;
    }

    public Hypervisor hypervisor()
    {
        return hypervisor;
    }

    public ToolstackLog log()
    {
        return log;
    }

    // ---------------------------------------------------------------------------------------------
    // Creation and the life cycle.
    // ---------------------------------------------------------------------------------------------

    /**
     * Creates and starts a domain ({@code xl create [-p]}).
     *
     * @throws ToolstackException one line naming what is wrong; nothing is left behind
     */
    public synchronized DomainInfo create(final XlConfig spec, final boolean paused)
    {
        ensureOpen();
        requireFreeName(spec);
        return create(spec, paused, GuestBoot.of(spec));
    }

    /**
     * Creates and starts a domain whose images are loaded already, with machine tuning beyond xl.cfg
     * ({@code javisor run}); a restart boots the same.
     *
     * @throws ToolstackException one line naming what is wrong; nothing is left behind
     */
    public synchronized DomainInfo create(final XlConfig spec, final boolean paused, final GuestBoot boot)
    {
        ensureOpen();
        requireFreeName(spec);
        if (spec.driverDomain())
        {
            return createDriverDomain(spec, boot);
        }
        final Domain domain;
        try
        {
            domain = hypervisor.createDomain(spec.toDomainConfig());
        }
        catch (final RuntimeException ex)
        {
            throw new ToolstackException("cannot create domain '" + spec.name() + "': " + ex.getMessage());
        }
        final ManagedDomain managed = new ManagedDomain(spec, boot, domain);
        try
        {
            attachDevices(managed);
            applyCredit(managed, managed.weight, managed.cap);
            if (paused)
            {
                domain.pause();
            }
            start(managed);
        }
        catch (final RuntimeException ex)
        {
            hypervisor.destroyDomain(domain.id());
            detachFromDriverDomains(domain.id());
            throw new ToolstackException("cannot create domain '" + spec.name() + "': " + ex.getMessage());
        }
        domains.put(domain.id(), managed);
        log.add("domain " + domain.id() + " '" + spec.name() + "' created (" + spec.type().xlName() +
            ", " + spec.memoryMiB() + " MiB" + (paused ? ", paused" : "") + ")");
        return info(managed);
    }

    /**
     * A driver domain ({@code driver_domain = 1}): its back ends run in a javisor process of their own,
     * which {@link DriverDomain} starts, supervises and restarts; it serves the disks and vifs whose
     * specs name it ({@code backend=NAME}). It needs machine memory in a shared file (the daemon's is).
     */
    private DomainInfo createDriverDomain(final XlConfig spec, final GuestBoot boot)
    {
        final DriverDomain driver;
        try
        {
            driver = DriverDomain.start(hypervisor, DriverDomainConfig.of(spec.name()));
        }
        catch (final RuntimeException ex)
        {
            throw new ToolstackException("cannot create driver domain '" + spec.name() + "': " + ex.getMessage());
        }
        final ManagedDomain managed = new ManagedDomain(spec, boot, hypervisor.domain(driver.domid()));
        managed.driver = driver;
        domains.put(driver.domid(), managed);
        log.add("domain " + driver.domid() + " '" + spec.name() + "' created (driver domain: back ends in a process of its own)");
        return info(managed);
    }

    /**
     * The driver domain a device spec names ({@code backend=NAME}), or null for dom0's back ends.
     *
     * @throws ToolstackException when the name is not a driver domain's
     */
    private DriverDomain backendOf(final String backend, final String device)
    {
        if (backend == null || backend.equals(DOM0_NAME) || backend.equals("0"))
        {
            return null;
        }
        final ManagedDomain named = findByName(backend);
        if (named == null || named.driver == null)
        {
            throw new ToolstackException(device + ": backend '" + backend + "' is not a driver domain (create one with " +
                "driver_domain = 1)");
        }
        return named.driver;
    }

    private void requireFreeName(final XlConfig spec)
    {
        if (findByName(spec.name()) != null || DOM0_NAME.equals(spec.name()))
        {
            throw new ToolstackException("domain with name '" + spec.name() + "' already exists");
        }
    }

    private void attachDevices(final ManagedDomain managed)
    {
        for (final String disk : managed.disks)
        {
            attachDisk(managed, disk);
        }
        for (final String vif : managed.vifs)
        {
            attachVif(managed, vif);
        }
    }

    /** A disk from its spec: by the driver domain it names, else by dom0 (a device model for an hvm guest). */
    private void attachDisk(final ManagedDomain managed, final String spec)
    {
        final DriverDomain driver = backendOf(DiskSpec.parse(spec).backend(), "disk");
        if (driver != null)
        {
            driver.attachDisk(managed.domain, spec);
        }
        else if (managed.spec.type() == GuestType.HVM)
        {
            hypervisor.backends().attachHvmDisk(managed.domain, spec);
        }
        else
        {
            hypervisor.backends().attachDisk(managed.domain, spec);
        }
    }

    /** A vif from its spec, as {@link #attachDisk(ManagedDomain, String)}. */
    private void attachVif(final ManagedDomain managed, final String spec)
    {
        final DriverDomain driver = backendOf(VifSpec.parse(spec).backend(), "vif");
        if (driver != null)
        {
            driver.attachVif(managed.domain, spec);
        }
        else if (managed.spec.type() == GuestType.HVM)
        {
            hypervisor.backends().attachHvmVif(managed.domain, spec);
        }
        else
        {
            hypervisor.backends().attachVif(managed.domain, spec);
        }
    }

    private void start(final ManagedDomain managed)
    {
        final XlConfig spec = managed.spec;
        switch (spec.type())
        {
            case PV ->
            {
                final MachineConfig machine = new MachineConfig().console(managed.console).bootargs(spec.cmdline());
                managed.boot.applyTo(machine);
                managed.guest = hypervisor.startPv(managed.domain, machine);
            }
            case HVM ->
            {
                final MachineConfig machine = new MachineConfig().console(managed.console).bootargs(spec.cmdline())
                    .bootMode(spec.bios().mode()).deviceModelStubDomain(spec.deviceModelStubDomain());
                managed.boot.applyTo(machine);
                managed.guest = hypervisor.startHvm(managed.domain, machine);
            }
            case JAVA -> managed.java = JavaGuestRunner.start(managed.domain, managed.console, spec);
        }
        final int id = managed.domain.id();
        if (managed.guest != null)
        {
            managed.guest.whenEnded(exit -> lifecycle.execute(() -> ended(id, exit)));
        }
        else
        {
            managed.java.whenEnded(() -> lifecycle.execute(() -> ended(id, null)));
        }
    }

    /** On the life-cycle thread: the guest of domain {@code id} ended; carry out its action. */
    private synchronized void ended(final int id, final MachineExit exit)
    {
        final ManagedDomain managed = domains.get(id);
        if (managed == null || closed || managed.destroying)
        {
            return; // destroyed by a command meanwhile
        }
        final Domain domain = managed.domain;
        final ShutdownReason reason = domain.shutdownReason();
        final ShutdownAction action;
        final String how;
        if (domain.state() == DomainState.CRASHED || reason == ShutdownReason.CRASH || reason == ShutdownReason.WATCHDOG ||
            reason == null)
        {
            action = managed.spec.onCrash();
            how = "crashed" + (domain.crashReason() != null ? " (" + domain.crashReason() + ")" : "");
        }
        else if (reason == ShutdownReason.REBOOT)
        {
            action = managed.spec.onReboot();
            how = "rebooted";
        }
        else
        {
            action = managed.spec.onPoweroff();
            how = "powered off";
        }
        log.add("domain " + id + " '" + managed.name + "' " + how + (exit != null ? " [" + exit.detail() + "]" : "") +
            ": " + action.xlName());
        int restartedAs = -1;
        switch (action)
        {
            case DESTROY -> destroy(managed);
            case PRESERVE ->
            {
                // Kept for inspection: listed with its state, its console history readable, until destroyed.
            }
            case RESTART ->
            {
                destroy(managed);
                restartedAs = recreate(managed, id);
            }
            case RENAME_RESTART ->
            {
                managed.name = managed.spec.name() + "-" + id;
                try
                {
                    hypervisor.renameDomain(domain, managed.name);
                    log.add("domain " + id + " renamed '" + managed.name + "'");
                }
                catch (final RuntimeException ex)
                {
                    log.add("domain " + id + " could not be renamed '" + managed.name + "': " + ex.getMessage());
                }
                restartedAs = recreate(managed, id);
            }
        }
        final DomainEnd end = new DomainEnd(managed.spec.name(), id, exit, managed.guest, action, restartedAs);
        for (final java.util.function.Consumer<DomainEnd> listener : endListeners)
        {
            listener.accept(end);
        }
    }

    /** @return the new domain's id, or -1 when it could not be created (logged) */
    private int recreate(final ManagedDomain old, final int oldId)
    {
        try
        {
            final DomainInfo info = create(old.spec, false, old.boot);
            log.add("domain '" + old.spec.name() + "' restarted as domain " + info.id() + " (was " + oldId + ")");
            return info.id();
        }
        catch (final ToolstackException ex)
        {
            log.add("domain '" + old.spec.name() + "' could not be restarted: " + ex.getMessage());
            return -1;
        }
    }

    /**
     * Calls {@code listener} on the life-cycle thread, under this toolstack's monitor, each time a guest
     * has ended and its action has been carried out; it must not block (it may call this toolstack,
     * e.g. to attach to a restarted domain's console before that domain can end in turn).
     */
    public void onDomainEnd(final java.util.function.Consumer<DomainEnd> listener)
    {
        endListeners.add(listener);
    }

    // ---------------------------------------------------------------------------------------------
    // Commands on existing domains.
    // ---------------------------------------------------------------------------------------------

    /** Every domain, Domain-0 first, then by id ({@code xl list}). */
    public synchronized List<DomainInfo> list()
    {
        final List<DomainInfo> infos = new ArrayList<>();
        infos.add(dom0Info());
        for (final ManagedDomain managed : domains.values())
        {
            infos.add(info(managed));
        }
        return infos;
    }

    /**
     * Every vCPU of the named domain, or of all of them ({@code xl vcpu-list [DOM]}): a guest-code vCPU
     * as the credit scheduler sees it (worker, state, run time, credit), a Java guest's one thread,
     * dom0's host CPUs (its time is the process's, on its first).
     *
     * @throws ToolstackException naming a missing domain
     */
    public synchronized List<VcpuInfo> vcpus(final String nameOrId)
    {
        final List<VcpuInfo> rows = new ArrayList<>();
        if (nameOrId == null || DOM0_NAME.equals(nameOrId) || "0".equals(nameOrId))
        {
            final DomainInfo dom0 = dom0Info();
            for (int v = 0; v < dom0.vcpus(); v++)
            {
                rows.add(new VcpuInfo(DOM0_NAME, 0, v, v, "r--", v == 0 ? dom0.cpuSeconds() : 0, 0, dom0.weight(),
                    dom0.cap(), 0, 0));
            }
            if (nameOrId != null)
            {
                return rows;
            }
        }
        for (final ManagedDomain managed : nameOrId == null ? List.copyOf(domains.values()) : List.of(find(nameOrId)))
        {
            rows.add(vcpu(managed));
        }
        return rows;
    }

    private VcpuInfo vcpu(final ManagedDomain managed)
    {
        final boolean paused = managed.domain.state() == DomainState.PAUSED;
        final io.javisor.core.sched.Vcpu scheduled = managed.guest != null ? managed.guest.vcpu() : null;
        if (scheduled != null)
        {
            final io.javisor.core.sched.VcpuView view = scheduled.view();
            final String state = paused ? "--p" : switch (view.state())
            {
                case RUNNING -> "r--";
                case BLOCKED, DONE -> "-b-";
                case RUNNABLE, CAPPED -> "---";
            };
            return new VcpuInfo(managed.name, managed.domain.id(), view.vcpu(), view.worker(), state, view.runNanos() / 1e9,
                view.creditNanos() / 1e6, view.weight(), view.cap(), view.wakes(), view.runs());
        }
        // A vCPU on a thread of its own, or a Java guest's thread: no scheduler to ask.
        final boolean waiting = managed.guest != null ? managed.guest.isWaiting() : managed.java != null && managed.java.isWaiting();
        return new VcpuInfo(managed.name, managed.domain.id(), 0, -1, paused ? "--p" : waiting ? "-b-" : "r--",
            cpuSeconds(managed), 0, 0, 0, 0, 0);
    }

    /** One domain by name or id. @throws ToolstackException naming it when there is none */
    public synchronized DomainInfo domain(final String nameOrId)
    {
        if (DOM0_NAME.equals(nameOrId) || "0".equals(nameOrId))
        {
            return dom0Info();
        }
        return info(find(nameOrId));
    }

    /** Destroys a domain at once ({@code xl destroy}): every resource released. */
    public synchronized void destroy(final String nameOrId)
    {
        destroy(find(nameOrId));
    }

    private void destroy(final ManagedDomain managed)
    {
        managed.destroying = true;
        final int id = managed.domain.id();
        if (managed.java != null)
        {
            managed.java.stop(JAVA_STOP_WAIT_MS);
        }
        if (managed.driver != null)
        {
            managed.driver.close(); // its processes, their mappings and its domain
        }
        hypervisor.destroyDomain(id);
        detachFromDriverDomains(id);
        domains.remove(id);
        log.add("domain " + id + " '" + managed.name + "' destroyed");
    }

    /**
     * Asks the guest to power off or reboot ({@code xl shutdown}, {@code xl reboot}): xenstore's
     * {@code control/shutdown} as Xen's PV protocol, and a Java guest's shutdown flag. A guest that
     * does not listen keeps running; {@link #awaitEnd} waits for it.
     */
    public synchronized void shutdown(final String nameOrId, final boolean reboot)
    {
        final ManagedDomain managed = find(nameOrId);
        final DomainState state = managed.domain.state();
        if (state != DomainState.RUNNING && state != DomainState.PAUSED)
        {
            throw new ToolstackException("domain '" + managed.name + "' is " + state.name().toLowerCase(Locale.ROOT) +
                ", not running");
        }
        hypervisor.xenStore().write(0, managed.domain.xenstoreHome() + "/control/shutdown", reboot ? "reboot" : "poweroff");
        if (managed.java != null)
        {
            managed.java.requestShutdown(reboot);
        }
        log.add("domain " + managed.domain.id() + " '" + managed.name + "' asked to " + (reboot ? "reboot" : "power off"));
    }

    /**
     * Waits until domain {@code id} is gone or has ended ({@code xl shutdown -w}).
     *
     * @return false when it still runs after the timeout
     */
    public boolean awaitEnd(final int id, final long timeout, final TimeUnit unit) throws InterruptedException
    {
        final long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (System.nanoTime() < deadline)
        {
            synchronized (this)
            {
                final ManagedDomain managed = domains.get(id);
                if (managed == null)
                {
                    return true;
                }
                final DomainState state = managed.domain.state();
                if (state == DomainState.SHUTDOWN || state == DomainState.CRASHED || state == DomainState.GONE)
                {
                    return true;
                }
            }
            Thread.sleep(10);
        }
        return false;
    }

    public synchronized void pause(final String nameOrId)
    {
        final ManagedDomain managed = find(nameOrId);
        try
        {
            managed.domain.pause();
        }
        catch (final IllegalStateException ex)
        {
            throw new ToolstackException(ex.getMessage());
        }
    }

    public synchronized void unpause(final String nameOrId)
    {
        final ManagedDomain managed = find(nameOrId);
        try
        {
            managed.domain.unpause();
        }
        catch (final IllegalStateException ex)
        {
            throw new ToolstackException(ex.getMessage());
        }
    }

    /** The console of a domain. */
    public synchronized DomainConsole console(final String nameOrId)
    {
        return find(nameOrId).console;
    }

    /** Reads or sets a domain's credit-scheduler weight and cap ({@code xl sched-credit}); null leaves one as it is. */
    public synchronized DomainInfo schedCredit(final String nameOrId, final Integer weight, final Integer cap)
    {
        final ManagedDomain managed = find(nameOrId);
        if (weight != null && (weight < 1 || weight > 65535))
        {
            throw new ToolstackException("weight " + weight + " is not between 1 and 65535");
        }
        final int maxCap = XlConfig.CAP_PER_VCPU * Math.max(1, managed.spec.vcpus());
        if (cap != null && (cap < 0 || cap > maxCap))
        {
            throw new ToolstackException("cap " + cap + " is not between 0 and " + maxCap);
        }
        final int newWeight = weight != null ? weight : managed.weight;
        final int newCap = cap != null ? cap : managed.cap;
        applyCredit(managed, newWeight, newCap);
        managed.weight = newWeight;
        managed.cap = newCap;
        return info(managed);
    }

    /** Hands weight and cap to the hypervisor's credit scheduler; kept only by the toolstack without one (thread per vCPU) or for a Java guest. */
    private void applyCredit(final ManagedDomain managed, final int weight, final int cap)
    {
        if (managed.spec.type() == GuestType.JAVA || !hypervisor.hasScheduler())
        {
            return;
        }
        try
        {
            hypervisor.setCreditParams(managed.domain, new CreditParams(weight, cap));
        }
        catch (final IllegalStateException | IllegalArgumentException ex)
        {
            throw new ToolstackException("sched-credit: " + ex.getMessage());
        }
    }

    /** Hot-plugs a disk from an xl.cfg disk spec ({@code xl block-attach}): PV disks on a running domain. */
    public synchronized void blockAttach(final String nameOrId, final String spec)
    {
        final ManagedDomain managed = find(nameOrId);
        try
        {
            attachDisk(managed, spec);
        }
        catch (final RuntimeException ex)
        {
            throw new ToolstackException(ex.getMessage());
        }
        managed.extraDisks.add(spec);
    }

    /** Detaches a PV disk by its vdev ({@code xl block-detach DOM xvdb}). */
    public synchronized void blockDetach(final String nameOrId, final String vdev)
    {
        final ManagedDomain managed = find(nameOrId);
        final int deviceId;
        try
        {
            deviceId = VirtualDevice.deviceId(vdev);
        }
        catch (final RuntimeException ex)
        {
            throw new ToolstackException(ex.getMessage());
        }
        for (final Vbd vbd : hypervisor.backends().disks(managed.domain))
        {
            if (vbd.deviceId() == deviceId)
            {
                hypervisor.backends().detachDisk(vbd);
                return;
            }
        }
        for (final DriverDomain driver : driverDomains())
        {
            if (driver.disks(managed.domain.id()).stream().anyMatch(vbd -> vbd.deviceId() == deviceId))
            {
                detachFromDriverDomain(() -> driver.detachDisk(managed.domain.id(), deviceId));
                return;
            }
        }
        throw new ToolstackException("domain '" + managed.name + "' has no PV disk " + vdev);
    }

    /** Hot-plugs a vif from an xl.cfg vif spec ({@code xl network-attach}). */
    public synchronized void networkAttach(final String nameOrId, final String spec)
    {
        final ManagedDomain managed = find(nameOrId);
        try
        {
            attachVif(managed, spec);
        }
        catch (final RuntimeException ex)
        {
            throw new ToolstackException(ex.getMessage());
        }
        managed.extraVifs.add(spec);
    }

    /** Detaches a PV vif by its handle or MAC ({@code xl network-detach DOM 0}). */
    public synchronized void networkDetach(final String nameOrId, final String handleOrMac)
    {
        final ManagedDomain managed = find(nameOrId);
        for (final Vif vif : hypervisor.backends().vifs(managed.domain))
        {
            if (String.valueOf(vif.handle()).equals(handleOrMac) ||
                MacAddress.toString(vif.macAddress()).equalsIgnoreCase(handleOrMac))
            {
                hypervisor.backends().detachVif(vif);
                return;
            }
        }
        for (final DriverDomain driver : driverDomains())
        {
            for (final DriverVifSpec vif : driver.vifs(managed.domain.id()))
            {
                if (String.valueOf(vif.handle()).equals(handleOrMac) || vif.mac().equalsIgnoreCase(handleOrMac))
                {
                    detachFromDriverDomain(() -> driver.detachVif(managed.domain.id(), vif.handle()));
                    return;
                }
            }
        }
        throw new ToolstackException("domain '" + managed.name + "' has no PV vif " + handleOrMac);
    }

    /** A detach by a driver domain, which waits for its process (and the front end's answer). */
    private interface DriverDetach
    {
        void run() throws InterruptedException;
    }

    private static void detachFromDriverDomain(final DriverDetach detach)
    {
        try
        {
            detach.run();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new ToolstackException("interrupted while detaching");
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ToolstackException(ex.getMessage());
        }
    }

    /**
     * Detaches a destroyed domain's devices from every driver domain: after the destroy, so that the
     * front ends are gone and each back end closes without waiting out a grace.
     */
    private void detachFromDriverDomains(final int domid)
    {
        for (final DriverDomain driver : driverDomains())
        {
            if (driver.domid() != domid)
            {
                detachFromDriverDomain(() -> driver.detachAll(domid));
            }
        }
    }

    private List<DriverDomain> driverDomains()
    {
        final List<DriverDomain> drivers = new ArrayList<>();
        for (final ManagedDomain managed : domains.values())
        {
            if (managed.driver != null)
            {
                drivers.add(managed.driver);
            }
        }
        return drivers;
    }

    /** The host, as {@code xl info}. */
    public synchronized Map<String, Object> info()
    {
        final Map<String, Object> info = new LinkedHashMap<>();
        final Runtime runtime = Runtime.getRuntime();
        info.put("host", hostName());
        info.put("release", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        info.put("machine", System.getProperty("os.arch"));
        info.put("nr_cpus", runtime.availableProcessors());
        info.put("total_memory", hypervisor.frameAllocator().totalFrames() * 4L / 1024);
        info.put("free_memory", hypervisor.freeFrames() * 4L / 1024);
        info.put("nr_domains", domains.size() + 1);
        info.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        info.put("jvm_heap_used_mib", (runtime.totalMemory() - runtime.freeMemory()) >> 20);
        info.put("xen_caps", "riscv64 pv hvm java");
        return info;
    }

    /** The toolstack's messages ({@code xl dmesg}). */
    public List<String> dmesg()
    {
        return log.lines();
    }

    // ---------------------------------------------------------------------------------------------

    private ManagedDomain find(final String nameOrId)
    {
        ManagedDomain byName = findByName(nameOrId);
        if (byName != null)
        {
            return byName;
        }
        try
        {
            final ManagedDomain byId = domains.get(Integer.parseInt(nameOrId));
            if (byId != null)
            {
                return byId;
            }
        }
        catch (final NumberFormatException notAnId)
        {
            // a name that no domain has
        }
        throw new ToolstackException("domain '" + nameOrId + "' does not exist");
    }

    private ManagedDomain findByName(final String name)
    {
        for (final ManagedDomain managed : domains.values())
        {
            if (managed.name.equals(name))
            {
                return managed;
            }
        }
        return null;
    }

    private DomainInfo info(final ManagedDomain managed)
    {
        final Domain domain = managed.domain;
        final DomainState state = domain.state();
        final boolean waiting = managed.guest != null ? managed.guest.isWaiting() : managed.java != null && managed.java.isWaiting();
        final List<String> disks = new ArrayList<>(managed.disks);
        disks.addAll(managed.extraDisks);
        final List<String> vifs = new ArrayList<>(managed.vifs);
        vifs.addAll(managed.extraVifs);
        return new DomainInfo(managed.name, domain.id(), managed.spec.type().xlName(),
            managed.spec.memoryMiB(), managed.spec.vcpus(), stateLetters(state, waiting), cpuSeconds(managed),
            domain.shutdownReason() == null ? null : domain.shutdownReason().name().toLowerCase(Locale.ROOT),
            domain.crashReason(), managed.spec.onPoweroff().xlName(), managed.spec.onReboot().xlName(),
            managed.spec.onCrash().xlName(), managed.weight, managed.cap, disks, vifs, managed.console.history().length,
            managed.guest != null ? managed.guest.instructionsRetired() : 0);
    }

    private DomainInfo dom0Info()
    {
        // dom0 is the JVM: its time is the process's CPU time.
        final double cpu = ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os ?
            os.getProcessCpuTime() / 1e9 : 0;
        return new DomainInfo(DOM0_NAME, 0, "dom0", hypervisor.domain(0).config().memoryMiB(),
            Runtime.getRuntime().availableProcessors(), "r-----", cpu, null, null, "destroy", "restart", "destroy",
            XlConfig.DEFAULT_CPU_WEIGHT, XlConfig.NO_CAP, List.of(), List.of(), 0, 0);
    }

    /** xl's six columns: running, blocked, paused, shutdown, crashed, dying. */
    static String stateLetters(final DomainState state, final boolean waiting)
    {
        final char[] letters = "------".toCharArray();
        switch (state)
        {
            case RUNNING -> letters[waiting ? 1 : 0] = waiting ? 'b' : 'r';
            case PAUSED -> letters[2] = 'p';
            case SHUTDOWN -> letters[3] = 's';
            case CRASHED -> letters[4] = 'c';
            case DYING, GONE -> letters[5] = 'd';
            case CREATED -> letters[1] = 'b';
        }
        return new String(letters);
    }

    private static double cpuSeconds(final ManagedDomain managed)
    {
        final long nanos = managed.guest != null ? managed.guest.runNanos() : managed.java != null ? managed.java.cpuTimeNanos() : 0;
        return Math.max(0, nanos) / 1e9;
    }

    private static String hostName()
    {
        try
        {
            return java.net.InetAddress.getLocalHost().getHostName();
        }
        catch (final IOException ex)
        {
            return "localhost";
        }
    }

    private void ensureOpen()
    {
        if (closed)
        {
            throw new ToolstackException("the toolstack is shut down");
        }
    }

    /** Destroys every managed domain and stops the life-cycle thread; the hypervisor stays the caller's. */
    @Override
    public void close()
    {
        synchronized (this)
        {
            if (closed)
            {
                return;
            }
            for (final ManagedDomain managed : new ArrayList<>(domains.values()))
            {
                destroy(managed);
            }
            closed = true;
        }
        lifecycle.shutdownNow();
    }

    /** A domain the toolstack created: its spec, its console, its guest, and what commands changed. */
    private static final class ManagedDomain
    {
        final XlConfig spec;
        final GuestBoot boot;
        final Domain domain;
        final DomainConsole console = new DomainConsole();
        /** The config's disks and vifs as spec strings (each parses back to the same spec). */
        final List<String> disks = new ArrayList<>();
        final List<String> vifs = new ArrayList<>();
        final List<String> extraDisks = new ArrayList<>();
        final List<String> extraVifs = new ArrayList<>();
        String name;
        HvmGuest guest;
        JavaGuestRunner java;
        /** A driver domain's supervisor, or null for a guest. */
        DriverDomain driver;
        int weight;
        int cap;
        boolean destroying;

        ManagedDomain(final XlConfig spec, final GuestBoot boot, final Domain domain)
        {
            this.spec = spec;
            this.boot = boot;
            this.domain = domain;
            this.name = spec.name();
            this.weight = spec.cpuWeight();
            this.cap = spec.cap();
            spec.disks().forEach(d -> disks.add(d.toString()));
            spec.vifs().forEach(v -> vifs.add(v.toString()));
        }
    }
}
