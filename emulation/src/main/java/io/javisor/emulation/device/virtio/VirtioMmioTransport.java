package io.javisor.emulation.device.virtio;

import io.javisor.emulation.board.IrqLine;
import io.javisor.emulation.board.MmioDevice;
import io.javisor.memory.log.HostLog;

import static io.javisor.emulation.device.virtio.VirtioMmioDescriptor.*;

/**
 * The virtio-mmio version 2 register interface (virtio 1.x, 4.2.2) in front of one
 * {@link VirtioDevice}: identification, feature negotiation (VERSION_1 required), the status
 * sequence with reset by writing 0, queue setup, notification, the interrupt status and its
 * acknowledgement, and the configuration space with its generation counter.
 * <p>
 * <b>Threading: single writer, the vCPU thread</b>: every register access, every queue operation
 * and the board's {@link #poll} run on the thread of the machine this transport is mapped into.
 * Only {@link #statistics()} may be read elsewhere.
 * <p>
 * A driver mistake the spec lets the device detect (a malformed chain, an invalid queue setup, a
 * notify of a queue that is not ready, DRIVER_OK without FEATURES_OK) sets DEVICE_NEEDS_RESET, raises
 * the configuration-change interrupt and writes one line to the {@link HostLog}; from then on the
 * device processes nothing until the driver resets it. No guest input makes a method here throw.
 */
public final class VirtioMmioTransport implements MmioDevice
{
    private static final long TRANSPORT_FEATURES = 1L << F_VERSION_1 | 1L << F_RING_INDIRECT_DESC;

    private final VirtioDevice device;
    private final GuestRam ram;
    private final IrqLine irq;
    private final HostLog log;
    private final String logKey;
    private final SplitVirtqueue[] queues;
    private final int[] queueNum;
    private final long[] queueDesc;
    private final long[] queueAvail;
    private final long[] queueUsed;
    private final long offeredFeatures;
    private final VirtioMmioStatistics statistics = new VirtioMmioStatistics();

    private int status;
    private boolean needsReset;
    private int deviceFeaturesSel;
    private int driverFeaturesSel;
    private long driverFeatures;
    private int queueSel;
    private int interruptStatus;
    private int configGeneration;

    /**
     * @param ram    the guest's RAM, which the queues live in
     * @param device the device model
     * @param irq    the interrupt line (a PLIC source)
     * @param log    where device errors go, rate limited ({@link HostLog#HOST} normally)
     * @param name   a name for log lines, e.g. {@code virtio-blk@10001000}
     */
    public VirtioMmioTransport(final GuestRam ram, final VirtioDevice device, final IrqLine irq, final HostLog log,
        final String name)
    {
        this.device = device;
        this.ram = ram;
        this.irq = irq;
        this.log = log;
        this.logKey = name;
        final int n = device.queueCount();
        this.queues = new SplitVirtqueue[n];
        for (int i = 0; i < n; i++)
        {
            queues[i] = new SplitVirtqueue(this, ram, i, device.queueNumMax());
        }
        this.queueNum = new int[n];
        this.queueDesc = new long[n];
        this.queueAvail = new long[n];
        this.queueUsed = new long[n];
        this.offeredFeatures = device.deviceFeatures() | TRANSPORT_FEATURES;
        device.attach(this);
    }

    public VirtioDevice device()
    {
        return device;
    }

    public GuestRam ram()
    {
        return ram;
    }

    public VirtioMmioStatistics statistics()
    {
        return statistics;
    }

    public String name()
    {
        return logKey;
    }

    public SplitVirtqueue queue(final int index)
    {
        return queues[index];
    }

    /** @return the Status register as the driver reads it. */
    public int status()
    {
        return status | (needsReset ? STATUS_DEVICE_NEEDS_RESET : 0);
    }

    /** @return whether the driver set DRIVER_OK and the device is not waiting for a reset. */
    public boolean isLive()
    {
        return (status & STATUS_DRIVER_OK) != 0 && !needsReset;
    }

    public boolean needsReset()
    {
        return needsReset;
    }

    public long offeredFeatures()
    {
        return offeredFeatures;
    }

    /** @return whether the driver accepted feature {@code bit} (meaningful from FEATURES_OK on). */
    public boolean driverHasFeature(final int bit)
    {
        return (driverFeatures & 1L << bit) != 0;
    }

    public int interruptStatus()
    {
        return interruptStatus;
    }

    @Override
    public long size()
    {
        return WINDOW_SIZE;
    }

    /** The registers take aligned 32-bit accesses; the configuration space takes any aligned 1, 2, 4 or 8 bytes. */
    @Override
    public boolean supports(final long offset, final int size)
    {
        return supportsAccess(offset, size);
    }

    /** What {@link #supports} answers for every transport: the window's shape does not depend on the device. */
    public static boolean supportsAccess(final long offset, final int size)
    {
        if ((offset & (size - 1)) != 0)
        {
            return false;
        }
        return offset >= CONFIG || size == 4;
    }

