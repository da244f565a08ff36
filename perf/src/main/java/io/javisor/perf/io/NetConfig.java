package io.javisor.perf.io;

/**
 * The network side of {@code bench io}: per variant and round, {@code warmupPings} untimed and
 * {@code pings} timed 64-byte round trips and a 64-byte stream of {@code streamFrames} frames, then a
 * 1,500-byte stream of as many; {@code pings} 0 leaves the network side out. Immutable.
 */
public record NetConfig(int warmupPings, int pings, int streamFrames)
{
    public static final int DEFAULT_WARMUP_PINGS = 64;
    public static final int DEFAULT_PINGS = 2000;
    public static final int DEFAULT_STREAM_FRAMES = 20_000;
    /** No network side. */
    public static final NetConfig NONE = new NetConfig(1, 0, 0);

    /**
     * @throws IllegalArgumentException naming the first bad value
     */
    public NetConfig
    {
        if (warmupPings < 1 || warmupPings > 100_000)
        {
            throw new IllegalArgumentException("net warm-up pings must be 1..100000: " + warmupPings);
        }
        if (pings < 0 || pings > 1_000_000)
        {
            throw new IllegalArgumentException("net pings must be 0..1000000: " + pings);
        }
        if (streamFrames < 0 || streamFrames > 10_000_000)
        {
            throw new IllegalArgumentException("net stream frames must be 0..10000000: " + streamFrames);
        }
    }

    public static NetConfig defaults()
    {
        return new NetConfig(DEFAULT_WARMUP_PINGS, DEFAULT_PINGS, DEFAULT_STREAM_FRAMES);
    }

    boolean enabled()
    {
        return pings > 0;
    }
}
