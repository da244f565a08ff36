package io.javisor.perf.io;

import java.util.Arrays;

/**
 * A sequence of 4 KiB requests for one variant to issue in order: op and first sector of each, an
 * untimed warm-up at the front, and, for an open loop, each timed request's intended start in ns
 * after the timed part began (null: closed loop, each request starts when the one before ended).
 * Immutable.
 */
public final class IoRequests
{
    public static final int BLOCK_BYTES = 4096;
    public static final int SECTORS_PER_BLOCK = BLOCK_BYTES / 512;

    private final IoOp[] ops;
    private final long[] sectors;
    private final long[] intendedNs;
    private final int warmup;

    public IoRequests(final IoOp[] ops, final long[] sectors, final long[] intendedNs, final int warmup)
    {
        if (ops.length != sectors.length || (intendedNs != null && intendedNs.length != ops.length))
        {
            throw new IllegalArgumentException("ops, sectors and intended starts differ in length");
        }
        if (warmup < 0 || warmup > ops.length)
        {
            throw new IllegalArgumentException("warm-up " + warmup + " outside 0.." + ops.length);
        }
        for (int i = 0; i < ops.length; i++)
        {
            if (sectors[i] < 0 || sectors[i] % SECTORS_PER_BLOCK != 0)
            {
                throw new IllegalArgumentException("request " + i + ": sector " + sectors[i] + " does not start a 4 KiB block");
            }
            if (intendedNs != null && i > warmup && intendedNs[i] < intendedNs[i - 1])
            {
                throw new IllegalArgumentException("request " + i + ": intended start earlier than the one before");
            }
        }
        this.ops = ops.clone();
        this.sectors = sectors.clone();
        this.intendedNs = intendedNs == null ? null : intendedNs.clone();
        this.warmup = warmup;
    }

    /**
     * The benchmark's round: {@code warmup} reads, then {@code reads} reads, then {@code writes} writes,
     * each at a uniformly random 4 KiB block of a disk of {@code blocks} blocks (SplitMix64 from {@code seed}).
     */
    public static IoRequests closedLoop(final long blocks, final int warmup, final int reads, final int writes, final long seed)
    {
        final int n = warmup + reads + writes;
        final IoOp[] ops = new IoOp[n];
        final long[] sectors = new long[n];
        long state = seed;
        for (int i = 0; i < n; i++)
        {
            ops[i] = i < warmup + reads ? IoOp.READ : IoOp.WRITE;
            state += 0x9E37_79B9_7F4A_7C15L;
            sectors[i] = Long.remainderUnsigned(mix(state), blocks) * SECTORS_PER_BLOCK;
        }
        return new IoRequests(ops, sectors, null, warmup);
    }

    /** The first {@code n} requests (at most all), open or closed loop as these are. */
    public IoRequests prefix(final int n)
    {
        final int count = Math.min(n, ops.length);
        return new IoRequests(Arrays.copyOf(ops, count), Arrays.copyOf(sectors, count),
            intendedNs == null ? null : Arrays.copyOf(intendedNs, count), Math.min(warmup, count));
    }

    static long mix(final long value)
    {
        long z = value;
        z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
        return z ^ (z >>> 31);
    }

    public int count()
    {
        return ops.length;
    }

    public int warmup()
    {
        return warmup;
    }

    public int timed()
    {
        return ops.length - warmup;
    }

    public boolean openLoop()
    {
        return intendedNs != null;
    }

    public IoOp op(final int i)
    {
        return ops[i];
    }

    public long sector(final int i)
    {
        return sectors[i];
    }

    /** Intended start of request {@code i} (timed ones only matter), ns after the timed part began; 0 in a closed loop. */
    public long intendedNs(final int i)
    {
        return intendedNs == null ? 0 : intendedNs[i];
    }

    /** The highest sector any request touches, plus its 8 sectors. */
    public long sectorsNeeded()
    {
        return Arrays.stream(sectors).max().orElse(-SECTORS_PER_BLOCK) + SECTORS_PER_BLOCK;
    }
}