    /**
     * The device found a driver error: DEVICE_NEEDS_RESET, a configuration-change interrupt, one log
     * line. Only the first error until the next reset is logged.
     */
    public void deviceError(final String reason)
    {
        if (needsReset)
        {
            return;
        }
        needsReset = true;
        statistics.deviceErrors++;
        log.emit(logKey, "device needs reset", reason);
        if ((status & STATUS_DRIVER_OK) != 0)
        {
            raise(INTERRUPT_CONFIG_CHANGE);
        }
    }

    /**
     * The device put buffers into queue {@code queue}'s used ring: interrupt unless the driver
     * suppressed it for that queue.
     */
    public void usedBuffers(final int queue)
    {
        if (!queues[queue].interruptSuppressed())
        {
            raise(INTERRUPT_USED_BUFFER);
        }
    }

    /** The device changed its configuration space: new generation and a configuration-change interrupt. */
    public void configChanged()
    {
        configGeneration++;
        if ((status & STATUS_DRIVER_OK) != 0)
        {
            raise(INTERRUPT_CONFIG_CHANGE);
        }
    }

    private void raise(final int bits)
    {
        final boolean wasLow = interruptStatus == 0;
        interruptStatus |= bits;
        statistics.interrupts++;
        if (wasLow)
        {
            irq.set(true);
        }
    }

    /** The board's poll between instruction slices (vCPU thread): lets the device move asynchronous data. */
    public void poll()
    {
        if (isLive())
        {
            device.poll();
        }
    }

    /** Back to the state after power-on, as a write of 0 to Status does. */
    public void reset()
    {
        status = 0;
        needsReset = false;
        deviceFeaturesSel = 0;
        driverFeaturesSel = 0;
        driverFeatures = 0;
        queueSel = 0;
        for (int i = 0; i < queues.length; i++)
        {
            queues[i].reset();
            queueNum[i] = 0;
            queueDesc[i] = queueAvail[i] = queueUsed[i] = 0;
        }
        if (interruptStatus != 0)
        {
            interruptStatus = 0;
            irq.set(false);
        }
        device.reset();
    }

    @Override
    public long read(final long offset, final int size)
    {
        statistics.registerReads++;
        if (offset >= CONFIG)
        {
            final int at = (int)(offset - CONFIG);
            if (at + size > device.configSize())
            {
                return 0;
            }
            return device.readConfig(at, size);
        }
        final int q = queueSel;
        final boolean queueExists = q >= 0 && q < queues.length;
        return switch ((int)offset)
        {
            case MAGIC_VALUE -> MAGIC;
            case VERSION -> VERSION_2;
            case DEVICE_ID -> device.deviceId();
            case VENDOR_ID -> VENDOR & 0xFFFF_FFFFL;
            case DEVICE_FEATURES -> deviceFeaturesSel == 0 ? offeredFeatures & 0xFFFF_FFFFL
                : deviceFeaturesSel == 1 ? offeredFeatures >>> 32 : 0;
            case QUEUE_NUM_MAX -> queueExists ? device.queueNumMax() : 0;
            case QUEUE_READY -> queueExists && queues[q].isReady() ? 1 : 0;
            case INTERRUPT_STATUS -> interruptStatus;
            case STATUS -> status();
            case QUEUE_DESC_LOW -> queueExists ? queueDesc[q] & 0xFFFF_FFFFL : 0;
            case QUEUE_DESC_HIGH -> queueExists ? queueDesc[q] >>> 32 : 0;
            case QUEUE_DRIVER_LOW -> queueExists ? queueAvail[q] & 0xFFFF_FFFFL : 0;
            case QUEUE_DRIVER_HIGH -> queueExists ? queueAvail[q] >>> 32 : 0;
            case QUEUE_DEVICE_LOW -> queueExists ? queueUsed[q] & 0xFFFF_FFFFL : 0;
            case QUEUE_DEVICE_HIGH -> queueExists ? queueUsed[q] >>> 32 : 0;
            // No shared memory regions: a length of all ones says "none" (4.2.2).
            case SHM_LEN_LOW, SHM_LEN_HIGH, SHM_BASE_LOW, SHM_BASE_HIGH -> 0xFFFF_FFFFL;
            case CONFIG_GENERATION -> configGeneration & 0xFFFF_FFFFL;
            default -> 0; // write-only and reserved registers read as 0
        };
    }

