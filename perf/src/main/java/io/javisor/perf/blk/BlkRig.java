package io.javisor.perf.blk;

import io.javisor.blkback.BlkBackend;
import io.javisor.blkback.BlkFront;
import io.javisor.blkback.BlkFrontConfig;
import io.javisor.blkback.Vbd;
import io.javisor.blkback.image.DiskImage;
import io.javisor.blkback.image.RamDiskImage;
import io.javisor.core.Domain;
import io.javisor.core.DomainConfig;
import io.javisor.core.Hypervisor;
import io.javisor.core.HypervisorConfig;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BusySpinIdleStrategy;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One PV block device under test: a hypervisor with dom0 and one PV guest, a prefilled
 * {@link RamDiskImage}, a {@link BlkBackend} in dom0 ({@link BlkBackend.Mode#LATENCY}) serving it
 * as {@code xvda}, and the guest's {@link BlkFront} attached to it over the xenbus handshake.
 * <p>
 * The back end's duty cycle ({@link BlkBackend#doWork()}) runs on a thread of its own, under an
 * {@link AgentRunner} with a {@link BusySpinIdleStrategy} — what {@link BlkBackend#start()} does —
 * but that thread can be stopped and started again ({@link #stopBackEnd()}, {@link #startBackEnd()})
 * while the device stays connected: the runner drives a thin agent that forwards only
 * {@code doWork}, so stopping it does not run {@link BlkBackend#onClose()}, which would disconnect
 * the device. That lets a benchmark keep every core free of the back end's spinning while it
 * measures something else, and lets a single-threaded benchmark call {@link #serveOnCallerThread()}
 * instead (JMH).
 * <p>
 * The back end and the device are built on a short-lived thread of their own, so that the back
 * end's per-request state ({@code BlkRequestServer}'s copies, the device's statistics counters)
 * sits in another allocation buffer than the front end's and shares no cache line with it.
 */
public final class BlkRig implements AutoCloseable
{
    /** Linux's xvda: major 202, minor 0. */
    public static final int XVDA = 51712;
    public static final int BLOCK_SIZE = 4096;
    public static final int SECTORS_PER_BLOCK = BLOCK_SIZE / DiskImage.SECTOR_SIZE;
    private static final int GUEST_MEMORY_MIB = 16;
    private static final int DOM0_MEMORY_MIB = 16;
    private static final int MACHINE_MEMORY_MIB = 64;
    private static final int PREFILL_CHUNK = 1 << 20;

    private final Hypervisor hypervisor;
    private final Domain guest;
    private final RamDiskImage image;
    private final BlkBackend backend;
    private final Vbd vbd;
    private final BlkFront front;
    private final String threadName;
    private final AtomicReference<Throwable> backEndError = new AtomicReference<>();
    private AgentRunner runner;
    private boolean closed;

    /**
     * Builds the rig and leaves the back-end thread stopped.
     *
     * @param diskBytes  RAM disk size, a multiple of 4 KiB; every block is written once before
     *                   anything is measured, so that reads touch real memory and not the shared
     *                   zero page a never-written anonymous mapping reads from.
     * @param queueDepth the front end's queue depth (1..32).
     */
    public BlkRig(final long diskBytes, final int queueDepth, final String name)
    {
        if (diskBytes < BLOCK_SIZE || diskBytes % BLOCK_SIZE != 0)
        {
            throw new IllegalArgumentException("disk size must be a positive multiple of 4 KiB: " + diskBytes);
        }
        this.threadName = "javisor-bench-" + name + "-blkback";
        hypervisor = new Hypervisor(HypervisorConfig.defaults()
            .withMachineMemoryMiB(MACHINE_MEMORY_MIB).withDom0MemoryMiB(DOM0_MEMORY_MIB));
        RamDiskImage ram = null;
        BlkBackend back = null;
        BlkFront fe = null;
        Domain domU = null;
        try
        {
            domU = hypervisor.createDomain(DomainConfig.pv(name + "-guest", GUEST_MEMORY_MIB));
            domU.unpause();
            ram = new RamDiskImage(diskBytes);
            prefill(ram);
            final Domain dom0 = hypervisor.dom0();
            final RamDiskImage disk = ram;
            final int guestId = domU.id();
            final Object[] built = onOwnThread(() ->
            {
                final BlkBackend b = new BlkBackend(hypervisor.backends().backendResources(), BlkBackend.Mode.LATENCY, name);
                final Vbd v = b.attach(guestId, XVDA, disk, false);
                return new Object[]{ b, v };
            });
            back = (BlkBackend)built[0];
            this.backend = back;
            this.vbd = (Vbd)built[1];
            startRunner();
            fe = BlkFront.attach(domU.resources(), Hypervisor.DOM0, XVDA, BlkFrontConfig.defaults().withQueueDepth(queueDepth));
            stopRunner();
        }
        catch (final RuntimeException | Error ex)
        {
            stopRunner();
            if (fe != null)
            {
                fe.close();
            }
            hypervisor.close();
            if (ram != null)
            {
                ram.close();
            }
            throw ex;
        }
        this.guest = domU;
        this.image = ram;
        this.front = fe;
    }

    private static void prefill(final RamDiskImage image)
    {
        final ByteBuffer chunk = ByteBuffer.allocateDirect(PREFILL_CHUNK);
        long seed = 0x9E3779B97F4A7C15L;
        while (chunk.remaining() >= Long.BYTES)
        {
            seed = RandomBlocks.mix(seed);
            chunk.putLong(seed);
        }
        for (long offset = 0; offset < image.sizeInBytes(); offset += PREFILL_CHUNK)
        {
            final int length = (int)Math.min(PREFILL_CHUNK, image.sizeInBytes() - offset);
            chunk.clear().limit(length);
            // Vary the content a little per chunk (the first word carries the offset).
            chunk.putLong(0, offset);
            if (image.write(offset, chunk) != DiskImage.OK)
            {
                throw new IllegalStateException("cannot prefill the RAM disk at " + offset);
            }
        }
    }

    private static Object[] onOwnThread(final java.util.function.Supplier<Object[]> task)
    {
        final Object[][] result = new Object[1][];
        final RuntimeException[] failure = new RuntimeException[1];
        final Thread thread = new Thread(() ->
        {
            try
            {
                result[0] = task.get();
            }
            catch (final RuntimeException ex)
            {
                failure[0] = ex;
            }
        }, "javisor-bench-blk-setup");
        thread.start();
        try
        {
            thread.join();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while setting up the back end", ex);
        }
        if (failure[0] != null)
        {
            throw failure[0];
        }
        return result[0];
    }

    public BlkFront front()
    {
        return front;
    }

    public BlkBackend backend()
    {
        return backend;
    }

    public Vbd vbd()
    {
        return vbd;
    }

    public RamDiskImage image()
    {
        return image;
    }

    public Domain guest()
    {
        return guest;
    }

    /** 4 KiB blocks on the disk. */
    public long blocks()
    {
        return image.sizeInBytes() / BLOCK_SIZE;
    }

    /**
     * Starts the back end's busy-spinning thread (a no-op when it runs).
     */
    public void startBackEnd()
    {
        startRunner();
    }

    /**
     * Stops the back end's thread and waits for it to end; the device stays connected.
     */
    public void stopBackEnd()
    {
        stopRunner();
    }

    public boolean isBackEndRunning()
    {
        return runner != null;
    }

    /**
     * One back-end duty cycle on the calling thread (only while the back-end thread is stopped).
     *
     * @return the work done: requests answered plus control commands run.
     */
    public int serveOnCallerThread()
    {
        return backend.doWork();
    }

    /**
     * The back end's failure (an exception out of its duty cycle), or its device's disconnect
     * reason, or null. Advisory when read while the back end runs.
     */
    public String backEndFault()
    {
        final Throwable error = backEndError.get();
        if (error != null)
        {
            return error.toString();
        }
        return vbd.disconnectReason();
    }

    private void startRunner()
    {
        if (runner != null)
        {
            return;
        }
        final AgentRunner r = new AgentRunner(new BusySpinIdleStrategy(),
            error -> backEndError.compareAndSet(null, error), null, new DutyCycle(backend, threadName));
        AgentRunner.startOnThread(r, task ->
        {
            final Thread thread = new Thread(task, threadName);
            thread.setDaemon(true);
            return thread;
        });
        runner = r;
    }

    private void stopRunner()
    {
        if (runner != null)
        {
            runner.close();
            runner = null;
        }
    }

    /**
     * Closes the front end (Closing → Closed, with the back end running to answer), stops the back
     * end's thread, destroys the guest and dom0 and frees the RAM disk.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        try
        {
            startRunner();
            front.close();
        }
        finally
        {
            stopRunner();
            backend.onClose();
            hypervisor.close();
            image.close();
        }
    }

    /**
     * Forwards the back end's duty cycle and nothing else: starting or stopping it leaves the
     * device as it is.
     */
    private static final class DutyCycle implements Agent
    {
        private final BlkBackend backend;
        private final String roleName;

        DutyCycle(final BlkBackend backend, final String roleName)
        {
            this.backend = backend;
            this.roleName = roleName;
        }

        @Override
        public int doWork()
        {
            return backend.doWork();
        }

        @Override
        public String roleName()
        {
            return roleName;
        }
    }
}
