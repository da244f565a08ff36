package io.javisor.emulation.device.lan9118;

import io.javisor.memory.stats.SingleWriterCounters;

/**
 * Counters of one emulated LAN9118, readable from any thread.
 * <p>
 * <b>Single writers.</b> Every counter but one is written only by the vCPU thread running the
 * guest's register accesses (plain read of its own value, release store). {@link #rxDroppedHostQueueFull()}
 * is written by the bridge's forwarding thread, whichever thread holds that role (an atomic add,
 * since the role can move). Readers load with acquire: whole, recent values, not a snapshot.
 */
public final class Lan9118Statistics
{
    static final int REGISTER_READS = 0;
    static final int REGISTER_WRITES = 1;
    static final int TX_FRAMES = 2;
    static final int TX_BYTES = 3;
    static final int TX_ERRORS = 4;
    static final int TX_DROPPED_BRIDGE = 5;
    static final int RX_FRAMES = 6;
    static final int RX_BYTES = 7;
    static final int RX_DROPPED_FILTER = 8;
    static final int RX_DROPPED_FIFO_FULL = 9;
    static final int RX_DROPPED_DISABLED = 10;
    static final int RX_UNDERFLOWS = 11;
    /** Written by the forwarding thread; its own cache line. */
    static final int RX_DROPPED_HOST_QUEUE_FULL = 16;
    private static final int LENGTH = 24;

    private final SingleWriterCounters counters = new SingleWriterCounters(LENGTH);

    void increment(final int id)
    {
        counters.increment(id);
    }

    void add(final int id, final long delta)
    {
        counters.add(id, delta);
    }

    void incrementAtomic(final int id)
    {
        counters.incrementFromAnyThread(id);
    }

    private long get(final int id)
    {
        return counters.get(id);
    }

    public long registerReads()
    {
        return get(REGISTER_READS);
    }

    public long registerWrites()
    {
        return get(REGISTER_WRITES);
    }

    /** Every trap into the device. */
    public long exits()
    {
        return registerReads() + registerWrites();
    }

    /** Frames sent to the bridge (or looped back). */
    public long txFrames()
    {
        return get(TX_FRAMES);
    }

    public long txBytes()
    {
        return get(TX_BYTES);
    }

    /** Frames the guest built wrongly (length mismatch, too long, command sequence): status with ES. */
    public long txErrors()
    {
        return get(TX_ERRORS);
    }

    /** Frames the bridge's hand-over queue refused. */
    public long txDroppedBridge()
    {
        return get(TX_DROPPED_BRIDGE);
    }

    /** Frames moved into the RX FIFOs. */
    public long rxFrames()
    {
        return get(RX_FRAMES);
    }

    public long rxBytes()
    {
        return get(RX_BYTES);
    }

    public long rxDroppedFilter()
    {
        return get(RX_DROPPED_FILTER);
    }

    /** Frames dropped because the guest had not drained the RX FIFOs. */
    public long rxDroppedFifoFull()
    {
        return get(RX_DROPPED_FIFO_FULL);
    }

    /** Frames dropped because MAC_CR.RXEN was clear. */
    public long rxDroppedDisabled()
    {
        return get(RX_DROPPED_DISABLED);
    }

    /** Frames the bridge offered while the host-side queue was full (forwarding thread). */
    public long rxDroppedHostQueueFull()
    {
        return get(RX_DROPPED_HOST_QUEUE_FULL);
    }

    /** RX data FIFO reads with nothing to read. */
    public long rxUnderflows()
    {
        return get(RX_UNDERFLOWS);
    }

    /** IOs: frames sent plus frames received. */
    public long ios()
    {
        return txFrames() + rxFrames();
    }

    /** Exits per frame so far, or 0 before the first. */
    public double exitsPerIo()
    {
        final long ios = ios();
        return ios == 0 ? 0 : (double)exits() / ios;
    }

    @Override
    public String toString()
    {
        return "Lan9118Statistics{exits=" + exits() + ", txFrames=" + txFrames() + ", rxFrames=" + rxFrames() +
            ", txErrors=" + txErrors() + ", rxDroppedFilter=" + rxDroppedFilter() + ", rxDroppedFifoFull=" +
            rxDroppedFifoFull() + ", rxDroppedHostQueueFull=" + rxDroppedHostQueueFull() + "}";
    }
}
