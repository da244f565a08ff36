package io.javisor.netback.bridge;

import io.javisor.memory.stats.SingleWriterCounters;

import io.javisor.netback.spec.MacAddress;
import io.javisor.netback.wire.EthernetDescriptor;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * An L2 learning switch joining {@link BridgePort}s, as a Linux bridge joins the vifs of xl's
 * {@code bridge=xenbr0}. A frame teaches the bridge that its source MAC lives behind its ingress
 * port; it then goes to the one port its destination was learned on, or to every other port when
 * the destination is a group address, unknown, or not seen within the ageing time.
 * <p>
 * <b>Threading: one forwarding thread, the single writer of the MAC table, the port list, the
 * statistics and every port's counters.</b> The forwarding role is held by one thread at a time,
 * recorded in {@code forwardingThread}; every {@code deliver} to a port runs on it. A network back-end
 * agent claims the role with {@link #serve} and keeps it until {@link #releaseForwarding} (its close),
 * so in SHARED threading the one netback agent forwards for every bridge and, in DEDICATED threading,
 * the first vif's agent forwards for its bridge while the others hand frames over (the role passes
 * to another agent when the holder closes). Any thread may call:
 * <ul>
 * <li>{@link #forward}: on the forwarding thread the frame is switched at once; on another thread it
 * is copied into a bounded many-to-one queue the forwarding thread drains (full = dropped and counted
 * in {@link #droppedQueueFull()}, never a spin). When nobody holds the role the caller takes it for
 * the call and drains the queue before giving it back, so a program without a back-end agent (a test,
 * a benchmark) still forwards on its own thread.</li>
 * <li>{@link #attach} and {@link #detach}: commands through a bounded queue, executed and acknowledged
 * by the forwarding thread between two frames; the caller waits for the acknowledgement, at most
 * {@link #COMMAND_TIMEOUT_NANOS}. A full queue or a missing acknowledgement is an
 * {@link IllegalStateException} with one line. Called on the forwarding thread (e.g. from inside a
 * {@code deliver}) they run inline.</li>
 * <li>Readers ({@link #port}, {@link #portCount}, the counters, {@link #statistics()}): recent values,
 * published with release stores (see {@link SingleWriterCounters}); the port array is copy-on-write and
 * published through a volatile field.</li>
 * </ul>
 * <b>Detach guarantee.</b> When {@code detach(n)} returns, no {@code deliver} to that port is running
 * and none will start: the forwarding thread executes the detach between frames and its volatile
 * acknowledgement is ordered after every delivery it made. Inside a {@code deliver} (the forwarding
 * thread), the port's cleared attached flag, checked before every delivery, stops the rest of the
 * current flood by program order.
 * <p>
 * <b>Hand-over of the role.</b> Claiming is a compare-and-set of {@code forwardingThread} from null;
 * giving it up is a volatile store of null after the holder's last write. The CAS reads that store,
 * so the next holder sees every write of the previous one (the single-writer chain stays intact).
 * A frame queued while a holder gives up the role is not stranded: the sender stores into the queue,
 * then reads {@code forwardingThread}; the holder stores null, then checks the queue. Both are
 * volatile accesses, totally ordered, so at least one of them sees the other and serves the queue.
 * <p>
 * A port's {@code deliver} runs on the forwarding thread and must not block.
 */
public final class Bridge
{
    /** Linux's default bridge ageing time. */
    public static final long DEFAULT_AGEING_NANOS = TimeUnit.SECONDS.toNanos(300);
    public static final int DEFAULT_CAPACITY = 4096;
    public static final int MAX_CAPACITY = 1 << 24;
    /** Port numbers run from 1 to MAX_PORTS - 1, as a Linux bridge's. */
    public static final int MAX_PORTS = 1024;
    public static final int ETHERNET_HEADER_LENGTH = 14;
    /** What {@link #forward} returns when the frame was dropped because the hand-over queue was full. */
    public static final int QUEUE_FULL = -1;
    /** Control commands waiting for the forwarding thread, at most. */
    public static final int COMMAND_QUEUE_CAPACITY = 256;
    /** How long attach and detach wait for the forwarding thread's acknowledgement. */
    public static final long COMMAND_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(5);
    /** Bytes of frames (plus an 8-byte header each) waiting for the forwarding thread, at most. */
    public static final int FRAME_QUEUE_BYTES = 1 << 20;
    /** Frames the forwarding thread takes from the queue per duty cycle. */
    private static final int FRAMES_PER_CYCLE = 256;
    private static final long SWEEP_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private static final VarHandle FORWARDING_THREAD;

    static
    {
        try
        {
            FORWARDING_THREAD = MethodHandles.lookup().findVarHandle(Bridge.class, "forwardingThread", Thread.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final String name;
    private final long ageingNanos;
    private final BridgeStatistics statistics = new BridgeStatistics();
    private final MacTable macTable;
    /** Many producers (control threads), one consumer (the forwarding thread). */
    private final ManyToOneConcurrentArrayQueue<BridgeCommand> commands =
        new ManyToOneConcurrentArrayQueue<>(COMMAND_QUEUE_CAPACITY);
    /** Frames from threads other than the forwarding thread; message type = ingress port number. */
    private final ManyToOneRingBuffer frames = new ManyToOneRingBuffer(
        new UnsafeBuffer(ByteBuffer.allocateDirect(FRAME_QUEUE_BYTES + RingBufferDescriptor.TRAILER_LENGTH)));
    /** Frames dropped because {@link #frames} was full: the one counter with many writers (atomic add). */
    private final AtomicLong droppedQueueFull = new AtomicLong();
    private final MessageHandler queuedFrameHandler = this::onQueuedFrame;
    /** Indexed by port number; slot 0 stays empty. Replaced, never modified, once published; forwarding thread writes. */
    private volatile AttachedPort[] ports = new AttachedPort[1];
    /** How a sender wakes the holder after queueing a frame (set by {@link #serve(long, Runnable)}), or null. */
    private volatile Runnable holderWakeUp;
    /** The thread holding the forwarding role, or null; see the class comment for the hand-over. */
    private volatile Thread forwardingThread;
    /** The clock of the duty cycle draining {@link #frames}; forwarding thread only. */
    private long drainNanos;
    /** When the MAC table was last swept; forwarding thread only. */
    private long lastSweepNanos;

    public Bridge(final String name)
    {
        this(name, DEFAULT_AGEING_NANOS, DEFAULT_CAPACITY);
    }

    /**
     * @param ageingNanos how long a learned address stays valid without being seen as a source;
     *                    0 makes the bridge forget each address as soon as time moves on.
     * @param capacity    the most addresses the MAC table holds.
     */
    public Bridge(final String name, final long ageingNanos, final int capacity)
    {
        if (ageingNanos < 0)
        {
            throw new IllegalArgumentException("ageing time < 0: " + ageingNanos);
        }
        if (capacity < 1 || capacity > MAX_CAPACITY)
        {
            throw new IllegalArgumentException("MAC table capacity outside [1, " + MAX_CAPACITY + "]: " + capacity);
        }
        this.name = name;
        this.ageingNanos = ageingNanos;
        this.macTable = new MacTable(capacity, ageingNanos, statistics);
    }

    public String name()
    {
        return name;
    }

    public long ageingNanos()
    {
        return ageingNanos;
    }

    public int capacity()
    {
        return macTable.capacity();
    }

    public BridgeStatistics statistics()
    {
        return statistics;
    }

    /**
     * Frames {@link #forward} dropped on a thread other than the forwarding thread because the hand-over
     * queue was full (or the frame longer than the queue takes). Any thread.
     */
    public long droppedQueueFull()
    {
        return droppedQueueFull.get();
    }

    /**
     * Adds a port; frames may be delivered to it as soon as this returns. Any thread; see the class
     * comment for the command queue.
     *
     * @return its number, the lowest free one from 1.
     * @throws IllegalStateException when all {@link #MAX_PORTS} - 1 numbers are in use, the command
     *                               queue is full or the forwarding thread does not acknowledge in time.
     */
    public int attach(final BridgePort port)
    {
        if (port == null)
        {
            throw new NullPointerException("port");
        }
        return execute(BridgeCommand.attach(port));
    }

    /**
     * Removes a port and forgets the addresses learned on it. On return no delivery to the port is in
     * progress and none will start (inside a deliver(), only the latter). Any thread.
     *
     * @throws IllegalArgumentException if no port with that number is attached.
     * @throws IllegalStateException    when the command queue is full or the forwarding thread does not
     *                                  acknowledge in time (the detach may still happen later then).
     */
    public void detach(final int portNumber)
    {
        execute(BridgeCommand.detach(portNumber));
    }

    /**
     * The port attached as {@code portNumber}, or null.
     */
    public BridgePort port(final int portNumber)
    {
        final AttachedPort attached = portAt(ports, portNumber);
        return attached == null ? null : attached.port;
    }

    public int portCount()
    {
        int count = 0;
        for (final AttachedPort port : ports)
        {
            if (port != null)
            {
                count++;
            }
        }
        return count;
    }

    /**
     * Frames the port has offered to the bridge, or -1 if the number is not attached.
     */
    public long portReceived(final int portNumber)
    {
        return portCounter(portNumber, AttachedPort.RECEIVED);
    }

    /**
     * Frames the bridge delivered to the port and it accepted, or -1 if the number is not attached.
     */
    public long portDelivered(final int portNumber)
    {
        return portCounter(portNumber, AttachedPort.DELIVERED);
    }

    /**
     * Deliveries the port refused, or -1 if the number is not attached.
     */
    public long portRefused(final int portNumber)
    {
        return portCounter(portNumber, AttachedPort.REFUSED);
    }

    /**
     * Switches one Ethernet frame that arrived on {@code ingressPort}. Any thread: on the forwarding
     * thread (or when no thread holds the role) it is switched now; otherwise it is copied into the
     * hand-over queue for the forwarding thread.
     *
     * @param nowNanos the caller's clock (System.nanoTime or a test's), in the same time base for every
     *                 call, compared with the ageing time; a queued frame is aged by the forwarding
     *                 thread's clock instead.
     * @return how many ports accepted the frame; 0 when it was queued or dropped by the switch;
     * {@link #QUEUE_FULL} when it was dropped because the hand-over queue was full (the caller may retry).
     */
    public int forward(
        final int ingressPort, final DirectBuffer frame, final int offset, final int length, final long nowNanos)
    {
        final Thread current = Thread.currentThread();
        final Thread holder = forwardingThread;
        if (holder == current)
        {
            return switchFrame(ingressPort, frame, offset, length, nowNanos);
        }
        if (holder == null && FORWARDING_THREAD.compareAndSet(this, null, current))
        {
            final int accepted;
            try
            {
                accepted = switchFrame(ingressPort, frame, offset, length, nowNanos);
            }
            finally
            {
                serveUntilIdleAndRelease(current, nowNanos);
            }
            return accepted;
        }
        if (!enqueue(ingressPort, frame, offset, length))
        {
            return QUEUE_FULL;
        }
        final Runnable wakeUp = holderWakeUp;
        if (wakeUp != null)
        {
            wakeUp.run(); // a holder parked between duty cycles would otherwise see the frame only at its next one
        }
        // Store-load (see the class comment): the queue write above is a volatile store; if the holder
        // gave the role up meanwhile, it may not have seen the frame, so serve it here.
        if (forwardingThread == null && FORWARDING_THREAD.compareAndSet(this, null, current))
        {
            serveUntilIdleAndRelease(current, nowNanos);
        }
        return 0;
    }

    /**
     * One duty cycle of forwarding for the calling agent: claims the forwarding role if nobody holds
     * it, and if this thread holds it runs the queued commands, switches queued frames and now and
     * then sweeps the MAC table. The agent keeps the role until {@link #releaseForwarding()}.
     *
     * @return the work done (commands and frames), 0 when this thread does not forward for the bridge.
     */
    public int serve(final long nowNanos)
    {
        return serve(nowNanos, null);
    }

    /**
     * As {@link #serve(long)}, for an agent that parks between duty cycles: while it holds the role,
     * a sender on another thread that queues a frame calls {@code wakeUp} (must not block; spurious
     * calls must be harmless).
     */
    public int serve(final long nowNanos, final Runnable wakeUp)
    {
        final Thread current = Thread.currentThread();
        final Thread holder = forwardingThread;
        if (holder != current && (holder != null || !FORWARDING_THREAD.compareAndSet(this, null, current)))
        {
            return 0;
        }
        if (holderWakeUp != wakeUp)
        {
            holderWakeUp = wakeUp;
        }
        return doWork(nowNanos);
    }

    /**
     * Gives up the forwarding role if the calling thread holds it, after a last duty cycle; a no-op
     * otherwise. An agent calls this when it closes; another agent takes over in its next
     * {@link #serve}, or a waiting control thread or sender serves meanwhile.
     */
    public void releaseForwarding()
    {
        final Thread current = Thread.currentThread();
        if (forwardingThread == current)
        {
            holderWakeUp = null;
            serveUntilIdleAndRelease(current, System.nanoTime());
        }
    }

    /**
     * Whether commands or frames are waiting for the forwarding thread. Any thread.
     */
    public boolean hasPendingWork()
    {
        return !commands.isEmpty() || frames.size() > 0;
    }

    /**
     * Whether the calling thread holds the forwarding role.
     */
    public boolean isForwardingThread()
    {
        return forwardingThread == Thread.currentThread();
    }

    /**
     * Removes MAC table entries that have aged out or whose port is gone. Forwarding thread only (or
     * any one thread while no thread forwards); {@link #serve} calls it about once a second.
     *
     * @return how many entries were removed.
     */
    public int sweep(final long nowNanos)
    {
        return macTable.sweep(nowNanos);
    }

    /**
     * Addresses in the MAC table, some of which may have aged out unswept. Forwarding thread only
     * (or any one thread while no thread forwards).
     */
    public int macCount()
    {
        return macTable.size();
    }

    /**
     * The number of the port {@code mac} (48 bits, first byte most significant) is learned on, or
     * -1 if unknown or aged out. Forwarding thread only (or any one thread while no thread forwards).
     */
    public int portOf(final long mac, final long nowNanos)
    {
        final AttachedPort port = macTable.peek(mac, nowNanos);
        return port == null ? -1 : port.number;
    }

    @Override
    public String toString()
    {
        return "Bridge{" + name + ", ports=" + portCount() + ", " + statistics + "}";
    }

    // ---------------------------------------------------------------------------------------------
    // Forwarding thread.
    // ---------------------------------------------------------------------------------------------

    int attachOnForwardingThread(final BridgePort port)
    {
        final AttachedPort[] current = ports;
        int number = 1;
        while (number < current.length && current[number] != null)
        {
            number++;
        }
        if (number >= MAX_PORTS)
        {
            throw new IllegalStateException(name + ": all " + (MAX_PORTS - 1) + " ports in use");
        }
        final AttachedPort[] next = Arrays.copyOf(current, Math.max(current.length, number + 1));
        next[number] = new AttachedPort(port, number);
        // Volatile store: readers on other threads see a fully built array and port.
        ports = next;
        return number;
    }

    int detachOnForwardingThread(final int portNumber)
    {
        final AttachedPort[] current = ports;
        final AttachedPort leaving = portAt(current, portNumber);
        if (leaving == null)
        {
            throw new IllegalArgumentException(name + ": no port " + portNumber);
        }
        // Cleared first: a flood in progress on this thread (detach from inside a deliver) skips
        // the port from here on, and MAC entries pointing at it read as unknown at once.
        leaving.markDetached();
        final AttachedPort[] next = current.clone();
        next[portNumber] = null;
        ports = next;
        if (leaving.learnedMacs > 0)
        {
            macTable.forgetDetached();
        }
        return portNumber;
    }

    private int doWork(final long nowNanos)
    {
        int work = 0;
        BridgeCommand command;
        while ((command = commands.poll()) != null)
        {
            command.execute(this);
            work++;
        }
        drainNanos = nowNanos;
        work += frames.read(queuedFrameHandler, FRAMES_PER_CYCLE);
        if (nowNanos - lastSweepNanos > SWEEP_INTERVAL_NANOS)
        {
            lastSweepNanos = nowNanos;
            macTable.sweep(nowNanos);
        }
        return work;
    }

    private void onQueuedFrame(final int ingressPort, final MutableDirectBuffer buffer, final int index, final int length)
    {
        switchFrame(ingressPort, buffer, index, length, drainNanos);
    }

    /**
     * The caller holds the role: serve until nothing is pending, then give it back; if work arrived
     * after the release and nobody else took the role, take it again (the release half of the
     * hand-over in the class comment).
     */
    private void serveUntilIdleAndRelease(final Thread current, final long nowNanos)
    {
        do
        {
            while (doWork(nowNanos) > 0)
            {
                // drain
            }
            // Volatile store, then volatile reads of the queues: pairs with the sender's order.
            FORWARDING_THREAD.setVolatile(this, null);
        }
        while ((!commands.isEmpty() || frames.size() > 0) && FORWARDING_THREAD.compareAndSet(this, null, current));
    }

    // ---------------------------------------------------------------------------------------------
    // Other threads.
    // ---------------------------------------------------------------------------------------------

    private boolean enqueue(final int ingressPort, final DirectBuffer frame, final int offset, final int length)
    {
        // Port numbers are >= 1 as message types must be; a bad number becomes MAX_PORTS, which no
        // port has, so the forwarding thread counts it as no-port. A frame outside its buffer goes
        // as an empty one, counted as short.
        final int type = ingressPort > 0 && ingressPort < MAX_PORTS ? ingressPort : MAX_PORTS;
        final boolean inside = length >= 0 && offset >= 0 && offset <= frame.capacity() - length;
        if (inside && length > frames.maxMsgLength() ||
            !frames.write(type, frame, inside ? offset : 0, inside ? length : 0))
        {
            droppedQueueFull.incrementAndGet();
            return false;
        }
        return true;
    }

    private int execute(final BridgeCommand command)
    {
        final Thread current = Thread.currentThread();
        final Thread holder = forwardingThread;
        if (holder == current)
        {
            command.execute(this);
            return command.outcome();
        }
        if (holder == null && FORWARDING_THREAD.compareAndSet(this, null, current))
        {
            try
            {
                command.execute(this);
            }
            finally
            {
                serveUntilIdleAndRelease(current, System.nanoTime());
            }
            return command.outcome();
        }
        if (!commands.offer(command))
        {
            throw new IllegalStateException(name + ": " + command + " refused: command queue full (" +
                COMMAND_QUEUE_CAPACITY + " pending)");
        }
        final long deadline = System.nanoTime() + COMMAND_TIMEOUT_NANOS;
        for (int idle = 0; !command.isDone(); idle++)
        {
            // The holder may give the role up without seeing the command: serve it ourselves then.
            if (forwardingThread == null && FORWARDING_THREAD.compareAndSet(this, null, current))
            {
                serveUntilIdleAndRelease(current, System.nanoTime());
                continue;
            }
            if (System.nanoTime() - deadline > 0)
            {
                final Thread stuck = forwardingThread;
                throw new IllegalStateException(name + ": " + command + " not acknowledged within " +
                    TimeUnit.NANOSECONDS.toMillis(COMMAND_TIMEOUT_NANOS) + " ms by forwarding thread " +
                    (stuck == null ? "(none)" : stuck.getName()));
            }
            if (idle < 100)
            {
                Thread.onSpinWait();
            }
            else if (idle < 200)
            {
                Thread.yield();
            }
            else
            {
                LockSupport.parkNanos(10_000);
            }
        }
        return command.outcome();
    }

    private int switchFrame(
        final int ingressPort, final DirectBuffer frame, final int offset, final int length, final long nowNanos)
    {
        final AttachedPort[] ports = this.ports;
        final AttachedPort ingress = portAt(ports, ingressPort);
        if (ingress == null)
        {
            statistics.increment(BridgeStatistics.DROPPED_NO_PORT);
            return 0;
        }
        ingress.counters.increment(AttachedPort.RECEIVED);
        if (length < ETHERNET_HEADER_LENGTH || offset < 0 || offset > frame.capacity() - length)
        {
            statistics.increment(BridgeStatistics.DROPPED_SHORT);
            return 0;
        }
        final long destination = MacAddress.read(frame, offset);
        final long source = MacAddress.read(frame, offset + EthernetDescriptor.ADDRESS_LENGTH);
        if (!MacAddress.isValidUnicast(source))
        {
            statistics.increment(BridgeStatistics.DROPPED_INVALID_SOURCE);
            return 0;
        }
        macTable.learn(source, ingress, nowNanos);
        if (MacAddress.isMulticast(destination))
        {
            return flood(ports, ingress, frame, offset, length);
        }
        final AttachedPort egress = macTable.lookup(destination, nowNanos);
        if (egress == null)
        {
            return flood(ports, ingress, frame, offset, length);
        }
        if (egress == ingress)
        {
            statistics.increment(BridgeStatistics.DROPPED_FILTERED);
            return 0;
        }
        statistics.increment(BridgeStatistics.FORWARDED_UNICAST);
        return deliver(egress, frame, offset, length) ? 1 : 0;
    }

    private int flood(
        final AttachedPort[] ports, final AttachedPort ingress, final DirectBuffer frame, final int offset, final int length)
    {
        statistics.increment(BridgeStatistics.FLOODED);
        int delivered = 0;
        for (int i = 1; i < ports.length; i++)
        {
            final AttachedPort egress = ports[i];
            if (egress != null && egress != ingress && deliver(egress, frame, offset, length))
            {
                delivered++;
            }
        }
        return delivered;
    }

    private boolean deliver(final AttachedPort egress, final DirectBuffer frame, final int offset, final int length)
    {
        if (!egress.isAttached())
        {
            return false; // detached by a deliver() earlier in this same forward
        }
        boolean accepted;
        try
        {
            accepted = egress.port.deliver(frame, offset, length);
        }
        catch (final RuntimeException ex)
        {
            // One broken port must not cost the others their copy of the frame.
            statistics.increment(BridgeStatistics.DELIVERY_ERRORS);
            accepted = false;
        }
        if (accepted)
        {
            egress.counters.increment(AttachedPort.DELIVERED);
        }
        else
        {
            egress.counters.increment(AttachedPort.REFUSED);
            statistics.increment(BridgeStatistics.DROPPED_REFUSED);
        }
        return accepted;
    }

    private long portCounter(final int portNumber, final int counter)
    {
        final AttachedPort port = portAt(ports, portNumber);
        return port == null ? -1 : port.counters.get(counter);
    }

    private static AttachedPort portAt(final AttachedPort[] ports, final int portNumber)
    {
        if (portNumber <= 0 || portNumber >= ports.length)
        {
            return null;
        }
        final AttachedPort port = ports[portNumber];
        return port != null && port.isAttached() ? port : null;
    }
}
