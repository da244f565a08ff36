package io.javisor.netback.ratelimit;

import io.javisor.netback.spec.VifSpec;

/**
 * A device's rate limiter in Firecracker's model: a bandwidth bucket counting bytes and an ops
 * bucket counting packets. A packet passes only if both grant it, and then takes from both; if
 * either refuses, neither is touched, so a refused packet can be retried later at no cost.
 * <p>
 * Single owner, time passed in, no allocation: see {@link TokenBucket}.
 */
public final class RateLimiter
{
    private static final long NANOS_PER_MICRO = 1_000;
    private static final long NANOS_PER_SECOND = 1_000_000_000;

    private final TokenBucket bandwidth;
    private final TokenBucket ops;

    public RateLimiter(final TokenBucket bandwidth, final TokenBucket ops)
    {
        if (bandwidth == null || ops == null)
        {
            throw new IllegalArgumentException("rate limiter needs both buckets (TokenBucket.unlimited() for none)");
        }
        this.bandwidth = bandwidth;
        this.ops = ops;
    }

    public static RateLimiter unlimited()
    {
        return new RateLimiter(TokenBucket.unlimited(), TokenBucket.unlimited());
    }

    /**
     * The limiter a vif spec asks for:
     * <ul>
     *   <li>{@code rate=}: a bandwidth bucket holding xl's credit, the bytes of one replenish
     *   interval, refilled over that interval. It refills continuously where xl's netback adds
     *   the credit in one step per interval; the average rate and the largest burst are the same.
     *   A packet larger than the credit passes when the bucket is full and leaves it in debt.</li>
     *   <li>{@code burst=}: the bandwidth bucket's one-time burst, in bytes.</li>
     *   <li>{@code pps=N}: an ops bucket of N packets refilled over one second.</li>
     * </ul>
     * Either bucket is unlimited when its key is absent.
     */
    public static RateLimiter fromSpec(final VifSpec spec)
    {
        final TokenBucket bandwidth = spec.hasRate() ?
            TokenBucket.ofNanos(spec.rateBytesPerInterval(), spec.burst(), spec.rateIntervalMicros() * NANOS_PER_MICRO) :
            TokenBucket.unlimited();
        final TokenBucket ops = spec.pps() > 0 ?
            TokenBucket.ofNanos(spec.pps(), 0, NANOS_PER_SECOND) :
            TokenBucket.unlimited();
        return new RateLimiter(bandwidth, ops);
    }

    /**
     * One packet of {@code bytes}: granted by both buckets and taken from both, or from neither.
     */
    public boolean tryConsume(final long bytes, final long nowNanos)
    {
        return tryConsume(bytes, 1, nowNanos);
    }

    /**
     * A batch of {@code packets} totalling {@code bytes}, all or nothing.
     */
    public boolean tryConsume(final long bytes, final long packets, final long nowNanos)
    {
        if (!bandwidth.canConsume(bytes, nowNanos) || !ops.canConsume(packets, nowNanos))
        {
            return false;
        }
        bandwidth.take(bytes);
        ops.take(packets);
        return true;
    }

    /**
     * How long until one packet of {@code bytes} would pass: the later of the two buckets.
     */
    public long nanosUntilAvailable(final long bytes, final long nowNanos)
    {
        return Math.max(bandwidth.nanosUntilAvailable(bytes, nowNanos), ops.nanosUntilAvailable(1, nowNanos));
    }

    public boolean isUnlimited()
    {
        return bandwidth.isUnlimited() && ops.isUnlimited();
    }

    public TokenBucket bandwidth()
    {
        return bandwidth;
    }

    public TokenBucket ops()
    {
        return ops;
    }

    @Override
    public String toString()
    {
        return "RateLimiter{bandwidth=" + bandwidth + ", ops=" + ops + "}";
    }
}