    @Override
    public void write(final long offset, final int size, final long value)
    {
        statistics.registerWrites++;
        if (offset >= CONFIG)
        {
            final int at = (int)(offset - CONFIG);
            if (at + size <= device.configSize())
            {
                device.writeConfig(at, size, value);
            }
            return;
        }
        final int v = (int)value;
        final int q = queueSel;
        final boolean configurable = q >= 0 && q < queues.length && !queues[q].isReady();
        switch ((int)offset)
        {
            case DEVICE_FEATURES_SEL -> deviceFeaturesSel = v;
            case DRIVER_FEATURES_SEL -> driverFeaturesSel = v;
            case DRIVER_FEATURES ->
            {
                // Features are fixed once FEATURES_OK is set; selectors beyond 1 select nothing.
                if ((status & STATUS_FEATURES_OK) == 0 && (driverFeaturesSel == 0 || driverFeaturesSel == 1))
                {
                    final int shift = driverFeaturesSel * 32;
                    driverFeatures = driverFeatures & ~(0xFFFF_FFFFL << shift) | (value & 0xFFFF_FFFFL) << shift;
                }
            }
            case QUEUE_SEL -> queueSel = v;
            case QUEUE_NUM ->
            {
                if (configurable)
                {
                    queueNum[q] = v;
                }
            }
            case QUEUE_DESC_LOW -> setLow(queueDesc, q, configurable, value);
            case QUEUE_DESC_HIGH -> setHigh(queueDesc, q, configurable, value);
            case QUEUE_DRIVER_LOW -> setLow(queueAvail, q, configurable, value);
            case QUEUE_DRIVER_HIGH -> setHigh(queueAvail, q, configurable, value);
            case QUEUE_DEVICE_LOW -> setLow(queueUsed, q, configurable, value);
            case QUEUE_DEVICE_HIGH -> setHigh(queueUsed, q, configurable, value);
            case QUEUE_READY -> writeQueueReady(q, v);
            case QUEUE_NOTIFY -> notify(v);
            case INTERRUPT_ACK ->
            {
                if (interruptStatus != 0)
                {
                    interruptStatus &= ~v;
                    if (interruptStatus == 0)
                    {
                        irq.set(false);
                    }
                }
            }
            case STATUS -> writeStatus(v & 0xFF);
            default ->
            {
                // Read-only and reserved registers ignore writes.
            }
        }
    }

    private static void setLow(final long[] reg, final int q, final boolean configurable, final long value)
    {
        if (configurable)
        {
            reg[q] = reg[q] & 0xFFFF_FFFF_0000_0000L | value & 0xFFFF_FFFFL;
        }
    }

    private static void setHigh(final long[] reg, final int q, final boolean configurable, final long value)
    {
        if (configurable)
        {
            reg[q] = reg[q] & 0xFFFF_FFFFL | value << 32;
        }
    }

    private void writeQueueReady(final int q, final int v)
    {
        if (q < 0 || q >= queues.length)
        {
            return;
        }
        if (v == 0)
        {
            queues[q].disable();
            return;
        }
        if (queues[q].isReady() || needsReset)
        {
            return;
        }
        final String problem = queues[q].enable(queueNum[q], queueDesc[q], queueAvail[q], queueUsed[q]);
        if (problem != null)
        {
            deviceError(problem);
        }
    }

    private void notify(final int v)
    {
        statistics.notifies++;
        // With VIRTIO_F_NOTIFICATION_DATA (not offered) the high half would carry more; the low 16 bits are the queue.
        final int q = v & 0xFFFF;
        if (needsReset)
        {
            return;
        }
        if (q >= queues.length || !queues[q].isReady())
        {
            deviceError("notify of queue " + q + ", which " + (q >= queues.length ? "does not exist" : "is not ready"));
            return;
        }
        if ((status & STATUS_DRIVER_OK) != 0)
        {
            device.queueNotify(q);
        }
        // Before DRIVER_OK the device must not use buffers; activate() will look at the queues.
    }

    private void writeStatus(final int v)
    {
        if (v == 0)
        {
            statistics.resets++;
            reset();
            return;
        }
        // The device's own bit is not the driver's to set or clear.
        int next = v & ~STATUS_DEVICE_NEEDS_RESET;
        if ((next & STATUS_FEATURES_OK) != 0 && (status & STATUS_FEATURES_OK) == 0)
        {
            final boolean subset = (driverFeatures & ~offeredFeatures) == 0;
            if (!subset || !driverHasFeature(F_VERSION_1))
            {
                // Leave FEATURES_OK clear: the driver reads it back and gives up (3.1.1).
                log.emit(logKey, "features refused", String.format("driver wants 0x%x, device offers 0x%x%s",
                    driverFeatures, offeredFeatures, driverHasFeature(F_VERSION_1) ? "" : " (VERSION_1 missing)"));
                next &= ~STATUS_FEATURES_OK;
            }
        }
        final boolean goingLive = (next & STATUS_DRIVER_OK) != 0 && (status & STATUS_DRIVER_OK) == 0;
        if (goingLive && (next & STATUS_FEATURES_OK) == 0)
        {
            status = next & ~STATUS_DRIVER_OK;
            deviceError("DRIVER_OK set without FEATURES_OK");
            return;
        }
        status = next;
        if (goingLive && !needsReset)
        {
            device.activate();
        }
    }
}
