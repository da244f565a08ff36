package io.javisor.blkback;

import io.javisor.blkback.image.DiskImage;
import io.javisor.memory.HostMemoryWindow;
import org.agrona.concurrent.OneToOneConcurrentArrayQueue;

import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The IO thread of one virtual block device: executes the device's slow image operations (file
 * reads and writes, {@code fsync}, discard) in submission order and posts each finished op back
 * to the serving agent, so that the agent's duty cycle never waits on storage and one guest's
 * flush storm or whole-disk discard delays only that guest's own requests.
 * <p>
 * Thread safety and writers: the serving agent is the single producer of the submission queue and
 * the single consumer of the completion queue, and the only thread that touches the op pool
 * ({@link #acquire}, {@link #release}, {@link #inFlight}); this executor's thread is the single
 * consumer of submissions and single producer of completions. Both queues are Agrona
 * {@link OneToOneConcurrentArrayQueue}s with the capacity of the op pool, so an offer never
 * fails: at most the pool's ops exist. The pool has one op per slot of the device's ring, which
 * is what bounds a guest's in-flight IO: the ring lets a front end have at most that many
 * requests unanswered, and the agent stops taking requests from the ring when the pool is empty.
 * <p>
 * Why one executor per device, not one per back end: operations on one image queue behind each
 * other anyway (the order a guest relies on: a FLUSH runs after every write submitted before it),
 * and a shared executor would put guest A's {@code fsync} in front of guest B's read again —
 * the defect this class exists to remove. Devices whose images are memory (RAM disks) start
 * their executor only when they first need it (a large discard), so thousands of light guests
 * do not cost a thread each.
 * <p>
 * Ordering: single thread, FIFO. Every op is executed after every op submitted before it has
 * completed, so a FLUSH's {@code force()} runs after the writes acknowledged before it reached
 * the image, and a response is posted only after the image call returned: no write is
 * acknowledged before it is in the image.
 * <p>
 * Life cycle: {@link #start} once; {@link #close} (agent) makes the thread fail what is still
 * queued without executing it, optionally close the image (so that it is closed only after its
 * last operation, on the thread that ran them), and exit. The thread is a named daemon.
 */
final class ImageIoExecutor implements Runnable
{
    /** Idle polls before parking: a few microseconds, cheap next to a request's own cost. */
    private static final int SPINS_BEFORE_PARK = 200;

    private final String name;
    private final DiskImage image;
    private final HostMemoryWindow window;
    private final Runnable wakeAgent;
    private final OneToOneConcurrentArrayQueue<BlkIoOp> submissions;
    private final OneToOneConcurrentArrayQueue<BlkIoOp> completions;

    // The op pool: agent thread only.
    private final BlkIoOp[] free;
    private int freeCount;
    private final int capacity;

    private Thread thread;
    /**
     * Set by the executor before it parks, then it re-checks the queue; the agent offers, then reads
     * this. Both sides put a full fence between their store and their load (Dekker), so either the
     * executor sees the op or the agent sees it parked and unparks it: no lost wake-up.
     */
    private volatile boolean parked;
    /** Written by the agent ({@link #close}), read by the executor: stop after the queue. */
    private volatile boolean closing;
    private volatile boolean closeImage;
    private volatile boolean terminated;

    ImageIoExecutor(final String name, final DiskImage image, final HostMemoryWindow window, final int capacity,
        final int maxSegments, final Runnable wakeAgent)
    {
        this.name = name;
        this.image = image;
        this.window = window;
        this.wakeAgent = wakeAgent;
        this.capacity = capacity;
        this.submissions = new OneToOneConcurrentArrayQueue<>(capacity);
        this.completions = new OneToOneConcurrentArrayQueue<>(capacity);
        this.free = new BlkIoOp[capacity];
        for (int i = 0; i < capacity; i++)
        {
            free[i] = new BlkIoOp(maxSegments);
        }
        freeCount = capacity;
    }

    ImageIoExecutor start()
    {
        thread = Thread.ofPlatform().name(name).daemon(true).unstarted(this);
        thread.start();
        return this;
    }

    String name()
    {
        return name;
    }

    /**
     * Agent: an op from the pool, or null when all are in flight.
     */
    BlkIoOp acquire()
    {
        return freeCount == 0 ? null : free[--freeCount];
    }

    /**
     * Agent: whether {@link #acquire} would succeed.
     */
    boolean hasFreeOp()
    {
        return freeCount > 0;
    }

    /**
     * Agent: ops acquired and not yet released (submitted, executing, or completed but not drained).
     */
    int inFlight()
    {
        return capacity - freeCount;
    }

    /**
     * Agent: gives a drained op back to the pool.
     */
    void release(final BlkIoOp op)
    {
        free[freeCount++] = op;
    }

    /**
     * Agent: queues an acquired, prepared op and wakes the executor if it is parked.
     */
    void submit(final BlkIoOp op)
    {
        // Cannot fail: the queue holds the whole pool.
        submissions.offer(op);
        // StoreLoad between publishing the op and reading parked (the offer is only a release store).
        VarHandle.fullFence();
        if (parked)
        {
            LockSupport.unpark(thread);
        }
    }

    /**
     * Agent: the next finished op, or null.
     */
    BlkIoOp pollCompletion()
    {
        return completions.poll();
    }

    /**
     * Any thread: whether finished ops wait for the agent (its idle strategy's wake-up condition).
     */
    boolean hasCompletions()
    {
        return !completions.isEmpty();
    }

    /**
     * Agent: stops the executor after what it is executing now; queued ops come back failed
     * ({@link DiskImage#E_IO}); with {@code andImage} the executor then closes the image.
     */
    void close(final boolean andImage)
    {
        closeImage = andImage;
        closing = true;
        if (thread != null)
        {
            LockSupport.unpark(thread);
        }
        else if (andImage)
        {
            image.close();
        }
    }

    boolean isTerminated()
    {
        return thread == null || terminated;
    }

    /**
     * Waits for the thread to exit (back-end shutdown and tests).
     *
     * @return true when it has.
     */
    boolean awaitTermination(final long timeout, final TimeUnit unit)
    {
        if (thread == null)
        {
            return true;
        }
        try
        {
            return thread.join(java.time.Duration.ofNanos(unit.toNanos(timeout)));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void run()
    {
        int idle = 0;
        while (true)
        {
            final BlkIoOp op = submissions.poll();
            if (op == null)
            {
                if (closing)
                {
                    break;
                }
                if (++idle < SPINS_BEFORE_PARK)
                {
                    Thread.onSpinWait();
                    continue;
                }
                parked = true;
                // StoreLoad between announcing the park and re-checking the queue (see parked).
                VarHandle.fullFence();
                if (submissions.isEmpty() && !closing)
                {
                    LockSupport.park(this);
                }
                parked = false;
                continue;
            }
            idle = 0;
            if (closing)
            {
                op.result = DiskImage.E_IO;
            }
            else
            {
                op.execute(image, window);
            }
            // Cannot fail: the queue holds the whole pool. The offer publishes op.result.
            completions.offer(op);
            wakeAgent.run();
        }
        if (closeImage)
        {
            image.close();
        }
        terminated = true;
    }
}
