package io.javisor.perf.io;

import io.javisor.emulation.guests.DiskIoJob;
import io.javisor.emulation.guests.DiskIoJobDescriptor;
import io.javisor.emulation.guests.DiskIoResults;

import java.util.SplittableRandom;

/**
 * Variants 2 to 6: RISC-V guest code (a disk-io guest ELF) issuing 4 KiB requests through its own
 * driver, timed by the guest's clock, on the board or domain type its {@link GuestLauncher} provides:
 * QD1 rounds, and where the driver queues (blkfront, virtio-blk) a closed loop at the deepest queue,
 * polled, in which each request is timed from its queueing to the guest's taking its completion.
 * In a closed QD1 loop every read is checked against the disk's pattern outside the timed window.
 * Driven from one thread.
 */
final class GuestCodeVariant implements IoVariant
{
    private final String key;
    private final String label;
    private final String guest;
    private final GuestLauncher launcher;
    private final boolean interrupts;
    private final int deepestQueue;
    private long diskBlocks;

    /**
     * @param interrupts   interrupt-driven driver in the QD1 rounds (else polled)
     * @param deepestQueue the deepest queue the guest's driver takes (1: QD1 only)
     */
    GuestCodeVariant(final String key, final String label, final String guest, final GuestLauncher launcher,
        final boolean interrupts, final int deepestQueue)
    {
        if (deepestQueue < 1 || deepestQueue > DiskIoJobDescriptor.MAX_DEPTH)
        {
            throw new IllegalArgumentException("queue depth " + deepestQueue + " outside 1.." + DiskIoJobDescriptor.MAX_DEPTH);
        }
        this.deepestQueue = deepestQueue;
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
        return deepestQueue;
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
        diskBlocks = diskBytes / IoRequests.BLOCK_BYTES;
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

    /**
     * The guest's closed loop at {@code queueDepth}: as many random requests of {@code op} as the
     * launcher expects its variant to finish in about {@code durationNs} (after a QD1 warm-up of 64),
     * timed by the guest; IOPS over the span from the first queueing to the last completion.
     */
    @Override
    public DeepRun deep(final IoOp op, final int queueDepth, final long durationNs, final long seed)
    {
        if (queueDepth < 1 || queueDepth > deepestQueue)
        {
            throw new IllegalArgumentException("queue depth " + queueDepth + " outside 1.." + deepestQueue);
        }
        final int warmup = DEEP_WARMUP;
        final int n = warmup + launcher.deepRequests(durationNs);
        final int[] ops = new int[n];
        final long[] sectors = new long[n];
        final SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < n; i++)
        {
            ops[i] = op.code();
            sectors[i] = random.nextLong(diskBlocks) * DiskIoJobDescriptor.SECTORS_PER_BLOCK;
        }
        final GuestRun run = launcher.run(guest, new DiskIoJob(ops, sectors, new long[n], warmup, 0, queueDepth));
        final DiskIoResults r = run.results();
        final RequestLog log = new RequestLog(r.count());
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (int i = 0; i < r.count(); i++)
        {
            final long start = run.nanos(r.start()[i]);
            final long end = run.nanos(r.end()[i]);
            log.add(op, sectors[warmup + i], IoRequests.BLOCK_BYTES, queueDepth, start, start, end);
            first = Math.min(first, start);
            last = Math.max(last, end);
        }
        if (r.failures() > 0)
        {
            throw new IllegalStateException(key + ": " + r.failures() + " of " + r.count() + " requests at QD" + queueDepth +
                " failed");
        }
        return new DeepRun(op, queueDepth, r.count(), r.count() == 0 ? 0 : last - first, log);
    }

    private static final int DEEP_WARMUP = 64;

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
