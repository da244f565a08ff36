package io.javisor.perf.io;

/**
 * One path from a guest to the bench's bridge that {@code bench io} measures on the network side:
 * 64-byte round trips to {@link NetEchoPeer} and frame streams it counts. Built once per run on the
 * net section's hypervisor, driven from one thread.
 */
interface NetVariant extends AutoCloseable
{
    /** The name in metrics and file names, e.g. {@code javisor_virtio}. */
    String key();

    /** One line for the table. */
    String label();

    /** Null when the variant can run here; else why not, one line. */
    String unavailable();

    /**
     * {@code warmup} untimed and {@code pings} timed round trips, then a stream of {@code streamFrames}
     * frames of {@code streamLength} bytes (none when 0).
     */
    NetRun run(int warmup, int pings, int streamFrames, int streamLength);

    @Override
    void close();
}
