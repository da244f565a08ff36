package io.javisor.netback.ratelimit;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

class TokenBucketTest
{
    private static final long MS = 1_000_000;
    private static final long SECOND = 1_000 * MS;
    /** An arbitrary origin: the bucket must not care where the clock starts. */
    private static final long T0 = 123_456_789_000L;

    @Test
    void startsFull()
    {
        final TokenBucket bucket = new TokenBucket(100, 0, 1000);
        assertEquals(100, bucket.available(T0));
        assertTrue(bucket.tryConsume(100, T0));
        assertFalse(bucket.tryConsume(1, T0));
        assertEquals(0, bucket.available(T0));
    }

    @Test
    void theBurstIsSpentFirstAndNeverRefills()
    {
        final TokenBucket bucket = new TokenBucket(100, 50, 1000);
        assertEquals(150, bucket.available(T0));
        assertTrue(bucket.tryConsume(30, T0));
        assertEquals(20, bucket.burstRemaining());
        assertEquals(120, bucket.available(T0), "the budget is untouched while the burst lasts");
        assertTrue(bucket.tryConsume(30, T0));
        assertEquals(0, bucket.burstRemaining());
        assertEquals(90, bucket.available(T0), "10 came from the budget");
        assertEquals(100, bucket.available(T0 + 10 * SECOND));
        assertTrue(bucket.tryConsume(100, T0 + 10 * SECOND));
        assertEquals(0, bucket.burstRemaining(), "the burst never comes back");
        assertEquals(50, bucket.oneTimeBurst());
    }

    @Test
    void refillsAtSizePerRefillTime()
    {
        final TokenBucket bucket = new TokenBucket(1000, 0, 1000);
        assertTrue(bucket.tryConsume(1000, T0));
        assertEquals(1, bucket.available(T0 + MS));
        assertEquals(500, bucket.available(T0 + 500 * MS));
        assertEquals(999, bucket.available(T0 + 999_999_999));
        assertEquals(1000, bucket.available(T0 + SECOND));
        assertEquals(1000, bucket.available(T0 + 100 * SECOND), "never above the size");
        assertTrue(bucket.tryConsume(400, T0 + 400 * MS));
        assertFalse(bucket.tryConsume(1, T0 + 400 * MS));
        assertTrue(bucket.tryConsume(1, T0 + 401 * MS));
    }

    @Test
    void frequentPollingLosesNoFractionOfAToken()
    {
        final TokenBucket bucket = new TokenBucket(1000, 0, 1000);
        assertTrue(bucket.tryConsume(1000, T0));
        int granted = 0;
        for (long t = T0 + 1_000; t <= T0 + 10 * MS; t += 1_000)
        {
            if (bucket.tryConsume(1, t))
            {
                granted++;
            }
        }
        assertEquals(10, granted, "one token a millisecond, polled every microsecond");
    }

    @Test
    void anUnevenRatioIsExact()
    {
        final TokenBucket bucket = TokenBucket.ofNanos(3, 0, 7 * MS);
        assertTrue(bucket.tryConsume(3, T0));
        assertEquals(2, bucket.available(T0 + 7 * MS - 1));
        assertEquals(3, bucket.available(T0 + 7 * MS));
        assertEquals(7 * MS / 3 + 1, bucket.nanosUntilAvailable(1, T0), "ceil(7 ms / 3)");
        assertFalse(bucket.tryConsume(1, T0 + 7 * MS / 3));
        assertTrue(bucket.tryConsume(1, T0 + 7 * MS / 3 + 1));
    }

    @Test
    void aRefusalConsumesNothing()
    {
        final TokenBucket bucket = new TokenBucket(100, 10, 1000);
        assertTrue(bucket.tryConsume(60, T0));
        assertEquals(50, bucket.available(T0));
        assertFalse(bucket.tryConsume(80, T0));
        assertFalse(bucket.canConsume(51, T0));
        assertEquals(50, bucket.available(T0));
        assertTrue(bucket.tryConsume(50, T0));
    }

