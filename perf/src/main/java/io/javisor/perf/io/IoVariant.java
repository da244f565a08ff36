package io.javisor.perf.io;

/**
 * One path from a guest to a disk that {@code bench io} measures (Java guest over PV, guest code over
 * virtio-blk or ATA on javisor, the same guest code on QEMU, ...). A variant is built once per run,
 * is driven from one thread, and holds its devices until closed.
 */
public interface IoVariant extends AutoCloseable
{
    /** The name in metrics, trace records and file names, e.g. {@code javisor_virtio}. */
    String key();

    /** One line for the table, e.g. "4 RISC-V guest -> virtio-blk (javisor)". */
    String label();

    /** Null when the variant can run here; else why not, one line (shown in its place in the table). */
    String unavailable();

    /** The deepest queue it is measured at: 1 for a QD1-only variant. */
    int deepestQueue();

    /** Where its latencies come from, e.g. "guest time CSR, 1 GHz". */
    String clock();

    /**
     * Prepares the variant with a disk of {@code diskBytes} (a multiple of 4 KiB) filled with the
     * pattern the guests check reads against.
     */
    void open(long diskBytes);

    /**
     * Issues {@code requests} one at a time in order (open loop: each timed one at its intended start
     * or, when late, as soon as the one before ended) and returns the timed ones.
     */
    VariantRun run(IoRequests requests);

    /**
     * Open loop at any depth up to {@link #deepestQueue()}: each timed request is issued at its
     * intended start, or as soon as a queue slot frees when that is later. QD1 variants issue in order
     * one at a time, which {@link #run} already does.
     */
    default VariantRun replay(final IoRequests requests)
    {
        return run(requests);
    }

    /**
     * Closed loop at {@code queueDepth} (up to {@link #deepestQueue()}) for {@code durationNs}: random
     * 4 KiB requests of one op, every one logged.
     */
    default DeepRun deep(final IoOp op, final int queueDepth, final long durationNs, final long seed)
    {
        throw new UnsupportedOperationException(key() + " runs at queue depth 1 only");
    }

    @Override
    void close();
}
