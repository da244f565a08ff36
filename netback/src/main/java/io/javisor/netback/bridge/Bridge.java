package io.javisor.netback.bridge;

import io.javisor.netback.spec.MacAddress;
import io.javisor.netback.wire.EthernetDescriptor;

import org.agrona.DirectBuffer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * An L2 learning switch joining {@link BridgePort}s, as a Linux bridge joins the vifs of xl's
 * {@code bridge=xenbr0}. A frame teaches the bridge that its source MAC lives behind its ingress
 * port; it then goes to the one port its destination was learned on, or to every other port when
 * the destination is a group address, unknown, or not seen within the ageing time.
 * <p>
 * <b>Threading.</b> One thread forwards: {@link #forward}, {@link #sweep}, {@link #macCount} and
 * {@link #portOf} belong to it, normally the netback agent serving every vif on this bridge (the
 * role may pass to another thread with a happens-before edge, as an agent restart gives).
 * {@link #attach} and {@link #detach} may be called from any thread, concurrently with forwarding.
 * <ul>
 * <li>Ports live in a copy-on-write array published through a volatile field. A forward reads it
 * once and uses that snapshot throughout; the control plane builds and publishes new arrays under a
 * lock, so forward never locks, never sees a half-built array and allocates nothing.</li>
 * <li>The MAC table is touched by the forwarding thread alone. Its entries refer to the port object,
 * not the number, and a detached port is marked as such, so an entry for it reads as unknown at
 * once, even after the number is reused. The forwarding thread purges those entries when it first
 * sees the array without the port: detach itself never touches the table, so it needs no queue
 * and no running agent to take effect.</li>
 * <li>Detach is synchronous: when {@code detach(n)} returns, every {@code deliver} the bridge made
 * to that port has returned and none will start, so the caller may tear down the vif's rings at
 * once. Forward makes a sequence number odd while it runs (a volatile store, then the volatile read
 * of the array) and even when it is done; detach publishes the array without the port (a volatile
 * store), then reads the sequence (a volatile read) and, if a forward is in flight, waits for the
 * number to change. Volatile accesses are totally ordered, so either that forward read the new
 * array, or detach saw it in flight and waited for it. The cost is one store-load fence per frame.
 * Detach called on the forwarding thread itself, from inside a {@code deliver}, cannot wait for
 * the forward it is in; there the port's cleared attached flag, checked before every delivery,
 * gives the same guarantee by program order.</li>
 * </ul>
 * A port's {@code deliver} runs on the forwarding thread and must not block: detach waits for it.
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

    private static final VarHandle FORWARD_SEQUENCE;

    static
    {
        try
        {
            FORWARD_SEQUENCE = MethodHandles.lookup().findVarHandle(Bridge.class, "forwardSequence", int.class);
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
    private final Object controlLock = new Object();
    /** Indexed by port number; slot 0 stays empty. Replaced, never modified, once published. */
    private volatile AttachedPort[] ports = new AttachedPort[1];
    /** Who last forwarded, so that a detach from inside a deliver() knows not to wait for itself. */
    private volatile Thread forwardingThread;
    /** Odd while a forward is in flight; written by the forwarding thread only. */
    private int forwardSequence;
    /** The array the previous forward used; forwarding thread only. */
    private AttachedPort[] portsSeen;

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
        this.portsSeen = ports;
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
     * Adds a port; frames may be delivered to it as soon as this returns (or before, on another thread).
     *
     * @return its number, the lowest free one from 1.
     * @throws IllegalStateException when all {@link #MAX_PORTS} - 1 numbers are in use.
     */
    public int attach(final BridgePort port)
    {
        if (port == null)
        {
            throw new NullPointerException("port");
        }
        synchronized (controlLock)
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
            ports = next;
            return number;
        }
    }

    /**
     * Removes a port and forgets the addresses learned on it. On return no delivery to the port is
     * in progress and none will start (see the class comment), unless called from inside the
     * deliver() of a forward, where only the latter holds.
     *
     * @throws IllegalArgumentException if no port with that number is attached.
     */
    public void detach(final int portNumber)
    {
        synchronized (controlLock)
        {
            final AttachedPort[] current = ports;
            final AttachedPort leaving = portAt(current, portNumber);
            if (leaving == null)
            {
                throw new IllegalArgumentException(name + ": no port " + portNumber);
            }
            // Cleared before the new array is published: a forward still on the old array, on
            // this very thread, skips the port from here on.
            leaving.markDetached();
            final AttachedPort[] next = current.clone();
            next[portNumber] = null;
            ports = next;
        }
        awaitForwardInFlight();
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
     * Switches one Ethernet frame that arrived on {@code ingressPort}. Forwarding thread only.
     *
     * @param nowNanos the forwarding thread's clock (System.nanoTime or a test's), in the same time
     *                 base for every call, compared with the ageing time.
     * @return how many ports accepted the frame.
     */
    public int forward(
        final int ingressPort, final DirectBuffer frame, final int offset, final int length, final long nowNanos)
    {
        final Thread current = Thread.currentThread();
        if (forwardingThread != current)
        {
            forwardingThread = current;
        }
        final int sequence = forwardSequence;
        if ((sequence & 1) != 0)
        {
            // A deliver() forwarding again on this thread: the outer forward already holds it odd.
            return forwardInFlight(ingressPort, frame, offset, length, nowNanos);
        }
        // Volatile, not release: this store must be ordered before the read of ports below, or a
        // detach could miss this forward (the store-load half of the detach handshake).
        FORWARD_SEQUENCE.setVolatile(this, sequence + 1);
        try
        {
            return forwardInFlight(ingressPort, frame, offset, length, nowNanos);
        }
        finally
        {
            // Release: a detach that reads the even value sees every delivery of this forward done.
            FORWARD_SEQUENCE.setRelease(this, sequence + 2);
        }
    }

    /**
     * Removes MAC table entries that have aged out or whose port is gone. Forwarding thread only;
     * call it now and then from the agent's duty cycle, since lookups only age what they touch.
     *
     * @return how many entries were removed.
     */
    public int sweep(final long nowNanos)
    {
        return macTable.sweep(nowNanos);
    }

    /**
     * Addresses in the MAC table, some of which may have aged out unswept. Forwarding thread only.
     */
    public int macCount()
    {
        return macTable.size();
    }

    /**
     * The number of the port {@code mac} (48 bits, first byte most significant) is learned on, or
     * -1 if unknown or aged out. Forwarding thread only.
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

    private int forwardInFlight(
        final int ingressPort, final DirectBuffer frame, final int offset, final int length, final long nowNanos)
    {
        final AttachedPort[] ports = this.ports;
        if (ports != portsSeen)
        {
            onPortsChanged(ports);
        }
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

    /**
     * Every port that has learned addresses was in the array the previous forward used and stays in
     * each later one until detached, so looking for detached ports there finds all whose entries
     * need purging; the table is scanned only if one has any.
     */
    private void onPortsChanged(final AttachedPort[] ports)
    {
        final AttachedPort[] previous = portsSeen;
        portsSeen = ports;
        for (final AttachedPort port : previous)
        {
            if (port != null && port.learnedMacs > 0 && !port.isAttached())
            {
                macTable.forgetDetached();
                return;
            }
        }
    }

    private void awaitForwardInFlight()
    {
        final int sequence = (int)FORWARD_SEQUENCE.getVolatile(this);
        if ((sequence & 1) == 0 || forwardingThread == Thread.currentThread())
        {
            return;
        }
        for (int spins = 0; (int)FORWARD_SEQUENCE.getVolatile(this) == sequence; spins++)
        {
            if (spins < 100)
            {
                Thread.onSpinWait();
            }
            else if (spins < 200)
            {
                Thread.yield();
            }
            else
            {
                LockSupport.parkNanos(1_000);
            }
        }
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
