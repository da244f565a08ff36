package io.javisor.netback.bridge;

import io.javisor.memory.stats.SingleWriterCounters;

/**
 * A port as the bridge holds it: the {@link BridgePort}, its number, its counters and whether it
 * is still attached. A new object per attach, so a MAC table entry that refers to it can never
 * be taken for a later port that reuses the number.
 * <p>
 * Single writer: the bridge's forwarding thread writes every field; {@code attached} and the counters
 * are read from other threads too.
 */
final class AttachedPort
{
    static final int RECEIVED = 0;
    static final int DELIVERED = 1;
    static final int REFUSED = 2;

    final BridgePort port;
    final int number;
    final SingleWriterCounters counters = new SingleWriterCounters(3);
    /** MAC table entries pointing here; forwarding thread only. */
    int learnedMacs;
    /** Cleared by the forwarding thread's detach before the port leaves the published array; volatile for readers elsewhere. */
    private volatile boolean attached = true;

    AttachedPort(final BridgePort port, final int number)
    {
        this.port = port;
        this.number = number;
    }

    boolean isAttached()
    {
        return attached;
    }

    void markDetached()
    {
        attached = false;
    }
}
