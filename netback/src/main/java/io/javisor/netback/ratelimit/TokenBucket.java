package io.javisor.netback.ratelimit;

import java.util.concurrent.TimeUnit;

/**
 * A token bucket in Firecracker's model: {@code size} tokens of capacity refilled at a steady
 * rate from empty to full in {@code refillTime}, plus a {@code oneTimeBurst} of extra tokens.
 * The bucket starts full; tokens come out of the burst first, and the burst never refills.
 * A bucket of size 0 or refill time 0 limits nothing, as Firecracker does not create one.
 * <p>
 * Refill is continuous and exact: the budget is kept in units of 1/p token, where size / refill
 * nanoseconds = c / p in lowest terms, so each elapsed nanosecond adds c units and no fraction of
 * a token is ever lost to rounding however often the bucket is asked. Where size × p would not
 * fit in 2^62 the rate is approximated instead, to within one part in about 2^62 / (refill ns).
 * <p>
 * A request larger than the whole bucket could never pass if it had to fit; it is granted when
 * the bucket is full and leaves it in debt, which refill repays before anything else passes.
 * That keeps the long-run rate, as Firecracker's over-consumption does.
 * <p>
 * Not thread-safe: one owner (a back end's agent thread) calls it, passing the time in, so that
 * the hot path takes no lock, reads no clock twice and allocates nothing. A refused request
 * consumes nothing. Time must not run backwards; if it does, nothing refills until it catches up.
 */
public final class TokenBucket
{
    private static final long MAX_UNITS = 1L << 62;

    private final long size;
    private final long oneTimeBurst;
    private final long refillNanos;
    private final boolean unlimited;
    /** p: units per token. */
    private final long tokenUnits;
    /** c: units added per elapsed nanosecond. */
    private final long nanoUnits;
    private final long fullUnits;
    /** Past this, need × p would overflow the debt. */
    private final long maxNeed;

    /** Below zero while in debt after an oversized request; never above {@link #fullUnits}. */
    private long units;
    private long burst;
    private long lastNanos;

    /**
     * Firecracker's parameters.
     *
     * @param size         capacity in tokens; 0 for no limit.
     * @param oneTimeBurst extra tokens spent first, never refilled.
     * @param refillTimeMs time to refill from empty to full; 0 for no limit.
     */
    public TokenBucket(final long size, final long oneTimeBurst, final long refillTimeMs)
    {
        this(size, oneTimeBurst, refillTimeMs, TimeUnit.MILLISECONDS);
    }

    /**
     * @param refillTime time to refill from empty to full in {@code unit} (saturating at
     *                   {@link Long#MAX_VALUE} nanoseconds); 0 for no limit.
     */
    public TokenBucket(final long size, final long oneTimeBurst, final long refillTime, final TimeUnit unit)
    {
        final long refillNanos = unit.toNanos(refillTime);
        if (size < 0 || oneTimeBurst < 0 || refillNanos < 0)
        {
            throw new IllegalArgumentException("token bucket of size " + size + ", burst " + oneTimeBurst +
                ", refill " + refillNanos + "ns: no value may be negative");
        }
        this.size = size;
        this.oneTimeBurst = oneTimeBurst;
        this.refillNanos = refillNanos;
        this.unlimited = size == 0 || refillNanos == 0;
        if (unlimited)
        {
            tokenUnits = 1;
            nanoUnits = 1;
            fullUnits = 0;
        }
        else
        {
            final long gcd = gcd(size, refillNanos);
            final long p = refillNanos / gcd;
            if (Math.multiplyHigh(size, p) == 0 && size * p >= 0 && size * p <= MAX_UNITS)
            {
                tokenUnits = p;
                nanoUnits = size / gcd;
            }
            else
            {
                if (size > MAX_UNITS)
                {
                    throw new IllegalArgumentException("token bucket of size " + size + " is over 2^62 tokens");
                }
                tokenUnits = MAX_UNITS / size;
                nanoUnits = Math.max(1, size * tokenUnits / refillNanos);
            }
            fullUnits = size * tokenUnits;
        }
        this.maxNeed = MAX_UNITS / tokenUnits;
        this.units = fullUnits;
        this.burst = oneTimeBurst;
    }

