package io.javisor.perf.io;

import io.javisor.emulation.guests.DiskIoJob;
import io.javisor.emulation.guests.DiskIoJobDescriptor;
import io.javisor.emulation.guests.DiskIoResults;

/**
 * Variants 2 to 6: RISC-V guest code (a disk-io guest ELF) issuing QD1 4 KiB requests through its own
 * driver, timed by the guest's clock, on the board or domain type its {@link GuestLauncher} provides.
 * In a closed loop every read is checked against the disk's pattern outside the timed window. Driven
 * from one thread.
 */
final class GuestCodeVariant implements IoVariant
{
    private final String key;
    private final String label;
    private final String guest;
    private final GuestLauncher launcher;
    private final boolean interrupts;

    /**
     * @param interrupts interrupt-driven driver (else polled)
     */
    GuestCodeVariant(final String key, final String label, final String guest, final GuestLauncher launcher,
        final boolean interrupts)
    {
        this.key = key;
        this.label = label;
        this.guest = guest;
        this.launcher = launcher;
        this.interrupts = interrupts;
    }

    @Override
    public String key()
    {
        return key;
    }

    @Override
    public String label()
    {
        return label;
    }

    String guest()
    {
        return guest;
    }

    @Override
    public String unavailable()
    {
        return launcher.unavailable(guest);
    }

    @Override
    public int deepestQueue()
    {
        return 1;
    }

    @Override
    public String clock()
    {
        return launcher.clock();
    }

    @Override
    public void open(final long diskBytes)
    {
        launcher.open(diskBytes);
    }

    @Override
    public VariantRun run(final IoRequests requests)
    {
        final int n = requests.count();
        final int[] ops = new int[n];
        final long[] sectors = new long[n];
        final long[] due = new long[n];
        final long hz = launcher.timebaseHz();
        for (int i = 0; i < n; i++)
        {
            ops[i] = requests.op(i).code();
            sectors[i] = requests.sector(i);
            // Ticks rounded up: a request never starts before its intended time.
            due[i] = i < requests.warmup() ? 0 : ceilTicks(requests.intendedNs(i), hz);
        }
        // Reads are checked in a closed loop only: in an open loop the check would delay the next request.
        final int flags = (interrupts ? DiskIoJobDescriptor.FLAG_INTERRUPTS : 0) |
            (requests.openLoop() ? DiskIoJobDescriptor.FLAG_OPEN_LOOP : DiskIoJobDescriptor.FLAG_VERIFY);
        final GuestRun run = launcher.run(guest, new DiskIoJob(ops, sectors, due, requests.warmup(), flags));
        final DiskIoResults r = run.results();
        final RequestLog log = new RequestLog(r.count());
        double instructions = 0;
        for (int i = 0; i < r.count(); i++)
        {
            final int request = requests.warmup() + i;
            final long start = run.nanos(r.start()[i]);
            log.add(requests.op(request), requests.sector(request), IoRequests.BLOCK_BYTES, 1,
                requests.openLoop() ? requests.intendedNs(request) : start, start, run.nanos(r.end()[i]));
            instructions += r.instructions()[i];
        }
        return new VariantRun(log, run.exits(), run.instructionsCounted() ? instructions : Double.NaN, r.failures());
    }

    private static long ceilTicks(final long ns, final long hz)
    {
        return (long)Math.ceil(ns * (hz / 1e9));
    }

    @Override
    public void close()
    {
        launcher.close();
    }
}