    @Test
    void nanosUntilAvailableIsTheExactRetryTime()
    {
        final TokenBucket bucket = new TokenBucket(1000, 0, 1000);
        assertEquals(0, bucket.nanosUntilAvailable(1000, T0));
        assertTrue(bucket.tryConsume(1000, T0));
        final long wait = bucket.nanosUntilAvailable(10, T0);
        assertEquals(10 * MS, wait);
        assertEquals(wait, bucket.nanosUntilAvailable(10, T0), "asking changes nothing");
        assertFalse(bucket.tryConsume(10, T0 + wait - 1));
        assertTrue(bucket.tryConsume(10, T0 + wait));
        assertEquals(0, bucket.nanosUntilAvailable(0, T0 + wait));
    }

    @Test
    void aRequestLargerThanTheBucketPassesWhenFullAndLeavesDebt()
    {
        final TokenBucket bucket = new TokenBucket(100, 0, 1000);
        assertTrue(bucket.tryConsume(250, T0));
        assertEquals(-150, bucket.available(T0));
        assertEquals(1510 * MS, bucket.nanosUntilAvailable(1, T0));
        assertFalse(bucket.tryConsume(1, T0 + 1509 * MS));
        assertTrue(bucket.tryConsume(1, T0 + 1510 * MS));
        assertFalse(bucket.tryConsume(250, T0 + 1510 * MS), "not full: the next oversized request waits");
        assertEquals(SECOND, bucket.nanosUntilAvailable(250, T0 + 1510 * MS), "until full");
        assertFalse(bucket.tryConsume(250, T0 + 2510 * MS - 1));
        assertTrue(bucket.tryConsume(250, T0 + 2510 * MS));
        assertEquals(Long.MAX_VALUE, bucket.nanosUntilAvailable(Long.MAX_VALUE, T0));
        assertFalse(bucket.tryConsume(Long.MAX_VALUE, T0 + 100 * SECOND), "too large to account");
    }

    @Test
    void sizeOrRefillZeroIsUnlimited()
    {
        for (final TokenBucket bucket : new TokenBucket[]{
            new TokenBucket(0, 0, 1000), new TokenBucket(100, 0, 0), TokenBucket.unlimited()})
        {
            assertTrue(bucket.isUnlimited());
            for (int i = 0; i < 3; i++)
            {
                assertTrue(bucket.tryConsume(Long.MAX_VALUE, T0));
            }
            assertEquals(0, bucket.nanosUntilAvailable(Long.MAX_VALUE, T0));
            assertEquals(Long.MAX_VALUE, bucket.available(T0));
        }
        assertFalse(new TokenBucket(1, 0, 1).isUnlimited());
    }

    @Test
    void aClockThatStepsBackRefillsNothing()
    {
        final TokenBucket bucket = new TokenBucket(1000, 0, 1000);
        assertTrue(bucket.tryConsume(1000, T0));
        assertFalse(bucket.tryConsume(1, T0 - SECOND));
        assertEquals(0, bucket.available(T0 - SECOND));
        assertEquals(500, bucket.available(T0 + 500 * MS));
    }

    @Test
    void hugeUnevenBucketsApproximateTheRate()
    {
        final long size = (1L << 40) + 1;
        final long refill = 999_999_937;
        final TokenBucket bucket = TokenBucket.ofNanos(size, 0, refill);
        assertTrue(bucket.tryConsume(size, T0));
        final double half = bucket.available(T0 + refill / 2);
        assertEquals(size / 2.0, half, size * 1e-6);
        assertEquals(size, bucket.available(T0 + refill + 1_000));
    }

    @Test
    void rejectsNegativeParameters()
    {
        assertThrows(IllegalArgumentException.class, () -> new TokenBucket(-1, 0, 1000));
        assertThrows(IllegalArgumentException.class, () -> new TokenBucket(1, -1, 1000));
        assertThrows(IllegalArgumentException.class, () -> new TokenBucket(1, 0, -1));
        assertEquals(2 * SECOND, new TokenBucket(1, 0, 2, TimeUnit.SECONDS).refillNanos());
    }
}
