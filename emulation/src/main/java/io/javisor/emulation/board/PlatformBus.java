package io.javisor.emulation.board;

import io.javisor.emulation.cpu.Bus;
import io.javisor.emulation.cpu.RamBus;
import io.javisor.memory.GuestMemory;

import java.util.Arrays;

/**
 * The QEMU-{@code virt}-shaped physical bus: RAM at {@link RamBus#RAM_BASE} plus MMIO devices at
 * fixed bases. Devices are kept sorted by base and must not overlap each other or RAM. An access
 * that hits nothing, or starts inside a device but runs past its end, or that the device does not
 * {@link MmioDevice#supports support}, sets the fault flag. Every device access is counted.
 */
public final class PlatformBus implements Bus
{
    private final RamBus ram;
    private final long ramEnd;
    private long[] bases = new long[0];
    private long[] ends = new long[0];
    private MmioDevice[] devices = new MmioDevice[0];
    private long[] counts = new long[0];
    private boolean fault;

    public PlatformBus(final GuestMemory memory)
    {
        this.ram = new RamBus(memory);
        this.ramEnd = RamBus.RAM_BASE + memory.size();
    }

    public GuestMemory memory()
    {
        return ram.memory();
    }

    @Override
    public GuestMemory directRam()
    {
        return ram.memory();
    }

    /**
     * Map {@code device} at {@code base}.
     *
     * @throws IllegalArgumentException if the window is empty, wraps, or overlaps RAM or another device
     */
    public PlatformBus map(final long base, final MmioDevice device)
    {
        final long size = device.size();
        final long end = base + size;
        if (size <= 0 || base < 0 || end < base)
        {
            throw new IllegalArgumentException("bad device window at 0x" + Long.toHexString(base));
        }
        if (base < ramEnd && end > RamBus.RAM_BASE)
        {
            throw new IllegalArgumentException("device at 0x" + Long.toHexString(base) + " overlaps RAM");
        }
        int at = 0;
        while (at < bases.length && bases[at] < base)
        {
            at++;
        }
        if ((at > 0 && ends[at - 1] > base) || (at < bases.length && bases[at] < end))
        {
            throw new IllegalArgumentException("device at 0x" + Long.toHexString(base) + " overlaps another");
        }
        bases = insert(bases, at, base);
        ends = insert(ends, at, end);
        counts = insert(counts, at, 0);
        final MmioDevice[] d = Arrays.copyOf(devices, devices.length + 1);
        System.arraycopy(devices, at, d, at + 1, devices.length - at);
        d[at] = device;
        devices = d;
        return this;
    }

    private static long[] insert(final long[] a, final int at, final long v)
    {
        final long[] r = Arrays.copyOf(a, a.length + 1);
        System.arraycopy(a, at, r, at + 1, a.length - at);
        r[at] = v;
        return r;
    }

    /** @return how many accesses (reads and writes, including refused ones) reached {@code device}. */
    public long accessCount(final MmioDevice device)
    {
        for (int i = 0; i < devices.length; i++)
        {
            if (devices[i] == device)
            {
                return counts[i];
            }
        }
        throw new IllegalArgumentException("device not mapped");
    }

    /** What {@link #forEachDevice} visits. */
    @FunctionalInterface
    public interface DeviceVisitor
    {
        void accept(long base, MmioDevice device, long accesses);
    }

    /** Visit every mapped device, in address order, with its access count (exits, for a CPU). */
    public void forEachDevice(final DeviceVisitor visitor)
    {
        for (int i = 0; i < devices.length; i++)
        {
            visitor.accept(bases[i], devices[i], counts[i]);
        }
    }

    /** @return the sum of all device access counts. */
    public long totalAccessCount()
    {
        long sum = 0;
        for (final long c : counts)
        {
            sum += c;
        }
        return sum;
    }

    private boolean isRam(final long pa)
    {
        return pa >= RamBus.RAM_BASE && pa < ramEnd;
    }

    /** @return the index of the device whose window holds the whole access, or -1 after setting fault. */
    private int find(final long pa, final int size)
    {
        int lo = 0;
        int hi = bases.length - 1;
        while (lo <= hi)
        {
            final int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(bases[mid], pa) > 0)
            {
                hi = mid - 1;
            }
            else if (Long.compareUnsigned(ends[mid], pa) <= 0)
            {
                lo = mid + 1;
            }
            else
            {
                counts[mid]++;
                final long off = pa - bases[mid];
                if (Long.compareUnsigned(ends[mid] - pa, size) < 0 || !devices[mid].supports(off, size))
                {
                    fault = true;
                    return -1;
                }
                return mid;
            }
        }
        fault = true;
        return -1;
    }

    private long load(final long pa, final int size)
    {
        final int i = find(pa, size);
        return i < 0 ? 0 : devices[i].read(pa - bases[i], size);
    }

    private void store(final long pa, final int size, final long value)
    {
        final int i = find(pa, size);
        if (i >= 0)
        {
            devices[i].write(pa - bases[i], size, value);
        }
    }

    @Override
    public long load8(final long pa)
    {
        return isRam(pa) ? ram.load8(pa) : load(pa, 1);
    }

    @Override
    public long load16(final long pa)
    {
        return isRam(pa) ? ram.load16(pa) : load(pa, 2);
    }

    @Override
    public long load32(final long pa)
    {
        return isRam(pa) ? ram.load32(pa) : load(pa, 4);
    }

    @Override
    public long load64(final long pa)
    {
        return isRam(pa) ? ram.load64(pa) : load(pa, 8);
    }

    @Override
    public void store8(final long pa, final long value)
    {
        if (isRam(pa))
        {
            ram.store8(pa, value);
        }
        else
        {
            store(pa, 1, value);
        }
    }

    @Override
    public void store16(final long pa, final long value)
    {
        if (isRam(pa))
        {
            ram.store16(pa, value);
        }
        else
        {
            store(pa, 2, value);
        }
    }

    @Override
    public void store32(final long pa, final long value)
    {
        if (isRam(pa))
        {
            ram.store32(pa, value);
        }
        else
        {
            store(pa, 4, value);
        }
    }

    @Override
    public void store64(final long pa, final long value)
    {
        if (isRam(pa))
        {
            ram.store64(pa, value);
        }
        else
        {
            store(pa, 8, value);
        }
    }

    @Override
    public boolean takeFault()
    {
        // RAM accesses straddling RAM's end fault inside RamBus; collect both flags.
        final boolean f = ram.takeFault() | fault;
        fault = false;
        return f;
    }
}
