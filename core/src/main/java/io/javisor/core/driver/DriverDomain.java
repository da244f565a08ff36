package io.javisor.core.driver;

import io.javisor.blkback.BlkifXenstoreKeys;
import io.javisor.blkback.image.DiskFormat;
import io.javisor.blkback.image.DiskImageException;
import io.javisor.blkback.image.DiskSpec;
import io.javisor.blkback.image.RawFileImage;
import io.javisor.core.Domain;
import io.javisor.core.DomainConfig;
import io.javisor.core.Hypervisor;
import io.javisor.memory.MachineMemory;
import io.javisor.memory.log.HostLog;
import io.javisor.netback.NetifXenstoreKeys;
import io.javisor.netback.spec.VifSpec;
import io.javisor.ringio.xenstore.XenStore;
import io.javisor.ringio.xenstore.XenStoreException;
import io.javisor.ringio.xenstore.XenbusDevice;
import io.javisor.ringio.xenstore.XenbusState;
import org.agrona.DirectBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A driver domain: a domain of the hypervisor whose back ends (block devices, and vifs on bridges of
 * its own) run in a separate OS process, and the
 * supervisor that keeps one such process serving. The process reaches the hypervisor only through
 * its channel ({@link DriverProtocol}, one Unix domain socket), acting as this domain: it maps only
 * frames granted to this domain, one at a time, through the hypervisor's grant checks.
 * <p>
 * When the serving process dies (killed, crashed, exited, or disconnected for breaking the protocol)
 * the supervisor learns of it from {@link Process#onExit()} — for a disconnect, once the kill it sends
 * has taken effect, so no mapping is released while the process could still use it — releases every
 * grant mapping, event channel and watch it held, marks its back ends Closed in xenstore, and makes
 * another process serve: the spare started ahead when there is one (then starts a new spare), else a
 * new process. The new back ends go through the xenbus handshake again; front ends that reconnect
 * re-issue what was not answered.
 * <p>
 * The domain id stays the same across processes (a restarted back end, not a new domain), so the
 * front ends' grants and xenstore links stay valid.
 * <p>
 * A device is detached ({@link #detachDisk}, {@link #detachVif}) by the serving process through the
 * xenbus close handshake; the supervisor waits for its confirmation, then removes the device's
 * xenstore directories. A bridge may be shared with dom0's bridge of the same name ({@link #shareBridge}).
 * <p>
 * Security: the process runs as the same OS user as the hypervisor and could open the machine memory
 * file itself; what is enforced is that the channel hands out only frames that a grant to this domain
 * allows, read-only where the grant says so.
 * <p>
 * Thread safety: life-cycle changes (attach, detach, sharing a bridge, a process's hello, its exit,
 * close) are serialised by this object's monitor, a detach waiting for its confirmation in the
 * monitor's wait set; each process's channel is served by its own threads ({@link DriverSession}),
 * which read the shared bridges without the monitor.
 */
public final class DriverDomain implements AutoCloseable
{
    /** How long {@link #close()} waits for its processes to exit after killing them. */
    private static final long EXIT_WAIT_MILLIS = 5_000;
    /**
     * Processes that die this soon after they started without ever saying hello, this many times in a
     * row, stop the respawning of spares (a process that cannot start would be started for ever).
     */
    private static final long QUICK_DEATH_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final int MAX_QUICK_DEATHS = 5;
    /** How long a detach waits for the serving process: the front end's grace, and time to release. */
    static final long DETACH_TIMEOUT_MILLIS = TimeUnit.NANOSECONDS.toMillis(DriverProtocol.FRONTEND_CLOSE_GRACE_NANOS) + 3_000;
    /** How long after a restart the next spare is started. */
    static final long SPARE_DELAY_MILLIS = 100;

    private final Hypervisor hypervisor;
    private final DriverDomainConfig config;
    private final Domain domain;
    private final MachineMemory memory;
    private final Path directory;
    private final Path socket;
    private final Path log;
    private final ServerSocketChannel server;
    private final DriverDomainStatistics statistics = new DriverDomainStatistics();
    private final SecureRandom random = new SecureRandom();
    private final List<DriverVbdSpec> vbds = new ArrayList<>();
    private final List<DriverVifSpec> vifs = new ArrayList<>();
    private final Map<Long, Instance> launching = new HashMap<>();
    /** The bridges shared with dom0, by name (added under the monitor, read by the sessions' threads). */
    private final Map<String, DriverBridgeUplink> uplinks = new ConcurrentHashMap<>();
    /** Tokens of the devices the serving process was asked to detach and has not yet confirmed. */
    private final Set<String> detaching = new HashSet<>();
    private final Thread acceptor;
    private Instance active;
    private Instance spare;
    private boolean waitingForActive;
    private int instances;
    private int quickDeaths;
    private boolean spareScheduled;
    private boolean closed;

    /** One process: its launch, then its channel once it said hello. */
    private static final class Instance
    {
        final int number;
        final long token;
        final long startedNanos = System.nanoTime();
        Process process;
        DriverSession session;

        Instance(final int number, final long token)
        {
            this.number = number;
            this.token = token;
        }
    }

    private DriverDomain(final Hypervisor hypervisor, final DriverDomainConfig config)
    {
        this.hypervisor = hypervisor;
        this.config = config;
        this.memory = hypervisor.frameAllocator().memory();
        if (memory.file() == null)
        {
            throw new IllegalStateException("driver domain " + config.name() +
                ": machine memory is anonymous; a driver domain needs it file-backed (HypervisorConfig.withMachineMemoryFile)");
        }
        // The domain first: a name in use is the caller's one-line error, and nothing is left open.
        domain = hypervisor.createDomain(DomainConfig.pv(config.name(), 1));
        try
        {
            directory = Files.createTempDirectory("javisor-ddom-" + config.name() + "-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            socket = directory.resolve("channel.sock");
            log = directory.resolve("driver-domain.log");
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(socket));
        }
        catch (final IOException ex)
        {
            hypervisor.destroyDomain(domain.id());
            throw new UncheckedIOException("driver domain " + config.name() + ": cannot open its channel: " + ex.getMessage(), ex);
        }
        domain.unpause();
        acceptor = Thread.ofPlatform().daemon().name(config.name() + "-accept").start(this::acceptLoop);
    }

    /**
     * Creates the driver domain and starts its first process (and a spare, if configured).
     *
     * @throws IllegalStateException when the hypervisor's machine memory is not file-backed.
     */
    public static DriverDomain start(final Hypervisor hypervisor, final DriverDomainConfig config)
    {
        final DriverDomain driver = new DriverDomain(hypervisor, config);
        synchronized (driver)
        {
            driver.waitingForActive = true;
            driver.launch();
            if (config.spare())
            {
                driver.launch();
            }
        }
        return driver;
    }

    public String name()
    {
        return config.name();
    }

    public int domid()
    {
        return domain.id();
    }

    public DriverDomainStatistics statistics()
    {
        return statistics;
    }

    /**
     * The log file the processes write their output to (removed by {@link #close()}).
     */
    public Path log()
    {
        return log;
    }

    /**
     * Attaches a disk to {@code guest} from a disk spec naming this driver domain, e.g.
     * {@code backend=storage, format=raw, vdev=xvda, target=/path/disk.img}: creates both xenstore
     * directories (as the toolstack) and tells the serving process, which opens the image and runs
     * the back end's half of the handshake. A Java guest then attaches with {@code BlkFront.attach(
     * guest.resources(), driver.domid(), deviceId, ...)}.
     * <p>
     * A driver domain serves raw images only: a RAM disk would live in its process and die with it,
     * which a restart must not lose.
     *
     * @throws IllegalArgumentException for a bad spec, another driver domain's name, an image that
     *                                  cannot be opened, or a device the guest has already (one line).
     */
    public synchronized DriverVbdSpec attachDisk(final Domain guest, final String spec)
    {
        final DiskSpec parsed = DiskSpec.parse(spec);
        requireThisBackend(parsed.backend(), "disk", spec);
        if (parsed.format() != DiskFormat.RAW)
        {
            throw new IllegalArgumentException("bad disk spec '" + spec + "': a driver domain serves raw images only, not " +
                parsed.format().specName() + " (a RAM disk would die with the driver domain's process)");
        }
        final Path image = parsed.targetPath();
        try
        {
            // Opened here for its one-line problems (missing, empty, not whole sectors); the process opens its own.
            RawFileImage.open(image, parsed.readOnly()).close();
        }
        catch (final DiskImageException ex)
        {
            throw new IllegalArgumentException("bad disk spec '" + spec + "': " + ex.getMessage(), ex);
        }
        requireOpen();
        if (disk(guest.id(), parsed.deviceId()) != null ||
            frontendDevices(guest.id(), BlkifXenstoreKeys.DEVICE_TYPE).contains(Integer.toString(parsed.deviceId())))
        {
            throw new IllegalArgumentException("bad disk spec '" + spec + "': domain " + guest.id() + " has a disk " +
                parsed.vdev() + " already");
        }
        final DriverVbdSpec vbd = new DriverVbdSpec(guest.id(), parsed.deviceId(), image, parsed.readOnly());
        xenbus(vbd).create();
        vbds.add(vbd);
        for (final Instance instance : new Instance[] {active, spare})
        {
            if (instance != null && instance.session != null)
            {
                try
                {
                    instance.session.attach(vbd);
                }
                catch (final IOException ex)
                {
                    disconnect(instance.session, "attach failed: " + ex.getMessage());
                }
            }
        }
        return vbd;
    }

    /**
     * Attaches a virtual network interface to {@code guest} from a vif spec naming this driver domain,
     * e.g. {@code backend=net, bridge=xenbr0, mac=00:16:3e:01:02:03} (a random 00:16:3e MAC when
     * none is given): creates both xenstore directories with the MAC (as the toolstack) and tells the
     * serving process, which switches the vif on that bridge inside the driver domain. A Java guest
     * then attaches with {@code NetFront.attach(guest.resources(), driver.domid(), vif.handle(), ...)}.
     *
     * @throws IllegalArgumentException for a bad spec or another driver domain's name (one line).
     */
    public synchronized DriverVifSpec attachVif(final Domain guest, final String spec)
    {
        final VifSpec parsed = VifSpec.parse(spec);
        requireThisBackend(parsed.backend(), "vif", spec);
        requireOpen();
        final DriverVifSpec vif = new DriverVifSpec(guest.id(), nextVifHandle(guest.id()), parsed);
        final int handle = vif.handle();
        final XenbusDevice device = xenbus(vif);
        device.create();
        final XenStore store = hypervisor.xenStore();
        // The toolstack tells both ends the MAC, and the back end its bridge, as xl does.
        store.write(Hypervisor.DOM0, device.frontendPath() + "/" + NetifXenstoreKeys.MAC, vif.mac());
        store.write(Hypervisor.DOM0, device.backendPath() + "/" + NetifXenstoreKeys.MAC, vif.mac());
        store.write(Hypervisor.DOM0, device.backendPath() + "/" + NetifXenstoreKeys.BRIDGE, vif.bridge());
        store.write(Hypervisor.DOM0, device.backendPath() + "/" + NetifXenstoreKeys.HANDLE, Integer.toString(handle));
        vifs.add(vif);
        for (final Instance instance : new Instance[] {active, spare})
        {
            if (instance != null && instance.session != null)
            {
                try
                {
                    instance.session.attach(vif);
                }
                catch (final IOException ex)
                {
                    disconnect(instance.session, "attach failed: " + ex.getMessage());
                }
            }
        }
        return vif;
    }

    /**
     * The lowest vif handle free in the guest: neither this driver domain's nor in the guest's
     * xenstore directory (where dom0's and other driver domains' vifs are too).
     */
    private int nextVifHandle(final int guest)
    {
        final List<String> listed = frontendDevices(guest, NetifXenstoreKeys.DEVICE_TYPE);
        int handle = 0;
        while (listed.contains(Integer.toString(handle)) || isOwnVif(guest, handle))
        {
            handle++;
        }
        return handle;
    }

    private boolean isOwnVif(final int guest, final int handle)
    {
        return vifs.stream().anyMatch(vif -> vif.frontendDomid() == guest && vif.handle() == handle);
    }

    /**
     * The device ids of {@code type} in the guest's xenstore directory, whichever back end serves them.
     */
    private List<String> frontendDevices(final int guest, final String type)
    {
        try
        {
            return hypervisor.xenStore().directory(Hypervisor.DOM0, "/local/domain/" + guest + "/device/" + type);
        }
        catch (final XenStoreException none)
        {
            return List.of();
        }
    }

    private void requireThisBackend(final String backend, final String what, final String spec)
    {
        if (!config.name().equals(backend))
        {
            throw new IllegalArgumentException("bad " + what + " spec '" + spec + "': backend " +
                (backend == null ? "missing" : backend + " is not this driver domain") + " (backend=" + config.name() + ")");
        }
    }

    private void requireOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("driver domain " + config.name() + " is closed");
        }
    }

    /**
     * Joins this driver domain's bridge {@code name} to dom0's bridge of that name (made if need be),
     * so that guests on vifs of either reach each other: dom0's bridge gets a port behind which the
     * driver domain's bridge lives ({@link DriverBridgeUplink}), and the driver domain's bridge an
     * uplink to it; frames between the two cross the channel. Harmless for a bridge shared already.
     *
     * @throws IllegalArgumentException for a bad bridge name (one line).
     */
    public synchronized void shareBridge(final String name)
    {
        final String bridge = VifSpec.parse("bridge=" + name).bridge();
        requireOpen();
        if (uplinks.containsKey(bridge))
        {
            return;
        }
        final DriverBridgeUplink uplink = new DriverBridgeUplink(config.name(), hypervisor.backends().bridges().getOrCreate(bridge));
        uplink.attach();
        uplinks.put(bridge, uplink);
        if (active != null && active.session != null)
        {
            uplink.wakeWith(active.session::wakeForwarder);
        }
        for (final Instance instance : new Instance[] {active, spare})
        {
            if (instance != null && instance.session != null)
            {
                try
                {
                    instance.session.shareBridge(bridge);
                }
                catch (final IOException ex)
                {
                    disconnect(instance.session, "share bridge failed: " + ex.getMessage());
                }
            }
        }
    }

    /**
     * A frame the serving process sent up to dom0's bridge {@code bridge} (its channel's reader thread).
     *
     * @return false when that bridge is not shared (the process broke the protocol).
     */
    boolean fromUplink(final String bridge, final DirectBuffer frame, final int length)
    {
        final DriverBridgeUplink uplink = bridge == null ? null : uplinks.get(bridge);
        if (uplink == null)
        {
            return false;
        }
        uplink.fromDriverDomain(frame, length);
        return true;
    }

    /**
     * Frames dom0's shared bridges dropped because the channel did not keep up.
     */
    public long uplinkDrops()
    {
        return uplinks.values().stream().mapToLong(DriverBridgeUplink::dropped).sum();
    }

    /**
     * The disks this driver domain serves to domain {@code frontendDomid}.
     */
    public synchronized List<DriverVbdSpec> disks(final int frontendDomid)
    {
        return vbds.stream().filter(vbd -> vbd.frontendDomid() == frontendDomid).toList();
    }

    /**
     * The vifs this driver domain serves to domain {@code frontendDomid}.
     */
    public synchronized List<DriverVifSpec> vifs(final int frontendDomid)
    {
        return vifs.stream().filter(vif -> vif.frontendDomid() == frontendDomid).toList();
    }

    private DriverVbdSpec disk(final int frontendDomid, final int deviceId)
    {
        for (final DriverVbdSpec vbd : vbds)
        {
            if (vbd.frontendDomid() == frontendDomid && vbd.deviceId() == deviceId)
            {
                return vbd;
            }
        }
        return null;
    }

    /**
     * Detaches disk {@code deviceId} of domain {@code frontendDomid} ({@code xl block-detach}): the
     * serving process closes it through xenbus — its back end goes Closing, the front end answers
     * by closing (a front end that does not is given {@link DriverProtocol#FRONTEND_CLOSE_GRACE_NANOS}),
     * then every grant of the device is unmapped and its event channel, watch, image and thread
     * released — and then both xenstore directories are removed. Returns once all of that is done;
     * the same disk may then be attached again. A process that does not confirm within
     * {@link #DETACH_TIMEOUT_MILLIS} is restarted without the device (its death releases everything).
     *
     * @throws IllegalArgumentException when this driver domain serves no such disk (one line).
     */
    public void detachDisk(final int frontendDomid, final int deviceId) throws InterruptedException
    {
        final DriverVbdSpec vbd;
        synchronized (this)
        {
            vbd = disk(frontendDomid, deviceId);
            if (vbd == null)
            {
                throw new IllegalArgumentException("driver domain " + config.name() + " serves no disk " + deviceId +
                    " of domain " + frontendDomid);
            }
            vbds.remove(vbd);
        }
        detach(BackendDirectory.token(BlkifXenstoreKeys.DEVICE_TYPE, frontendDomid, deviceId), DriverProtocol.DETACH,
            frontendDomid, deviceId, xenbus(vbd));
    }

    /**
     * Detaches vif {@code handle} of domain {@code frontendDomid} ({@code xl network-detach}), as
     * {@link #detachDisk}.
     *
     * @throws IllegalArgumentException when this driver domain serves no such vif (one line).
     */
    public void detachVif(final int frontendDomid, final int handle) throws InterruptedException
    {
        final DriverVifSpec vif;
        synchronized (this)
        {
            vif = vifs.stream().filter(v -> v.frontendDomid() == frontendDomid && v.handle() == handle).findFirst()
                .orElse(null);
            if (vif == null)
            {
                throw new IllegalArgumentException("driver domain " + config.name() + " serves no vif " + handle +
                    " of domain " + frontendDomid);
            }
            vifs.remove(vif);
        }
        detach(BackendDirectory.token(NetifXenstoreKeys.DEVICE_TYPE, frontendDomid, handle), DriverProtocol.DETACH_VIF,
            frontendDomid, handle, xenbus(vif));
    }

    /**
     * Detaches every device of domain {@code frontendDomid} (the domain is being destroyed).
     */
    public void detachAll(final int frontendDomid) throws InterruptedException
    {
        for (final DriverVbdSpec vbd : disks(frontendDomid))
        {
            detachDisk(frontendDomid, vbd.deviceId());
        }
        for (final DriverVifSpec vif : vifs(frontendDomid))
        {
            detachVif(frontendDomid, vif.handle());
        }
    }

    /**
     * Has the serving process (and the spare, which only forgets the device) detach a device already
     * taken off this driver domain's list, waits for the serving process to confirm, then removes
     * the device's xenstore directories.
     */
    private void detach(final String token, final byte type, final int frontendDomid, final int device,
        final XenbusDevice xenbus) throws InterruptedException
    {
        synchronized (this)
        {
            if (spare != null && spare.session != null)
            {
                sendDetach(spare, type, frontendDomid, device);
            }
            final Instance serving = active;
            if (serving != null && !closed)
            {
                detaching.add(token);
                sendDetach(serving, type, frontendDomid, device);
                final long deadline = System.currentTimeMillis() + DETACH_TIMEOUT_MILLIS;
                long left = DETACH_TIMEOUT_MILLIS;
                // Its confirmation, or its death (which releases all it held), ends the wait.
                while (detaching.contains(token) && active == serving && !closed && left > 0)
                {
                    wait(left);
                    left = deadline - System.currentTimeMillis();
                }
                if (detaching.remove(token) && active == serving && !closed)
                {
                    disconnect(serving.session, "did not detach " + token + " within " + DETACH_TIMEOUT_MILLIS + " ms");
                }
            }
        }
        removeDirectories(xenbus);
    }

    private void sendDetach(final Instance instance, final byte type, final int frontendDomid, final int device)
    {
        try
        {
            instance.session.detach(type, frontendDomid, device);
        }
        catch (final IOException ex)
        {
            disconnect(instance.session, "detach failed: " + ex.getMessage());
        }
    }

    /**
     * The serving process confirmed a detach (its channel's reader thread).
     */
    void onDetached(final DriverSession session, final String token)
    {
        synchronized (this)
        {
            if (active != null && active.session == session && detaching.remove(token))
            {
                notifyAll();
            }
        }
    }

    /**
     * Removes a device's two xenstore directories, each on its own (the front end's may be gone with
     * its domain), and the back end's {@code backend/TYPE/FRONTEND} directory once it holds no device.
     */
    private void removeDirectories(final XenbusDevice device)
    {
        final XenStore store = hypervisor.xenStore();
        final String backendPath = device.backendPath();
        final String perFrontend = backendPath.substring(0, backendPath.lastIndexOf('/'));
        for (final String path : new String[] {device.frontendPath(), backendPath})
        {
            try
            {
                store.rm(Hypervisor.DOM0, path);
            }
            catch (final XenStoreException ignore)
            {
                // Gone already.
            }
        }
        try
        {
            if (store.directory(Hypervisor.DOM0, perFrontend).isEmpty())
            {
                store.rm(Hypervisor.DOM0, perFrontend);
            }
        }
        catch (final XenStoreException ignore)
        {
            // Gone already.
        }
    }

    /**
     * The serving process, or null between a death and the next activation.
     */
    public synchronized Process activeProcess()
    {
        return active == null ? null : active.process;
    }

    /**
     * Waits until a process serves (has been activated).
     *
     * @return the serving process.
     * @throws IllegalStateException when none does within {@code timeoutMillis}.
     */
    public synchronized Process awaitActive(final long timeoutMillis) throws InterruptedException
    {
        final long deadline = System.currentTimeMillis() + timeoutMillis;
        while (active == null)
        {
            final long left = deadline - System.currentTimeMillis();
            if (left <= 0 || closed)
            {
                throw new IllegalStateException("driver domain " + config.name() + " has no serving process after " +
                    timeoutMillis + " ms (see " + log + ")");
            }
            wait(left);
        }
        return active.process;
    }

    /**
     * Waits until a spare process is connected (if the driver domain keeps one).
     */
    public synchronized void awaitSpare(final long timeoutMillis) throws InterruptedException
    {
        final long deadline = System.currentTimeMillis() + timeoutMillis;
        while (config.spare() && (spare == null || spare.session == null))
        {
            final long left = deadline - System.currentTimeMillis();
            if (left <= 0 || closed)
            {
                throw new IllegalStateException("driver domain " + config.name() + " has no spare after " + timeoutMillis + " ms");
            }
            wait(left);
        }
    }

    private XenbusDevice xenbus(final DriverVifSpec vif)
    {
        return new XenbusDevice(hypervisor.xenStore(), NetifXenstoreKeys.DEVICE_TYPE, vif.frontendDomid(), domain.id(),
            vif.handle());
    }

    private XenbusDevice xenbus(final DriverVbdSpec vbd)
    {
        return new XenbusDevice(hypervisor.xenStore(), BlkifXenstoreKeys.DEVICE_TYPE, vbd.frontendDomid(), domain.id(),
            vbd.deviceId());
    }

    private void launch()
    {
        long token;
        do
        {
            token = random.nextLong();
        }
        while (launching.containsKey(token));
        final Instance instance = new Instance(++instances, token);
        launching.put(token, instance);
        instance.process = DriverProcessLauncher.launch(config, socket, token, log);
        statistics.processStarted();
        instance.process.onExit().thenRun(() -> onExit(instance));
    }

    private void acceptLoop()
    {
        while (true)
        {
            final SocketChannel channel;
            try
            {
                channel = server.accept();
            }
            catch (final IOException ex)
            {
                return; // closed
            }
            Thread.ofPlatform().daemon().name(config.name() + "-channel").start(() -> serveChannel(channel));
        }
    }

    private void serveChannel(final SocketChannel channel)
    {
        final Instance instance;
        try
        {
            final long token = DriverSession.readHello(new MessageReader(channel));
            synchronized (this)
            {
                instance = launching.remove(token);
                if (instance == null || closed)
                {
                    closeQuietly(channel);
                    return;
                }
                instance.session = new DriverSession(this, instance.number, channel, domain.resources(), memory, statistics,
                    uplinks.values());
                quickDeaths = 0;
                instance.session.prepare(domain.id(), List.copyOf(vbds), List.copyOf(vifs));
                if (waitingForActive)
                {
                    activate(instance);
                }
                else
                {
                    spare = instance;
                }
                notifyAll();
            }
        }
        catch (final IOException | DriverProtocolException ex)
        {
            if (ex instanceof DriverProtocolException)
            {
                statistics.protocolViolation();
            }
            closeQuietly(channel);
            return;
        }
        final String reason = instance.session.serve();
        disconnect(instance.session, reason);
    }

    private static void closeQuietly(final SocketChannel channel)
    {
        try
        {
            channel.close();
        }
        catch (final IOException ignore)
        {
            // Closing is all that is wanted.
        }
    }

    private void activate(final Instance instance)
    {
        waitingForActive = false;
        active = instance;
        uplinks.values().forEach(uplink -> uplink.wakeWith(instance.session::wakeForwarder));
        try
        {
            instance.session.activate();
        }
        catch (final IOException ex)
        {
            disconnect(instance.session, "activation failed: " + ex.getMessage());
        }
    }

    /**
     * Drops a process's channel and kills it; its exit does the rest. Harmless for a process gone already.
     *
     * @param violation what it did wrong (logged), or null when its channel just ended.
     */
    void disconnect(final DriverSession session, final String violation)
    {
        final Instance instance;
        synchronized (this)
        {
            instance = active != null && active.session == session ? active :
                spare != null && spare.session == session ? spare : null;
        }
        if (instance == null)
        {
            session.closeChannel();
            return;
        }
        if (!closed && violation != null)
        {
            HostLog.log(config.name(), "disconnecting process " + instance.process.pid(), violation);
        }
        session.closeChannel();
        instance.process.destroyForcibly();
    }

    private void onExit(final Instance instance)
    {
        final boolean wasActive;
        synchronized (this)
        {
            launching.remove(instance.token);
            wasActive = instance == active;
            if (instance == spare)
            {
                spare = null;
            }
        }
        if (instance.session != null)
        {
            // The process is gone: nothing it mapped can be touched any more, so release it all.
            instance.session.close();
        }
        synchronized (this)
        {
            if (closed)
            {
                notifyAll();
                return;
            }
            final long now = System.nanoTime();
            if (instance.session == null && now - instance.startedNanos < QUICK_DEATH_NANOS)
            {
                quickDeaths++;
            }
            if (wasActive)
            {
                active = null;
                detaching.clear(); // what it held is released
                uplinks.values().forEach(uplink -> uplink.wakeWith(null));
                markBackendsClosed();
                statistics.restart();
                if (spare != null && spare.session != null)
                {
                    final Instance next = spare;
                    spare = null;
                    activate(next);
                }
                else
                {
                    waitingForActive = true;
                    if (spare == null && launching.isEmpty())
                    {
                        launch();
                    }
                }
            }
            if (config.spare() && spare == null)
            {
                if (quickDeaths < MAX_QUICK_DEATHS)
                {
                    launchSpareLater();
                }
                else
                {
                    HostLog.log(config.name(), "not starting a spare", quickDeaths + " processes died within 2 s of starting, before saying hello");
                }
            }
            notifyAll();
        }
    }

    /**
     * Starts the next spare {@link #SPARE_DELAY_MILLIS} from now: a JVM starting takes the CPUs for a
     * while, and the instance just activated needs them first to reconnect its front ends.
     */
    private void launchSpareLater()
    {
        if (spareScheduled)
        {
            return;
        }
        spareScheduled = true;
        Thread.ofPlatform().daemon().name(config.name() + "-respawn").start(() ->
        {
            try
            {
                Thread.sleep(SPARE_DELAY_MILLIS);
            }
            catch (final InterruptedException ex)
            {
                return;
            }
            synchronized (this)
            {
                spareScheduled = false;
                if (!closed && spare == null && launching.size() < (waitingForActive ? 2 : 1))
                {
                    launch();
                }
            }
        });
    }

    private void markBackendsClosed()
    {
        final List<XenbusDevice> devices = new ArrayList<>();
        vbds.forEach(vbd -> devices.add(xenbus(vbd)));
        vifs.forEach(vif -> devices.add(xenbus(vif)));
        for (final XenbusDevice device : devices)
        {
            try
            {
                hypervisor.xenStore().write(Hypervisor.DOM0, device.backendPath() + '/' + XenbusDevice.STATE,
                    XenbusState.CLOSED.toText());
            }
            catch (final XenStoreException ex)
            {
                HostLog.log(config.name(), "cannot mark back end Closed", ex.getMessage());
            }
        }
    }

    /**
     * Kills every process, removes the devices' xenstore directories, destroys the domain and removes
     * the channel's socket and the log.
     */
    @Override
    public void close()
    {
        final List<Instance> all = new ArrayList<>();
        synchronized (this)
        {
            if (closed)
            {
                return;
            }
            closed = true;
            all.addAll(launching.values());
            if (active != null)
            {
                all.add(active);
            }
            if (spare != null)
            {
                all.add(spare);
            }
        }
        for (final Instance instance : all)
        {
            instance.process.destroyForcibly();
        }
        for (final Instance instance : all)
        {
            try
            {
                instance.process.onExit().get(EXIT_WAIT_MILLIS, TimeUnit.MILLISECONDS);
            }
            catch (final Exception ex)
            {
                HostLog.log(config.name(), "process " + instance.process.pid() + " did not exit", ex.toString());
            }
            if (instance.session != null)
            {
                instance.session.close();
            }
        }
        try
        {
            server.close();
            acceptor.join(EXIT_WAIT_MILLIS);
        }
        catch (final IOException | InterruptedException ignore)
        {
            // Closing is all that is wanted.
        }
        synchronized (this)
        {
            final List<XenbusDevice> devices = new ArrayList<>();
            vbds.forEach(vbd -> devices.add(xenbus(vbd)));
            vifs.forEach(vif -> devices.add(xenbus(vif)));
            devices.forEach(this::removeDirectories);
            vbds.clear();
            vifs.clear();
        }
        uplinks.values().forEach(DriverBridgeUplink::detach);
        hypervisor.destroyDomain(domain.id());
        try
        {
            Files.deleteIfExists(socket);
            Files.deleteIfExists(log);
            Files.deleteIfExists(directory);
        }
        catch (final IOException ignore)
        {
            // A leftover file in a private directory is harmless.
        }
    }
}
