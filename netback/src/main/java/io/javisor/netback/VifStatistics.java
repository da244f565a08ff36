package io.javisor.netback;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Counters of one vif's back end, readable from any thread.
 * <p>
 * <b>Single writers.</b> Every counter but one is written only by the {@link NetBackend} agent serving
 * the vif; {@link #rxDroppedQueueFull()} only by the bridge's forwarding thread when that is another
 * thread (it counts frames it could not hand over to this vif's agent). Each write is a plain read of
 * the writer's own last value and a release store, so a reader's acquire load sees a whole, recent
 * value (no tearing, no stale cache) and costs the packet path no fence on x86 or ARMv8. The counters
 * are independent: reading several is not a snapshot of one instant.
 */
public final class VifStatistics
{
    static final int TX_PACKETS = 0;
    static final int TX_BYTES = 1;
    static final int TX_ERRORS = 2;
    static final int TX_THROTTLED = 3;
    static final int RX_PACKETS = 4;
    static final int RX_BYTES = 5;
    static final int RX_DROPPED_NO_BUFFER = 6;
    static final int RX_DROPPED_QUEUE_FULL = 7;
    static final int RX_DROPPED_TOO_BIG = 8;
    private static final int COUNT = 9;
    /** Counters 8 longs (a cache line) apart, so the two writers never share a line. */
    private static final int STRIDE = 8;

    private static final VarHandle VALUES = MethodHandles.arrayElementVarHandle(long[].class);

    private final long[] values = new long[COUNT * STRIDE];

    void increment(final int id)
    {
        add(id, 1);
    }

    void add(final int id, final long delta)
    {
        final int index = id * STRIDE;
        // Plain read: only this counter's single writer stores here. Release store: see the class comment.
        VALUES.setRelease(values, index, values[index] + delta);
    }

    private long get(final int id)
    {
        return (long)VALUES.getAcquire(values, id * STRIDE);
    }

    public long txPackets()
    {
        return get(TX_PACKETS);
    }

    public long txBytes()
    {
        return get(TX_BYTES);
    }

    /** Packets the front end sent that were dropped with an error response (bad grant, bad sizes...). */
    public long txErrors()
    {
        return get(TX_ERRORS);
    }

    /** Times the transmit path stopped because the rate limiter had no tokens. */
    public long txThrottled()
    {
        return get(TX_THROTTLED);
    }

    public long rxPackets()
    {
        return get(RX_PACKETS);
    }

    public long rxBytes()
    {
        return get(RX_BYTES);
    }

    /** Frames for this vif dropped because the front end had posted no receive buffer. */
    public long rxDroppedNoBuffer()
    {
        return get(RX_DROPPED_NO_BUFFER);
    }

    /** Frames from the bridge's forwarding thread dropped because this vif's hand-over queue was full. */
    public long rxDroppedQueueFull()
    {
        return get(RX_DROPPED_QUEUE_FULL);
    }

    public long rxDroppedTooBig()
    {
        return get(RX_DROPPED_TOO_BIG);
    }

    @Override
    public String toString()
    {
        return "tx=" + txPackets() + "/" + txBytes() + "B txErrors=" + txErrors() + " txThrottled=" + txThrottled() +
            " rx=" + rxPackets() + "/" + rxBytes() + "B rxNoBuffer=" + rxDroppedNoBuffer() +
            " rxQueueFull=" + rxDroppedQueueFull() + " rxTooBig=" + rxDroppedTooBig();
    }
}
