package io.javisor.ringio.event;

import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.util.function.IntConsumer;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

import static io.javisor.ringio.event.EventChannelStatus.*;
import static io.javisor.ringio.event.SharedInfoDescriptor.*;

/**
 * One domain's event channels: the port table and the 2-level pending/mask bitmaps in its
 * shared-info frame, which the guest reads and writes itself.
 * <p>
 * Send path (lock-free): read the local port's binding (one volatile read), find the peer domain
 * (one array read), test-and-set the peer port's pending bit with a CAS. An already-pending bit
 * means the event coalesces into the one not yet handled: a peer that sends without end costs
 * the receiver at most one wake-up per poll and no memory, which is how floods are bounded.
 * If the bit was clear and the port is unmasked, the selector bit and upcall flag of vCPU 0 are
 * raised and the port's {@link EventWaiter} (or the domain's) is woken.
 * <p>
 * Port bindings change only under the {@link EventChannelHub}'s monitor and are published as one
 * packed long: state (bits 0-7), remote domid (8-23), remote port (24-47).
 * <p>
 * The shared-info frame starts where the hypervisor put it; a guest running its own code moves it to
 * a page of its RAM ({@link #moveSharedInfo}), after which every operation uses that page. Each
 * operation reads the page reference once, so it works on one page throughout. A domain whose vCPU
 * must be kicked when an event arrives registers an {@link #setEventListener event listener}.
 * <p>
 * A domain that needs more than the 2-level ABI's {@value SharedInfoDescriptor#NR_EVENT_CHANNELS}
 * ports (dom0 serving thousands of guests' devices; Xen raises the limit to its FIFO ABI's
 * {@value #MAX_PORTS} the same way) keeps the pending and mask bits of its ports from
 * {@value SharedInfoDescriptor#NR_EVENT_CHANNELS} up in an extension bitmap of the hypervisor's,
 * with one summary bit per word of pending bits in place of a selector bit; only Java code (dom0's
 * back ends) uses those ports, so guest code sees the 2-level ABI unchanged. A back-end agent finds
 * the pending ports it serves with {@link #pollPorts}, in time proportional to the words of the
 * bitmaps, not to the number of its devices.
 */
public final class EventChannels
{
    private final int domid;
    private final EventChannelHub hub;
    /** Published by {@link #moveSharedInfo}; every operation reads it once into a local. */
    private volatile AtomicBuffer sharedInfo;
    private volatile Runnable eventListener;
    private final int maxPorts;
    private final AtomicLongArray bindings;
    private final AtomicReferenceArray<EventWaiter> portWaiters;
    private final EventWaiter domainWaiter = new EventWaiter();
    /**
     * Pending words, mask words and summary words of the ports from NR_EVENT_CHANNELS up; null when
     * the domain has none. Fixed at construction.
     */
    private final AtomicBuffer extension;
    private final int extensionMaskOffset;
    private final int extensionSummaryOffset;
    /** No port below this one is free; guarded by the hub's monitor, as every binding change. */
    private int freeSearchFrom = 1;

    /** The most ports a domain may have, as Xen's FIFO ABI (EVTCHN_FIFO_NR_CHANNELS). */
    public static final int MAX_PORTS = 1 << 17;

