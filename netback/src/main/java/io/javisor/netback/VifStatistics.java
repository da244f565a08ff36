package io.javisor.netback;

/**
 * Counters of one vif's back end, written only by the serving agent (plain stores: no fence on
 * the packet path); other threads read them racily, which is fine for monitoring.
 */
public final class VifStatistics
{
    long txPackets;
    long txBytes;
    long txErrors;
    long txThrottled;
    long rxPackets;
    long rxBytes;
    long rxDroppedNoBuffer;
    long rxDroppedQueueFull;
    long rxDroppedTooBig;

    public long txPackets()
    {
        return txPackets;
    }

    public long txBytes()
    {
        return txBytes;
    }

    /** Packets the front end sent that were dropped with an error response (bad grant, bad sizes...). */
    public long txErrors()
    {
        return txErrors;
    }

    /** Times the transmit path stopped because the rate limiter had no tokens. */
    public long txThrottled()
    {
        return txThrottled;
    }

    public long rxPackets()
    {
        return rxPackets;
    }

    public long rxBytes()
    {
        return rxBytes;
    }

    /** Frames for this vif dropped because the front end had posted no receive buffer. */
    public long rxDroppedNoBuffer()
    {
        return rxDroppedNoBuffer;
    }

    /** Frames from another agent's vif dropped because this vif's hand-over queue was full. */
    public long rxDroppedQueueFull()
    {
        return rxDroppedQueueFull;
    }

    public long rxDroppedTooBig()
    {
        return rxDroppedTooBig;
    }

    @Override
    public String toString()
    {
        return "tx=" + txPackets + "/" + txBytes + "B txErrors=" + txErrors + " txThrottled=" + txThrottled +
            " rx=" + rxPackets + "/" + rxBytes + "B rxNoBuffer=" + rxDroppedNoBuffer +
            " rxQueueFull=" + rxDroppedQueueFull + " rxTooBig=" + rxDroppedTooBig;
    }
}
