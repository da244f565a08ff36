package io.javisor.emulation.device.virtionet;

/**
 * Counters of one virtio-net device. {@link #ios()} (frames sent plus frames received) over the
 * transport's register exits gives the exits per IO.
 * <p>
 * Two writers, one per counter: {@link #rxQueueFull()} is written by the bridge's forwarding thread
 * (the role passes between threads with a happens-before edge, so it stays a single-writer chain);
 * every other counter by the vCPU thread. Other threads read recent values.
 */
public final class VirtioNetStatistics
{
    volatile long txFrames;
    volatile long txBytes;
    volatile long txDropped;
    volatile long rxFrames;
    volatile long rxBytes;
    volatile long rxDropped;
    volatile long rxQueueFull;
    volatile long rxBuffersUsed;

    public long ios()
    {
        return txFrames + rxFrames;
    }

    /** @return frames handed to the bridge. */
    public long txFrames()
    {
        return txFrames;
    }

    public long txBytes()
    {
        return txBytes;
    }

    /** @return frames the guest sent that were malformed (shorter than an Ethernet header, too long) or that the bridge's queue could not take. */
    public long txDropped()
    {
        return txDropped;
    }

    /** @return frames copied into the guest's receive buffers. */
    public long rxFrames()
    {
        return rxFrames;
    }

    public long rxBytes()
    {
        return rxBytes;
    }

    /** @return frames dropped because the guest's receive buffers were too small for them. */
    public long rxDropped()
    {
        return rxDropped;
    }

    /** @return frames refused on the forwarding thread because the device's receive queue was full (or the frame too long). */
    public long rxQueueFull()
    {
        return rxQueueFull;
    }

    /** @return receive buffers (chains) used: more than rxFrames with mergeable buffers. */
    public long rxBuffersUsed()
    {
        return rxBuffersUsed;
    }

    @Override
    public String toString()
    {
        return "tx=" + txFrames + " (" + txBytes + " B, dropped " + txDropped + ") rx=" + rxFrames + " (" + rxBytes +
            " B, dropped " + rxDropped + ", queue full " + rxQueueFull + ")";
    }
}
