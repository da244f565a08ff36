package io.javisor.blkback;

import io.javisor.memory.log.HostLog;
import io.javisor.ringio.agent.AgentCommandQueue;
import io.javisor.blkback.image.DiskImage;
import io.javisor.ringio.BackendResources;
import io.javisor.ringio.event.EventChannels;
import io.javisor.ringio.event.EventIdleStrategy;
import io.javisor.ringio.event.EventWaiter;
import io.javisor.ringio.event.PortSet;
import io.javisor.ringio.xenstore.XenbusDevice;
import io.javisor.ringio.xenstore.XenbusDevice.Side;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The block back end: an Agrona {@link Agent} serving a group of virtual block devices in a back-end
 * domain (dom0 or a driver domain). One agent per device, or one for many (a {@code ThreadingMode}-like
 * choice made by how devices are attached to agents).
 * <p>
 * Control-plane work (xenbus handshakes on watch events, attach, detach) arrives as commands on a
 * many-to-one queue and runs on the agent's own thread, so a device's state is touched by one
 * thread only. With {@link Mode#LATENCY} the agent busy-spins over every connected ring and leaves
 * ring events disarmed; with {@link Mode#DENSITY} it is event-driven: each duty cycle takes the
 * pending ports of its devices ({@link EventChannels#pollPorts}) and serves those devices alone,
 * re-arming each ring's event after serving it (a ring that filled up meanwhile is served again next
 * cycle without waiting for an event), and parks when nothing is pending. So a duty cycle costs what
 * the busy devices need plus one word read per 64 ports, however many idle devices the agent has.
 * <p>
 * Threads and writers: the agent thread is the single writer of every ring it serves, of the
 * devices' control state and statistics, of the {@code connected}/{@code retiring} arrays and of the
 * DENSITY bookkeeping (ports served, device by port, devices to serve again, devices with IO). It
 * never blocks on storage: image operations that may block run on each device's
 * {@link ImageIoExecutor} (a named daemon thread per device that needs one), which posts finished
 * ops back through a bounded queue and wakes the agent; the agent writes their responses. A
 * device keeps at most one ring's worth of requests in flight (its executor's op pool).
 */
public final class BlkBackend implements Agent, AutoCloseable
{
    public enum Mode
    {
        /** Busy-spin: lowest latency, one core per agent. */
        LATENCY,
        /** Park on event channels when idle: many agents share the cores. */
        DENSITY
    }

    private final BackendResources backend;
    private final Mode mode;
    private final String name;
    private final EventWaiter waiter = new EventWaiter();
    /** Control-plane commands waiting for the agent: attach handshakes, detaches. */
    public static final int COMMAND_QUEUE_CAPACITY = 4096;
    /**
     * DENSITY: idle duty cycles before the agent parks. Measured with {@code javisor bench density}
     * (4,000 guests, this 2-core machine, interleaved runs): with 100 the idle agents' spinning took
     * the cores from the thread creating guests (create p50 490-530 us, 64,000 reads/s) against
     * 375-390 us and 103,000-108,000 reads/s with 10; 0 was no faster to create and slower to read.
     */
    static final int DENSITY_IDLE_SPINS = 10;
    /** How long a caller waits for the agent to carry out a command. */
    public static final long COMMAND_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final AgentCommandQueue commands;
    private final BlkRequestServer server;
    /** Every attached device, guarded by its own monitor (attach and detach run on control threads). */
    private final Set<Vbd> devices = new LinkedHashSet<>();
    /** LATENCY: the connected devices, every one served each duty cycle. */
    private Vbd[] connected = new Vbd[0];
    /** DENSITY: the local ports of the connected devices, and the device on each. */
    private final PortSet ports;
    private Vbd[] byPort = new Vbd[64];
    /** DENSITY: devices to serve next duty cycle without an event (their ring filled up while served). */
    private Vbd[] again = new Vbd[16];
    private int againCount;
    private Vbd[] serving = new Vbd[16];
    /** DENSITY: devices with an IO executor, whose completions are looked for each duty cycle. */
    private Vbd[] withIo = new Vbd[0];
    private final java.util.function.IntConsumer serveByPort = this::serveByPort;
    /** Disconnected or detached devices whose executor still has ops for the agent to drain. */
    private Vbd[] retiring = new Vbd[0];
    private volatile AgentRunner runner;
    /**
     * Set by {@link #close()} before it stops the runner: an idle DENSITY agent then finds work pending
     * and does not park (up to 100 ms) before it sees the runner stop.
     */
    private volatile boolean closing;

    public BlkBackend(final BackendResources backend, final Mode mode, final String name)
    {
        this.backend = backend;
        this.mode = mode;
        this.name = name;
        this.commands = new AgentCommandQueue("blkback " + name, COMMAND_QUEUE_CAPACITY, COMMAND_TIMEOUT_NANOS, waiter::wake);
        this.server = new BlkRequestServer(backend.windows().get(), waiter::wake);
        this.ports = new PortSet(backend.eventChannels().maxPorts());
    }

    /**
     * Starts the agent on its own thread with the idle strategy of its mode.
     */
    public BlkBackend start()
    {
        final IdleStrategy idle = mode == Mode.LATENCY ? new BusySpinIdleStrategy() :
            new EventIdleStrategy(waiter, this::hasPendingWork, DENSITY_IDLE_SPINS, TimeUnit.MILLISECONDS.toNanos(100));
        runner = new AgentRunner(idle, error -> HostLog.log("blkback " + name, "agent error", error), null, this);
        AgentRunner.startOnThread(runner);
        return this;
    }

    /**
     * Attaches {@code image} to domain {@code frontendDomid} as device {@code deviceId}: creates its
     * xenstore nodes, publishes the back end's features and waits (InitWait) for the front end.
     * The back end owns the image from now on and closes it on detach. May be called from any thread.
     */
    public Vbd attach(final int frontendDomid, final int deviceId, final DiskImage image, final boolean readOnly)
    {
        final Vbd vbd = new Vbd(backend, frontendDomid, deviceId, image, readOnly);
        vbd.publish();
        synchronized (devices)
        {
            devices.add(vbd);
        }
        // Watch events only enqueue; the handshake itself runs on the agent thread.
        vbd.watchFrontend(_ -> onFrontendStateChanged(vbd));
        return vbd;
    }

    /**
     * Detaches a device: disconnects it, removes its xenstore nodes and closes its image, on the
     * agent's thread; returns once that is done, so that the image is closed and nothing of the device
     * runs any more. May be called from any thread but the agent's own.
     *
     * @throws IllegalStateException when the command queue is full or the agent does not answer in
     *                               {@link #COMMAND_TIMEOUT_NANOS}.
     */
    public void detach(final Vbd vbd)
    {
        final Runnable work = () ->
        {
            removeConnected(vbd);
            vbd.detach();
            vbd.closeImage();
            retireIfBusy(vbd);
        };
        if (runner == null || runner.isClosed())
        {
            work.run(); // no agent runs: the caller is the only thread that touches the device
        }
        else
        {
            commands.call(work, "detach of " + vbd.frontendDomid() + "/" + vbd.deviceId());
        }
        // The image is closed by the device's IO thread after its last op; the detach is whole then.
        if (!vbd.awaitImageClosed(COMMAND_TIMEOUT_NANOS, TimeUnit.NANOSECONDS))
        {
            throw new IllegalStateException("blkback " + name + ": IO thread of " + vbd.frontendDomid() + "/" +
                vbd.deviceId() + " did not finish in time");
        }
        synchronized (devices)
        {
            devices.remove(vbd);
        }
    }

    public List<Vbd> devices()
    {
        synchronized (devices)
        {
            return List.copyOf(devices);
        }
    }

    /**
     * The devices this agent serves that are connected (LATENCY: its array; DENSITY: its ports).
     * Agent thread, or any thread once the agent has stopped.
     */
    int connectedCount()
    {
        return mode == Mode.LATENCY ? connected.length : ports.size();
    }

    /**
     * A xenstore watch fired (on the xenstore's thread): the agent re-reads the state whole, so a
     * change lost to a full queue is reported, not retried.
     */
    private void onFrontendStateChanged(final Vbd vbd)
    {
        if (!commands.offer(() -> onFrontendState(vbd)))
        {
            HostLog.log("blkback " + name, "command queue full, front-end state change of " +
                vbd.frontendDomid() + "/" + vbd.deviceId() + " not handled");
        }
    }

    private void onFrontendState(final Vbd vbd)
    {
        final boolean wasConnected = vbd.isConnected();
        if (vbd.onFrontendState(waiter) && !wasConnected)
        {
            addConnected(vbd);
        }
        else if (!vbd.isConnected())
        {
            removeConnected(vbd);
        }
    }

    @Override
    public int doWork()
    {
        return mode == Mode.DENSITY ? doDensityWork() : doLatencyWork();
    }

    /**
     * DENSITY: commands, the devices whose ports are pending, those left to serve again, and IO
     * completions; never a walk over every device.
     */
    private int doDensityWork()
    {
        int work = commands.drain();
        work += backend.eventChannels().pollPorts(ports, serveByPort);
        if (againCount > 0)
        {
            // Swap the lists: serving may queue devices to serve again for the next cycle.
            final Vbd[] toServe = again;
            final int count = againCount;
            again = serving;
            serving = toServe;
            againCount = 0;
            for (int i = 0; i < count; i++)
            {
                final Vbd vbd = toServe[i];
                toServe[i] = null;
                vbd.queuedAgain = false;
                work += serveDensity(vbd);
            }
        }
        for (final Vbd vbd : withIo)
        {
            if (vbd.isConnected() && vbd.io().hasCompletions())
            {
                work += serveDensity(vbd);
            }
        }
        if (retiring.length > 0)
        {
            work += drainRetiring();
        }
        return work;
    }

    private void serveByPort(final int port)
    {
        final Vbd vbd = port < byPort.length ? byPort[port] : null;
        if (vbd != null)
        {
            serveDensity(vbd);
        }
    }

    private int serveDensity(final Vbd vbd)
    {
        if (!vbd.isConnected())
        {
            return 0;
        }
        int work = server.serve(vbd);
        if (!vbd.isConnected())
        {
            removeConnected(vbd); // a protocol error disconnected it
            return work + 1;
        }
        if (vbd.io() != null && !vbd.trackedIo)
        {
            vbd.trackedIo = true;
            withIo = Arrays.copyOf(withIo, withIo.length + 1);
            withIo[withIo.length - 1] = vbd;
        }
        // Re-arm the ring's event; requests pushed meanwhile are served next cycle, as no event
        // will announce them.
        if (vbd.ring().finalCheckForRequests() && !vbd.queuedAgain)
        {
            vbd.queuedAgain = true;
            if (againCount == again.length)
            {
                again = Arrays.copyOf(again, againCount * 2);
                serving = Arrays.copyOf(serving, againCount * 2);
            }
            again[againCount++] = vbd;
            work++;
        }
        return work;
    }

    private int doLatencyWork()
    {
        int work = commands.drain();
        final Vbd[] devices = connected;
        for (final Vbd vbd : devices)
        {
            if (vbd.isConnected())
            {
                work += server.serve(vbd);
                if (!vbd.isConnected())
                {
                    removeConnected(vbd); // a protocol error disconnected it
                }
            }
        }
        if (retiring.length > 0)
        {
            work += drainRetiring();
        }
        return work;
    }

    private int drainRetiring()
    {
        int work = 0;
        boolean done = false;
        for (final Vbd vbd : retiring)
        {
            work += server.completeFinished(vbd);
            done |= !vbd.hasIoInFlight();
        }
        if (done)
        {
            final List<Vbd> keep = new ArrayList<>(retiring.length);
            for (final Vbd vbd : retiring)
            {
                if (vbd.hasIoInFlight())
                {
                    keep.add(vbd);
                }
                else
                {
                    vbd.releaseRetiredGrants();
                }
            }
            retiring = keep.toArray(new Vbd[0]);
        }
        return work;
    }

    private void retireIfBusy(final Vbd vbd)
    {
        if (vbd.hasIoInFlight())
        {
            for (final Vbd d : retiring)
            {
                if (d == vbd)
                {
                    return;
                }
            }
            final Vbd[] next = java.util.Arrays.copyOf(retiring, retiring.length + 1);
            next[next.length - 1] = vbd;
            retiring = next;
        }
    }

    /**
     * The idle strategy's wake-up condition (read on the agent thread): a command, a pending
     * event, or ops finished by an executor.
     */
    private boolean hasPendingWork()
    {
        if (closing || !commands.isEmpty() || againCount > 0)
        {
            return true;
        }
        if (mode == Mode.DENSITY)
        {
            if (backend.eventChannels().anyPending(ports))
            {
                return true;
            }
            for (final Vbd vbd : withIo)
            {
                if (vbd.io().hasCompletions())
                {
                    return true;
                }
            }
        }
        for (final Vbd vbd : connected)
        {
            if (vbd.isConnected() && backend.eventChannels().isPending(vbd.port()))
            {
                return true;
            }
            final ImageIoExecutor io = vbd.io();
            if (io != null && io.hasCompletions())
            {
                return true;
            }
        }
        for (final Vbd vbd : retiring)
        {
            if (vbd.io().hasCompletions())
            {
                return true;
            }
        }
        return false;
    }

    private void addConnected(final Vbd vbd)
    {
        if (mode == Mode.DENSITY)
        {
            final int port = vbd.port();
            if (port >= byPort.length)
            {
                byPort = Arrays.copyOf(byPort, Math.max(port + 1, byPort.length * 2));
            }
            byPort[port] = vbd;
            vbd.servedPort = port;
            ports.add(port);
            return;
        }
        final Vbd[] next = Arrays.copyOf(connected, connected.length + 1);
        next[next.length - 1] = vbd;
        connected = next;
    }

    private void removeConnected(final Vbd vbd)
    {
        retireIfBusy(vbd);
        if (mode == Mode.DENSITY)
        {
            final int port = vbd.servedPort;
            if (port >= 0 && byPort[port] == vbd)
            {
                byPort[port] = null;
                ports.remove(port);
            }
            vbd.servedPort = -1;
            if (vbd.trackedIo)
            {
                vbd.trackedIo = false;
                withIo = Arrays.stream(withIo).filter(d -> d != vbd).toArray(Vbd[]::new);
            }
            return; // a device queued to serve again is skipped there once disconnected
        }
        final List<Vbd> keep = new ArrayList<>(connected.length);
        for (final Vbd d : connected)
        {
            if (d != vbd)
            {
                keep.add(d);
            }
        }
        connected = keep.toArray(new Vbd[0]);
    }

    /**
     * On the agent thread as it stops: finishes queued commands, then detaches every device still
     * attached and closes its image, stops the devices' IO executors (waiting for the operation
     * each is in, which is allowed here: the agent has no more duty cycles) and releases the
     * grant mappings their ops held.
     */
    @Override
    public void onClose()
    {
        commands.drain();
        final List<Vbd> all = devices();
        for (final Vbd vbd : all)
        {
            removeConnected(vbd);
            vbd.detach();
            vbd.closeImage();
        }
        for (final Vbd vbd : retiring)
        {
            awaitIo(vbd);
        }
        for (final Vbd vbd : all)
        {
            awaitIo(vbd);
        }
        retiring = new Vbd[0];
        synchronized (devices)
        {
            devices.clear();
        }
        connected = new Vbd[0];
        withIo = new Vbd[0];
    }

    private void awaitIo(final Vbd vbd)
    {
        final ImageIoExecutor io = vbd.io();
        if (io != null)
        {
            if (!io.awaitTermination(10, TimeUnit.SECONDS))
            {
                HostLog.log("blkback " + name, io.name() + " still in an image operation after 10 s");
            }
            server.completeFinished(vbd);
            vbd.releaseRetiredGrants();
        }
    }

    @Override
    public String roleName()
    {
        return "blkback-" + name;
    }

    /**
     * Stops the agent (devices are disconnected on its thread).
     */
    @Override
    public void close()
    {
        final AgentRunner r = runner;
        if (r != null)
        {
            closing = true;
            waiter.wake();
            r.close();
        }
    }
}