    /**
     * @param sharedInfo the domain's shared-info frame (at least {@link SharedInfoDescriptor#SHARED_INFO_LENGTH}).
     * @param maxPorts   ports this domain may use, at most {@link SharedInfoDescriptor#NR_EVENT_CHANNELS}.
     */
    public EventChannels(final int domid, final EventChannelHub hub, final AtomicBuffer sharedInfo, final int maxPorts)
    {
        if (maxPorts < 2 || maxPorts > MAX_PORTS)
        {
            throw new IllegalArgumentException("max ports must be 2.." + MAX_PORTS + ": " + maxPorts);
        }
        if (sharedInfo.capacity() < SHARED_INFO_LENGTH)
        {
            throw new IllegalArgumentException("shared info needs " + SHARED_INFO_LENGTH + " bytes");
        }
        this.domid = domid;
        this.hub = hub;
        this.sharedInfo = sharedInfo;
        this.maxPorts = maxPorts;
        this.bindings = new AtomicLongArray(maxPorts);
        this.portWaiters = new AtomicReferenceArray<>(maxPorts);
        if (maxPorts > NR_EVENT_CHANNELS)
        {
            final int words = (maxPorts - NR_EVENT_CHANNELS + BITS_PER_WORD - 1) / BITS_PER_WORD;
            final int summaryWords = (words + BITS_PER_WORD - 1) / BITS_PER_WORD;
            extensionMaskOffset = words * Long.BYTES;
            extensionSummaryOffset = 2 * words * Long.BYTES;
            // A direct buffer's memory is 8-byte aligned, as the atomic operations on its words need.
            extension = new UnsafeBuffer(ByteBuffer.allocateDirect(extensionSummaryOffset + summaryWords * Long.BYTES));
        }
        else
        {
            extension = null;
            extensionMaskOffset = 0;
            extensionSummaryOffset = 0;
        }
        hub.register(this);
    }

    public int domid()
    {
        return domid;
    }

    public AtomicBuffer sharedInfo()
    {
        return sharedInfo;
    }

    public int maxPorts()
    {
        return maxPorts;
    }

    /**
     * Moves the shared-info frame to {@code page} (a guest page the guest registered), as Xen maps its
     * shared info where an HVM guest asks: the page takes the current pending, mask and vCPU state
     * (what the guest had there is overwritten), then becomes the one every operation uses. An event
     * raised on the old frame while the copy is made is carried over afterwards, and an unmasked
     * pending event raises the upcall on the new page. Serialised with binding and closing.
     */
    public void moveSharedInfo(final AtomicBuffer page)
    {
        if (page.capacity() < SHARED_INFO_LENGTH)
        {
            throw new IllegalArgumentException("shared info needs " + SHARED_INFO_LENGTH + " bytes");
        }
        synchronized (hub)
        {
            final AtomicBuffer old = sharedInfo;
            if (old == page)
            {
                return;
            }
            page.putBytes(0, old, 0, SHARED_INFO_LENGTH);
            sharedInfo = page;
            boolean deliver = false;
            for (int word = 0; word < BITS_PER_WORD; word++)
            {
                final int offset = EVTCHN_PENDING_OFFSET + word * 8;
                final long late = old.getLongVolatile(offset);
                if (late != 0)
                {
                    orLong(page, offset, late);
                }
                final long ready = page.getLongVolatile(offset) & ~page.getLongVolatile(EVTCHN_MASK_OFFSET + word * 8);
                if (ready != 0)
                {
                    orLong(page, vcpuInfoOffset(0) + PENDING_SEL_OFFSET, 1L << word);
                    deliver = true;
                }
            }
            if (deliver)
            {
                page.putByteVolatile(vcpuInfoOffset(0) + UPCALL_PENDING_OFFSET, (byte)1);
                domainWaiter.wake();
                final Runnable listener = eventListener;
                if (listener != null)
                {
                    listener.run();
                }
            }
        }
    }

    /**
     * Runs {@code listener} (on the sender's thread, without locks) whenever a port of this domain
     * goes from clear to pending, masked or not, after the upcall state is updated: how a vCPU that
     * runs guest code is kicked. It must be quick and must not block. Null removes it.
     */
    public void setEventListener(final Runnable listener)
    {
        this.eventListener = listener;
    }

    // ---------------------------------------------------------------------------------------------
    // Operations (EVTCHNOP_*), performed by this domain.
    // ---------------------------------------------------------------------------------------------

    /**
     * EVTCHNOP_alloc_unbound: a fresh port that {@code remoteDomid} may bind to.
     *
     * @return the port, or a negative errno.
     */
    public int allocUnbound(final int remoteDomid)
    {
        synchronized (hub)
        {
            if (hub.lookup(remoteDomid) == null)
            {
                return ESRCH;
            }
            final int port = freePort();
            if (port > 0)
            {
                publish(port, UNBOUND, remoteDomid, 0);
            }
            return port;
        }
    }

