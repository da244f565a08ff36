package io.javisor.emulation.device.virtio;

import static io.javisor.emulation.device.virtio.VirtioMmioDescriptor.*;

/**
 * The device side of one split virtqueue (virtio 1.x, 2.7) in guest RAM. The driver owns the
 * descriptor table and the available ring and may change them at any time, so every index and
 * length is read once into a local and validated before use: a head or next index past the queue,
 * a chain longer than the queue (a loop), an indirect descriptor the driver did not negotiate (or
 * one nested in an indirect table), a segment outside RAM or wrapping the address space, a
 * device-readable segment after a writable one, or an available index more than the queue size
 * ahead are all reported to the transport ({@link VirtioMmioTransport#deviceError}), which puts the
 * device into DEVICE_NEEDS_RESET; nothing here throws.
 * <p>
 * Not thread-safe: single writer, the vCPU thread (register accesses, notifies and board polls of
 * one machine all run on it).
 */
public final class SplitVirtqueue
{
    /** {@link #pop} results. */
    public static final int EMPTY = 0;
    public static final int CHAIN = 1;
    public static final int ERROR = -1;

    private final VirtioMmioTransport transport;
    private final GuestRam ram;
    private final int index;
    private final int maxSize;
    private boolean ready;
    private int size;
    /** RAM offsets (not guest-physical) of the three areas, valid while ready. */
    private long desc;
    private long avail;
    private long used;
    /** Free-running u16 counters: the next available entry to take, and the next used entry to fill. */
    private int lastAvail;
    private int usedIdx;

    SplitVirtqueue(final VirtioMmioTransport transport, final GuestRam ram, final int index, final int maxSize)
    {
        this.transport = transport;
        this.ram = ram;
        this.index = index;
        this.maxSize = maxSize;
    }

    public int index()
    {
        return index;
    }

    public boolean isReady()
    {
        return ready;
    }

    public int size()
    {
        return size;
    }

    void reset()
    {
        ready = false;
        size = 0;
        desc = avail = used = 0;
        lastAvail = usedIdx = 0;
    }

    /**
     * Makes the queue live with the driver's QueueNum and ring addresses (guest-physical).
     *
     * @return null, or why the configuration is invalid (the queue then stays not ready).
     */
    String enable(final int num, final long descPa, final long availPa, final long usedPa)
    {
        if (num <= 0 || num > maxSize || (num & (num - 1)) != 0)
        {
            return "queue " + index + ": size " + num + " is not a power of two in 1.." + maxSize;
        }
        if ((descPa & (DESC_ALIGN - 1)) != 0 || (availPa & (AVAIL_ALIGN - 1)) != 0 || (usedPa & (USED_ALIGN - 1)) != 0)
        {
            return "queue " + index + ": misaligned rings desc 0x" + Long.toHexString(descPa) +
                " avail 0x" + Long.toHexString(availPa) + " used 0x" + Long.toHexString(usedPa);
        }
        final long d = ram.offsetOf(descPa, descTableSize(num));
        final long a = ram.offsetOf(availPa, availRingSize(num));
        final long u = ram.offsetOf(usedPa, usedRingSize(num));
        if (d < 0 || a < 0 || u < 0)
        {
            return "queue " + index + ": rings outside RAM: desc 0x" + Long.toHexString(descPa) +
                " avail 0x" + Long.toHexString(availPa) + " used 0x" + Long.toHexString(usedPa);
        }
        this.size = num;
        this.desc = d;
        this.avail = a;
        this.used = u;
        this.lastAvail = 0;
        this.usedIdx = 0;
        this.ready = true;
        return null;
    }

    void disable()
    {
        reset();
    }

    /**
     * @return how many chains the driver has made available and the device not taken, or -1 (after
     * reporting the error) when the driver's index claims more than the queue holds.
     */
    public int pending()
    {
        if (!ready)
        {
            return 0;
        }
        final int availIdx = ram.getShort(avail + AVAIL_IDX); // read once
        final int n = (availIdx - lastAvail) & 0xFFFF;
        if (n > size)
        {
            transport.deviceError("queue " + index + ": available index " + availIdx + " is " + n +
                " ahead of the device, more than the queue size " + size);
            return -1;
        }
        return n;
    }