    /**
     * A bucket with its refill time in nanoseconds, for rates whose period is not whole
     * milliseconds (xl's rate interval is in microseconds).
     */
    public static TokenBucket ofNanos(final long size, final long oneTimeBurst, final long refillNanos)
    {
        return new TokenBucket(size, oneTimeBurst, refillNanos, TimeUnit.NANOSECONDS);
    }

    /**
     * A bucket that grants everything.
     */
    public static TokenBucket unlimited()
    {
        return ofNanos(0, 0, 0);
    }

    private static long gcd(final long a, final long b)
    {
        long x = a;
        long y = b;
        while (y != 0)
        {
            final long r = x % y;
            x = y;
            y = r;
        }
        return x;
    }

    /**
     * Takes {@code tokens} if they are available at {@code nowNanos}, else takes nothing.
     * A count of zero or less is granted and changes nothing.
     */
    public boolean tryConsume(final long tokens, final long nowNanos)
    {
        if (!canConsume(tokens, nowNanos))
        {
            return false;
        }
        take(tokens);
        return true;
    }

    /**
     * Refills to {@code nowNanos} and tells whether {@link #tryConsume} would grant
     * {@code tokens}, taking nothing.
     */
    public boolean canConsume(final long tokens, final long nowNanos)
    {
        if (unlimited || tokens <= burst)
        {
            return true;
        }
        refill(nowNanos);
        final long need = tokens - burst;
        return need <= maxNeed && (need * tokenUnits <= units || units == fullUnits);
    }

    /**
     * Takes what {@link #canConsume} just granted, burst first.
     */
    void take(final long tokens)
    {
        if (unlimited || tokens <= 0)
        {
            return;
        }
        if (tokens <= burst)
        {
            burst -= tokens;
            return;
        }
        units -= (tokens - burst) * tokenUnits;
        burst = 0;
    }

    /**
     * How long from {@code nowNanos} until {@code tokens} would be granted: 0 if now, for the
     * throttled device's retry timer. {@link Long#MAX_VALUE} for a request too large to account.
     * Changes nothing.
     */
    public long nanosUntilAvailable(final long tokens, final long nowNanos)
    {
        if (unlimited || tokens <= burst)
        {
            return 0;
        }
        final long need = tokens - burst;
        if (need > maxNeed)
        {
            return Long.MAX_VALUE;
        }
        final long target = Math.min(need * tokenUnits, fullUnits);
        final long projected = unitsAt(nowNanos);
        return projected >= target ? 0 : Math.ceilDiv(target - projected, nanoUnits);
    }

    private void refill(final long nowNanos)
    {
        final long elapsed = nowNanos - lastNanos;
        if (units >= fullUnits || elapsed > 0)
        {
            units = unitsAt(nowNanos);
            lastNanos = nowNanos;
        }
    }

    /**
     * The budget refill would give at {@code nowNanos}. Capping the elapsed time at what fills
     * the bucket keeps {@code elapsed × c} within the missing units, so it cannot overflow.
     */
    private long unitsAt(final long nowNanos)
    {
        final long elapsed = nowNanos - lastNanos;
        if (units >= fullUnits || elapsed <= 0)
        {
            return units;
        }
        final long missing = fullUnits - units;
        return elapsed >= Math.ceilDiv(missing, nanoUnits) ? fullUnits : units + elapsed * nanoUnits;
    }

    /**
     * Whole tokens available at {@code nowNanos}, burst included; negative while in debt.
     * {@link Long#MAX_VALUE} for an unlimited bucket. Changes nothing.
     */
    public long available(final long nowNanos)
    {
        return unlimited ? Long.MAX_VALUE : Math.floorDiv(unitsAt(nowNanos), tokenUnits) + burst;
    }

    public boolean isUnlimited()
    {
        return unlimited;
    }

    public long size()
    {
        return size;
    }

    /**
     * The burst the bucket was created with; {@link #burstRemaining()} is what is left of it.
     */
    public long oneTimeBurst()
    {
        return oneTimeBurst;
    }

    public long burstRemaining()
    {
        return burst;
    }

    public long refillNanos()
    {
        return refillNanos;
    }

    @Override
    public String toString()
    {
        return unlimited ? "TokenBucket{unlimited}" :
            "TokenBucket{size=" + size + ", oneTimeBurst=" + oneTimeBurst + ", refillNanos=" + refillNanos +
            ", burstRemaining=" + burst + "}";
    }
}