    /**
     * EVTCHNOP_bind_interdomain: binds a fresh local port to {@code remotePort} of
     * {@code remoteDomid}, which must be unbound and offered to this domain.
     *
     * @return the local port, or a negative errno.
     */
    public int bindInterdomain(final int remoteDomid, final int remotePort)
    {
        synchronized (hub)
        {
            final EventChannels remote = hub.lookup(remoteDomid);
            if (remote == null)
            {
                return ESRCH;
            }
            if (!remote.isPort(remotePort))
            {
                return EINVAL;
            }
            final long remoteBinding = remote.bindings.get(remotePort);
            if (stateOf(remoteBinding) != UNBOUND || remoteDomidOf(remoteBinding) != domid)
            {
                return EINVAL;
            }
            final int port = freePort();
            if (port < 0)
            {
                return port;
            }
            publish(port, INTERDOMAIN, remoteDomid, remotePort);
            remote.publish(remotePort, INTERDOMAIN, domid, port);
            // Xen marks the new local port pending so that the binder sees any event it missed.
            raise(port);
            return port;
        }
    }

    /**
     * EVTCHNOP_send.
     *
     * @return 0, or a negative errno for a port that is not open. Sends on an unbound port are dropped.
     */
    public int send(final int port)
    {
        if (!isPort(port))
        {
            return EINVAL;
        }
        final long binding = bindings.get(port);
        final int state = stateOf(binding);
        if (state == INTERDOMAIN)
        {
            final EventChannels remote = hub.lookup(remoteDomidOf(binding));
            if (remote != null)
            {
                remote.raise(remotePortOf(binding));
            }
            return 0;
        }
        return state == UNBOUND ? 0 : EINVAL;
    }

    /**
     * EVTCHNOP_close: the port becomes free; an interdomain peer's port falls back to unbound.
     */
    public int close(final int port)
    {
        synchronized (hub)
        {
            if (!isPort(port))
            {
                return EINVAL;
            }
            final long binding = bindings.get(port);
            final int state = stateOf(binding);
            if (state == CLOSED)
            {
                return EINVAL;
            }
            if (state == INTERDOMAIN)
            {
                final EventChannels remote = hub.lookup(remoteDomidOf(binding));
                final int remotePort = remotePortOf(binding);
                if (remote != null && remote.isPort(remotePort))
                {
                    final long remoteBinding = remote.bindings.get(remotePort);
                    if (stateOf(remoteBinding) == INTERDOMAIN && remoteDomidOf(remoteBinding) == domid &&
                        remotePortOf(remoteBinding) == port)
                    {
                        remote.publish(remotePort, UNBOUND, domid, 0);
                    }
                }
            }
            bindings.set(port, 0);
            portWaiters.set(port, null);
            clearPending(port);
            freeSearchFrom = Math.min(freeSearchFrom, port);
            return 0;
        }
    }

    /**
     * EVTCHNOP_status: the port's state, or a negative errno.
     */
    public int status(final int port)
    {
        return isPort(port) ? stateOf(bindings.get(port)) : EINVAL;
    }

    /**
     * The domain on the other end of an unbound or interdomain port, or a negative errno.
     */
    public int remoteDomain(final int port)
    {
        if (!isPort(port) || stateOf(bindings.get(port)) == CLOSED)
        {
            return EINVAL;
        }
        return remoteDomidOf(bindings.get(port));
    }

    /**
     * The peer's port of an interdomain channel, or a negative errno.
     */
    public int remotePort(final int port)
    {
        if (!isPort(port) || stateOf(bindings.get(port)) != INTERDOMAIN)
        {
            return EINVAL;
        }
        return remotePortOf(bindings.get(port));
    }

    public int mask(final int port)
    {
        if (!isPort(port))
        {
            return EINVAL;
        }
        orLong(bitsOf(sharedInfo, port), maskOffset(port), bitOf(port));
        return 0;
    }