    /**
     * Takes the next available chain into {@code chain}.
     *
     * @return {@link #CHAIN}, {@link #EMPTY}, or {@link #ERROR} after the transport was told why.
     */
    public int pop(final DescriptorChain chain)
    {
        final int n = pending();
        if (n <= 0)
        {
            return n < 0 ? ERROR : EMPTY;
        }
        final int head = ram.getShort(avail + AVAIL_RING + 2L * (lastAvail & (size - 1)));
        if (head >= size)
        {
            return fail("head index " + head + " is past the queue size " + size);
        }
        chain.reset(head);
        int next = head;
        long table = desc;
        int tableSize = size;
        boolean indirect = false;
        boolean seenWritable = false;
        // A chain visits at most tableSize descriptors: one more means a loop (or a forged length).
        int visited = 0;
        while (true)
        {
            if (++visited > tableSize)
            {
                return fail("chain from head " + head + " is longer than " + tableSize + " descriptors (a loop?)");
            }
            final long at = table + (long)DESC_SIZE * next;
            final long addr = ram.getLong(at + DESC_ADDR);
            final long len = ram.getIntUnsigned(at + DESC_LEN);
            final int flags = ram.getShort(at + DESC_FLAGS);
            final int nextIndex = ram.getShort(at + DESC_NEXT);
            if ((flags & DESC_F_INDIRECT) != 0)
            {
                if (indirect)
                {
                    return fail("chain from head " + head + " nests an indirect table");
                }
                if (!transport.driverHasFeature(F_RING_INDIRECT_DESC))
                {
                    return fail("chain from head " + head + " uses an indirect descriptor, not negotiated");
                }
                if ((flags & DESC_F_NEXT) != 0 || visited != 1)
                {
                    return fail("chain from head " + head + " mixes an indirect table with direct descriptors");
                }
                // Unlike the descriptor table, an indirect table has no alignment in the spec (Linux's
                // kmalloc gives 8-byte-aligned ones); RAM reads of any alignment are fine here.
                final long tableAt = ram.offsetOf(addr, len);
                if (len == 0 || len % DESC_SIZE != 0 || tableAt < 0)
                {
                    return fail(String.format("chain from head %d: indirect table 0x%x+%d is empty, not whole descriptors or outside RAM",
                        head, addr, len));
                }
                indirect = true;
                table = tableAt;
                tableSize = (int)(len / DESC_SIZE);
                if (tableSize > chain.capacity())
                {
                    return fail("chain from head " + head + ": indirect table of " + tableSize + " descriptors, more than " +
                        chain.capacity());
                }
                next = 0;
                visited = 0;
                continue;
            }
            final long off = ram.offsetOf(addr, len);
            if (off < 0)
            {
                return fail(String.format("chain from head %d: buffer 0x%x+%d is outside RAM or wraps", head, addr, len));
            }
            final boolean writable = (flags & DESC_F_WRITE) != 0;
            if (!writable && seenWritable)
            {
                return fail("chain from head " + head + ": a device-readable buffer follows a writable one");
            }
            seenWritable |= writable;
            if (chain.segmentCount() == chain.capacity())
            {
                return fail("chain from head " + head + " has more than " + chain.capacity() + " buffers");
            }
            chain.add(off, (int)len, writable);
            if ((flags & DESC_F_NEXT) == 0)
            {
                break;
            }
            if (nextIndex >= tableSize)
            {
                return fail("chain from head " + head + ": next index " + nextIndex + " is past the table of " + tableSize);
            }
            next = nextIndex;
        }
        lastAvail = (lastAvail + 1) & 0xFFFF;
        return CHAIN;
    }

    /** Gives back the last {@code n} chains taken, as if never popped (a frame that did not fit). */
    public void unpop(final int n)
    {
        lastAvail = (lastAvail - n) & 0xFFFF;
    }

    /** Returns a chain to the driver with {@code written} bytes written into its writable part. */
    public void pushUsed(final int head, final long written)
    {
        final long elem = used + USED_RING + (long)USED_ELEM_SIZE * (usedIdx & (size - 1));
        ram.putInt(elem, head);
        ram.putInt(elem + 4, (int)written);
        usedIdx = (usedIdx + 1) & 0xFFFF;
        // The guest runs on this thread between register accesses, so plain stores are ordered for it.
        ram.putShort(used + USED_IDX, usedIdx);
    }

    /** @return whether the driver asked for no interrupt when buffers are used (VIRTQ_AVAIL_F_NO_INTERRUPT). */
    public boolean interruptSuppressed()
    {
        return ready && (ram.getShort(avail + AVAIL_FLAGS) & AVAIL_F_NO_INTERRUPT) != 0;
    }

    private int fail(final String reason)
    {
        transport.deviceError("queue " + index + ": " + reason);
        return ERROR;
    }
}
