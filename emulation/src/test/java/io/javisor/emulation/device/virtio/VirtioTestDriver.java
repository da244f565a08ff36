package io.javisor.emulation.device.virtio;

import io.javisor.emulation.cpu.RamBus;
import io.javisor.memory.FrameAllocator;
import io.javisor.memory.GuestMemory;
import io.javisor.memory.MachineMemory;
import io.javisor.memory.log.HostLog;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.javisor.emulation.device.virtio.VirtioMmioDescriptor.*;

/**
 * A virtio driver written in Java for the device tests: guest RAM of its own, the transport's
 * registers, rings at fixed places, a bump allocator for buffers, and raw access for hostile tests.
 * Queue q's descriptor table is at {@link #descPa}, its available ring 4 KiB above, its used ring
 * 8 KiB above. Not thread-safe.
 */
public final class VirtioTestDriver implements AutoCloseable
{
    public static final int RAM_FRAMES = 512; // 2 MiB
    public static final long RAM_END = RamBus.RAM_BASE + RAM_FRAMES * 4096L;
    private static final long BUFFERS = RamBus.RAM_BASE + 0x10_0000;

    public final MachineMemory machine;
    public final GuestMemory memory;
    public final GuestRam ram;
    public final VirtioMmioTransport transport;
    public final List<String> logLines = new CopyOnWriteArrayList<>();
    public boolean irq;
    public int irqRaises;
    private long nextBuffer = BUFFERS;
    private final int[] nextDesc = new int[8];
    private final int[] availIdx = new int[8];
    private final int[] queueSize = new int[8];

    public VirtioTestDriver(final VirtioDevice device)
    {
        machine = MachineMemory.anonymous(RAM_FRAMES);
        final FrameAllocator allocator = new FrameAllocator(machine);
        allocator.setQuota(1, RAM_FRAMES);
        memory = GuestMemory.allocate(allocator, 1, RAM_FRAMES);
        ram = new GuestRam(memory);
        final HostLog log = new HostLog(line -> logLines.add(line), 1000, System::nanoTime);
        transport = new VirtioMmioTransport(ram, device, level ->
        {
            if (level && !irq)
            {
                irqRaises++;
            }
            irq = level;
        }, log, "test-" + device.name());
    }

    public long read(final int reg)
    {
        return transport.read(reg, 4);
    }

    public void write(final int reg, final long value)
    {
        transport.write(reg, 4, value & 0xFFFF_FFFFL);
    }

    public long deviceFeatures()
    {
        write(DEVICE_FEATURES_SEL, 0);
        final long low = read(DEVICE_FEATURES);
        write(DEVICE_FEATURES_SEL, 1);
        return read(DEVICE_FEATURES) << 32 | low;
    }

    /** Reset, ACKNOWLEDGE, DRIVER, features, FEATURES_OK. @return whether FEATURES_OK stuck. */
    public boolean negotiate(final long features)
    {
        write(STATUS, 0);
        write(STATUS, STATUS_ACKNOWLEDGE);
        write(STATUS, STATUS_ACKNOWLEDGE | STATUS_DRIVER);
        write(DRIVER_FEATURES_SEL, 0);
        write(DRIVER_FEATURES, features);
        write(DRIVER_FEATURES_SEL, 1);
        write(DRIVER_FEATURES, features >>> 32);
        write(STATUS, STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK);
        return (read(STATUS) & STATUS_FEATURES_OK) != 0;
    }

    public void driverOk()
    {
        write(STATUS, read(STATUS) | STATUS_DRIVER_OK);
    }

    /** Negotiate everything offered, set up every queue with {@code size}, DRIVER_OK. */
    public VirtioTestDriver start(final long features, final int queues, final int size)
    {
        if (!negotiate(features))
        {
            throw new AssertionError("features refused");
        }
        for (int q = 0; q < queues; q++)
        {
            setupQueue(q, size);
        }
        driverOk();
        return this;
    }

    public static long descPa(final int q)
    {
        return RamBus.RAM_BASE + 0x1_0000L * (q + 1);
    }

    public static long availPa(final int q)
    {
        return descPa(q) + 0x1000;
    }

    public static long usedPa(final int q)
    {
        return descPa(q) + 0x2000;
    }

