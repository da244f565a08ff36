package io.javisor.perf.io;

import io.javisor.emulation.guests.DiskIoResults;

/**
 * One disk-io guest run: the results in guest ticks, the guest clock's rate, the exits the timed part
 * took (NaN where the board cannot count them) and whether the guest's instret counts instructions.
 * Immutable.
 */
public record GuestRun(DiskIoResults results, long timebaseHz, double exits, boolean instructionsCounted)
{
    /** Guest ticks to ns. */
    public long nanos(final long ticks)
    {
        return Math.round(ticks * 1e9 / timebaseHz);
    }
}
