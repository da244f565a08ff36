package io.javisor.perf.io;

import io.javisor.emulation.guests.DiskIoJob;

/**
 * Runs a disk-io guest ELF ({@code emulation/guests/src/disk-io.c} built against some disk driver)
 * with one job on one kind of board or domain, against a disk of its own that it fills with the
 * pattern the guest checks reads against. A new domain type plugs into {@code bench io} as another
 * launcher with its guest ELF: the job protocol and the results are the same. Driven from one thread.
 */
public interface GuestLauncher extends AutoCloseable
{
    /** Null when {@code guest} can run here; else why not, one line. */
    String unavailable(String guest);

    /** Where the guest's clock comes from and its rate, e.g. "guest time CSR, 1 GHz". */
    String clock();

    /** The rate of the guest's clock (its time CSR), ticks per second. */
    long timebaseHz();

    /** Creates and fills the disk (a multiple of 4 KiB). */
    void open(long diskBytes);

    /**
     * Boots {@code guest} with {@code job}, runs it to its end and returns what it recorded.
     *
     * @throws IllegalStateException when the guest did not finish the job (the message carries its console's end)
     */
    GuestRun run(String guest, DiskIoJob job);

    /**
     * How many requests a closed loop at the deepest queue should take to last about
     * {@code durationNs} here: sized for javisor's ~500 k requests/s (at least 1,024, at most 200,000).
     */
    default int deepRequests(final long durationNs)
    {
        return (int)Math.max(1024, Math.min(200_000, durationNs / 2_000));
    }

    @Override
    void close();
}