    /**
     * EVTCHNOP_unmask: clears the mask bit; an event that arrived while masked is delivered now.
     */
    public int unmask(final int port)
    {
        if (!isPort(port))
        {
            return EINVAL;
        }
        final AtomicBuffer info = sharedInfo;
        final AtomicBuffer bits = bitsOf(info, port);
        andNotLong(bits, maskOffset(port), bitOf(port));
        if ((bits.getLongVolatile(pendingOffset(port)) & bitOf(port)) != 0)
        {
            upcall(info, port);
        }
        return 0;
    }

    // ---------------------------------------------------------------------------------------------
    // Receiving side, used by Java domains (dom0's back ends, Java guests).
    // ---------------------------------------------------------------------------------------------

    /**
     * The waiter woken by events on {@code port}; without one, events wake {@link #domainWaiter()}.
     */
    public void setWaiter(final int port, final EventWaiter waiter)
    {
        if (!isPort(port))
        {
            throw new IllegalArgumentException("not a port: " + port);
        }
        portWaiters.set(port, waiter);
    }

    public EventWaiter domainWaiter()
    {
        return domainWaiter;
    }

    public boolean isPending(final int port)
    {
        return isPort(port) && (bitsOf(sharedInfo, port).getLongVolatile(pendingOffset(port)) & bitOf(port)) != 0;
    }

    /**
     * Clears the pending bit of {@code port}, as a guest's handler does before it handles the event.
     *
     * @return true if it was pending.
     */
    public boolean clearPending(final int port)
    {
        if (!isPort(port))
        {
            return false;
        }
        final long bit = bitOf(port);
        return (andNotLong(bitsOf(sharedInfo, port), pendingOffset(port), bit) & bit) != 0;
    }

    public boolean isUpcallPending()
    {
        return sharedInfo.getByteVolatile(vcpuInfoOffset(0) + UPCALL_PENDING_OFFSET) != 0;
    }

    /**
     * The guest's upcall loop for vCPU 0: clears the upcall flag, takes the selector, and hands each
     * pending unmasked port to {@code handler} after clearing its pending bit (an event raised while
     * the handler runs is therefore seen by the next poll).
     *
     * @return the number of events handled.
     */
    public int poll(final EventHandler handler)
    {
        final AtomicBuffer sharedInfo = this.sharedInfo;
        final int vcpuInfo = vcpuInfoOffset(0);
        if (sharedInfo.getByteVolatile(vcpuInfo + UPCALL_PENDING_OFFSET) == 0)
        {
            return 0;
        }
        sharedInfo.putByteVolatile(vcpuInfo + UPCALL_PENDING_OFFSET, (byte)0);
        long selector = sharedInfo.getAndSetLong(vcpuInfo + PENDING_SEL_OFFSET, 0);
        int handled = 0;
        while (selector != 0)
        {
            final int word = Long.numberOfTrailingZeros(selector);
            selector &= selector - 1;
            final int pendingOffset = EVTCHN_PENDING_OFFSET + word * 8;
            long ready = sharedInfo.getLongVolatile(pendingOffset) &
                ~sharedInfo.getLongVolatile(EVTCHN_MASK_OFFSET + word * 8);
            while (ready != 0)
            {
                final int bit = Long.numberOfTrailingZeros(ready);
                ready &= ready - 1;
                final int port = word * 64 + bit;
                if (port < maxPorts && (andNotLong(sharedInfo, pendingOffset, 1L << bit) & (1L << bit)) != 0)
                {
                    handler.onEvent(port);
                    handled++;
                }
            }
        }
        if (extension != null)
        {
            handled += pollExtension(handler);
        }
        return handled;
    }

