package io.javisor.emulation.guests;

/**
 * What a disk-io guest recorded for the timed requests of a {@link DiskIoJob}, in guest ticks after
 * the timed part began (the board's time base converts them): each request's start and end, the
 * instructions it retired, its status; and the driver's own count of device register accesses and
 * of interrupts over the timed part. Immutable once built; arrays are not copied on access.
 */
public record DiskIoResults(DiskIoJob job, long[] start, long[] end, long[] instructions, int[] status, long driverExits,
    long interrupts)
{
    static DiskIoResults of(final DiskIoJob job, final long[] start, final long[] end, final long[] instructions,
        final int[] status, final long driverExits, final long interrupts)
    {
        for (int i = 0; i < start.length; i++)
        {
            // Validated once: a timed request starts at or after the timed part began and ends after it starts.
            if (end[i] < start[i] || start[i] < 0)
            {
                throw new IllegalArgumentException("timed request " + i + " ends (" + end[i] + ") before it starts (" +
                    start[i] + ")");
            }
        }
        return new DiskIoResults(job, start, end, instructions, status, driverExits, interrupts);
    }

    public int count()
    {
        return start.length;
    }

    /** Timed requests whose status is not 0. */
    public int failures()
    {
        int n = 0;
        for (final int s : status)
        {
            n += s != 0 ? 1 : 0;
        }
        return n;
    }
}