    public void setupQueue(final int q, final int size)
    {
        setupQueue(q, size, descPa(q), availPa(q), usedPa(q));
    }

    public void setupQueue(final int q, final int size, final long desc, final long avail, final long used)
    {
        // As a driver does: fresh, zeroed rings.
        for (long a = descPa(q); a < descPa(q) + 0x3000; a += 8)
        {
            memory.putLong(off(a), 0);
        }
        write(QUEUE_SEL, q);
        write(QUEUE_NUM, size);
        write(QUEUE_DESC_LOW, desc);
        write(QUEUE_DESC_HIGH, desc >>> 32);
        write(QUEUE_DRIVER_LOW, avail);
        write(QUEUE_DRIVER_HIGH, avail >>> 32);
        write(QUEUE_DEVICE_LOW, used);
        write(QUEUE_DEVICE_HIGH, used >>> 32);
        write(QUEUE_READY, 1);
        queueSize[q] = size;
        nextDesc[q] = 0;
        availIdx[q] = 0;
    }

    public long alloc(final int length)
    {
        final long pa = nextBuffer;
        nextBuffer = (nextBuffer + length + 15) & ~15L;
        if (nextBuffer > RAM_END)
        {
            nextBuffer = BUFFERS;
            return alloc(length);
        }
        return pa;
    }

    public long off(final long pa)
    {
        return pa - RamBus.RAM_BASE;
    }

    /** A buffer segment of a chain. */
    public record Seg(long pa, long len, boolean write)
    {
        public static Seg in(final long pa, final long len)
        {
            return new Seg(pa, len, false);
        }

        public static Seg out(final long pa, final long len)
        {
            return new Seg(pa, len, true);
        }
    }

    /** Writes descriptor {@code index} of queue q's table. */
    public void putDesc(final int q, final int index, final long addr, final long len, final int flags, final int next)
    {
        final long at = off(descPa(q)) + (long)DESC_SIZE * index;
        memory.putLong(at + DESC_ADDR, addr);
        memory.putInt(at + DESC_LEN, (int)len);
        memory.putShort(at + DESC_FLAGS, (short)flags);
        memory.putShort(at + DESC_NEXT, (short)next);
    }

    /** Makes {@code head} available on queue q (ring entry and idx). */
    public void publish(final int q, final int head)
    {
        final int size = queueSize[q];
        memory.putShort(off(availPa(q)) + AVAIL_RING + 2L * (availIdx[q] & (size - 1)), (short)head);
        availIdx[q] = (availIdx[q] + 1) & 0xFFFF;
        memory.putShort(off(availPa(q)) + AVAIL_IDX, (short)availIdx[q]);
    }

    /** Writes a chain into free descriptors and publishes it. @return its head. */
    public int addChain(final int q, final Seg... segs)
    {
        final int size = queueSize[q];
        final int head = nextDesc[q];
        for (int i = 0; i < segs.length; i++)
        {
            final int index = (head + i) % size;
            final boolean last = i == segs.length - 1;
            putDesc(q, index, segs[i].pa(), segs[i].len(), (segs[i].write() ? DESC_F_WRITE : 0) | (last ? 0 : DESC_F_NEXT),
                last ? 0 : (index + 1) % size);
        }
        nextDesc[q] = (head + segs.length) % size;
        publish(q, head);
        return head;
    }

    public void notify(final int q)
    {
        write(QUEUE_NOTIFY, q);
    }

    public int usedIdx(final int q)
    {
        return memory.getShort(off(usedPa(q)) + USED_IDX) & 0xFFFF;
    }

    public int usedId(final int q, final int i)
    {
        return memory.getInt(off(usedPa(q)) + USED_RING + (long)USED_ELEM_SIZE * (i & (queueSize[q] - 1)));
    }

    public long usedLen(final int q, final int i)
    {
        return memory.getInt(off(usedPa(q)) + USED_RING + (long)USED_ELEM_SIZE * (i & (queueSize[q] - 1)) + 4) & 0xFFFF_FFFFL;
    }

    public void ack()
    {
        write(INTERRUPT_ACK, read(INTERRUPT_STATUS));
    }

    public boolean needsReset()
    {
        return (read(STATUS) & STATUS_DEVICE_NEEDS_RESET) != 0;
    }

    @Override
    public void close()
    {
        memory.close();
        machine.close();
    }
}