    private int pollExtension(final EventHandler handler)
    {
        int handled = 0;
        for (int summaryOffset = extensionSummaryOffset; summaryOffset < extension.capacity(); summaryOffset += Long.BYTES)
        {
            long summary = extension.getAndSetLong(summaryOffset, 0);
            while (summary != 0)
            {
                final int word = (summaryOffset - extensionSummaryOffset) / Long.BYTES * BITS_PER_WORD
                    + Long.numberOfTrailingZeros(summary);
                summary &= summary - 1;
                final int pendingOffset = word * Long.BYTES;
                long ready = extension.getLongVolatile(pendingOffset) & ~extension.getLongVolatile(extensionMaskOffset + pendingOffset);
                while (ready != 0)
                {
                    final int bit = Long.numberOfTrailingZeros(ready);
                    ready &= ready - 1;
                    final int port = NR_EVENT_CHANNELS + word * BITS_PER_WORD + bit;
                    if (port < maxPorts && (andNotLong(extension, pendingOffset, 1L << bit) & (1L << bit)) != 0)
                    {
                        handler.onEvent(port);
                        handled++;
                    }
                }
            }
        }
        return handled;
    }

    /**
     * How a back-end agent takes its events: every port of {@code ports} that is pending and not
     * masked has its pending bit cleared and is handed to {@code handler}, in port order; ports of
     * other agents are left alone. Costs one read per 64 ports of the set's range, however many
     * ports are in it, plus the ports handed over.
     *
     * @return the number of ports handed over.
     */
    public int pollPorts(final PortSet ports, final IntConsumer handler)
    {
        final AtomicBuffer info = sharedInfo;
        int handled = 0;
        final int words = ports.endWord();
        for (int word = ports.firstWord(); word < words; word++)
        {
            final long wanted = ports.word(word);
            if (wanted == 0)
            {
                continue;
            }
            final int firstPort = word * BITS_PER_WORD;
            final AtomicBuffer bits = bitsOf(info, firstPort);
            final int pendingOffset = pendingOffset(firstPort);
            final long ready = bits.getLongVolatile(pendingOffset) & ~bits.getLongVolatile(maskOffset(firstPort)) & wanted;
            if (ready != 0)
            {
                final long taken = andNotLong(bits, pendingOffset, ready) & ready;
                for (long rest = taken; rest != 0; rest &= rest - 1)
                {
                    handler.accept(firstPort + Long.numberOfTrailingZeros(rest));
                    handled++;
                }
            }
        }
        return handled;
    }

    /**
     * Whether any port of {@code ports} is pending and not masked (without taking it).
     */
    public boolean anyPending(final PortSet ports)
    {
        final AtomicBuffer info = sharedInfo;
        final int words = ports.endWord();
        for (int word = ports.firstWord(); word < words; word++)
        {
            final long wanted = ports.word(word);
            if (wanted != 0)
            {
                final int firstPort = word * BITS_PER_WORD;
                final AtomicBuffer bits = bitsOf(info, firstPort);
                if ((bits.getLongVolatile(pendingOffset(firstPort)) & ~bits.getLongVolatile(maskOffset(firstPort)) & wanted) != 0)
                {
                    return true;
                }
            }
        }
        return false;
    }

    // ---------------------------------------------------------------------------------------------
    // Internals.
    // ---------------------------------------------------------------------------------------------

    /**
     * Marks {@code port} pending (the receiving end of a send).
     */
    void raise(final int port)
    {
        if (!isPort(port))
        {
            return;
        }
        final AtomicBuffer info = sharedInfo;
        final AtomicBuffer bits = bitsOf(info, port);
        final long bit = bitOf(port);
        if ((orLong(bits, pendingOffset(port), bit) & bit) != 0)
        {
            return; // coalesced into the event already pending
        }
        final Runnable listener = eventListener;
        if ((bits.getLongVolatile(maskOffset(port)) & bit) == 0)
        {
            upcall(info, port);
        }
        // Masked or not: a vCPU polling this port must see it. Called once per clear-to-pending
        // change, so a peer that floods a port the guest never clears kicks the vCPU once.
        if (listener != null)
        {
            listener.run();
        }
    }

    private void upcall(final AtomicBuffer sharedInfo, final int port)
    {
        final int vcpuInfo = vcpuInfoOffset(0);
        if (port >= NR_EVENT_CHANNELS)
        {
            final int word = (port - NR_EVENT_CHANNELS) >>> 6;
            final long summaryBit = 1L << (word & 63);
            if ((orLong(extension, extensionSummaryOffset + (word >>> 6) * Long.BYTES, summaryBit) & summaryBit) == 0)
            {
                sharedInfo.putByteVolatile(vcpuInfo + UPCALL_PENDING_OFFSET, (byte)1);
            }
        }
        else
        {
            final long selectorBit = 1L << (port >>> 6);
            if ((orLong(sharedInfo, vcpuInfo + PENDING_SEL_OFFSET, selectorBit) & selectorBit) == 0)
            {
                sharedInfo.putByteVolatile(vcpuInfo + UPCALL_PENDING_OFFSET, (byte)1);
            }
        }
        final EventWaiter waiter = portWaiters.get(port);
        (waiter != null ? waiter : domainWaiter).wake();
        if (waiter != null)
        {
            domainWaiter.wake();
        }
    }

    /**
     * Frees every port; interdomain peers fall back to unbound. Called with the hub's monitor held.
     */
    void closeAll()
    {
        for (int port = 1; port < maxPorts; port++)
        {
            if (stateOf(bindings.get(port)) != CLOSED)
            {
                close(port);
            }
        }
    }

    /** Where the pending and mask bits of {@code port} are: the shared-info page, or the extension. */
    private AtomicBuffer bitsOf(final AtomicBuffer info, final int port)
    {
        return port < NR_EVENT_CHANNELS ? info : extension;
    }

    private static int pendingOffset(final int port)
    {
        return port < NR_EVENT_CHANNELS ? pendingWordOffset(port) : ((port - NR_EVENT_CHANNELS) >>> 6) * Long.BYTES;
    }

    private int maskOffset(final int port)
    {
        return port < NR_EVENT_CHANNELS ? maskWordOffset(port) : extensionMaskOffset + ((port - NR_EVENT_CHANNELS) >>> 6) * Long.BYTES;
    }

    private boolean isPort(final int port)
    {
        return port > 0 && port < maxPorts;
    }

    private int freePort()
    {
        // Port 0 is never allocated, as in Xen. Every port below freeSearchFrom is in use, so the
        // search starts there: allocating the next of thousands of ports does not rescan them all.
        for (int port = freeSearchFrom; port < maxPorts; port++)
        {
            if (stateOf(bindings.get(port)) == CLOSED)
            {
                freeSearchFrom = port + 1;
                return port;
            }
        }
        freeSearchFrom = maxPorts;
        return ENOSPC;
    }

    private void publish(final int port, final int state, final int remoteDomid, final int remotePort)
    {
        bindings.set(port, (state & 0xFFL) | ((remoteDomid & 0xFFFFL) << 8) | ((remotePort & 0xFFFFFFL) << 24));
    }

    private static int stateOf(final long binding)
    {
        return (int)(binding & 0xFF);
    }

    private static int remoteDomidOf(final long binding)
    {
        return (int)((binding >>> 8) & 0xFFFF);
    }

    private static int remotePortOf(final long binding)
    {
        return (int)((binding >>> 24) & 0xFFFFFF);
    }

    private static long orLong(final AtomicBuffer sharedInfo, final int offset, final long bits)
    {
        long old;
        do
        {
            old = sharedInfo.getLongVolatile(offset);
            if ((old & bits) == bits)
            {
                return old;
            }
        }
        while (!sharedInfo.compareAndSetLong(offset, old, old | bits));
        return old;
    }

    private static long andNotLong(final AtomicBuffer sharedInfo, final int offset, final long bits)
    {
        long old;
        do
        {
            old = sharedInfo.getLongVolatile(offset);
            if ((old & bits) == 0)
            {
                return old;
            }
        }
        while (!sharedInfo.compareAndSetLong(offset, old, old & ~bits));
        return old;
    }
}
