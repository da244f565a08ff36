package io.javisor.netback.ratelimit;

import io.javisor.netback.spec.VifSpec;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class RateLimiterTest
{
    private static final long MS = 1_000_000;
    private static final long SECOND = 1_000 * MS;
    private static final long T0 = 5 * SECOND;

    @Test
    void anOpsRefusalLeavesTheBytesAlone()
    {
        final RateLimiter limiter = new RateLimiter(new TokenBucket(1000, 0, 1000), new TokenBucket(2, 0, 1000));
        assertTrue(limiter.tryConsume(100, T0));
        assertTrue(limiter.tryConsume(100, T0));
        assertFalse(limiter.tryConsume(100, T0));
        assertEquals(800, limiter.bandwidth().available(T0));
        assertEquals(0, limiter.ops().available(T0));
    }

    @Test
    void aBandwidthRefusalLeavesThePacketsAlone()
    {
        final RateLimiter limiter = new RateLimiter(new TokenBucket(100, 0, 1000), new TokenBucket(10, 0, 1000));
        assertTrue(limiter.tryConsume(60, T0));
        assertFalse(limiter.tryConsume(60, T0));
        assertEquals(9, limiter.ops().available(T0));
        assertEquals(40, limiter.bandwidth().available(T0));
    }

    @Test
    void aRefusalDoesNotSpendTheBurst()
    {
        final RateLimiter limiter = new RateLimiter(new TokenBucket(100, 1000, 1000), new TokenBucket(1, 0, 1000));
        assertTrue(limiter.tryConsume(10, T0));
        assertEquals(990, limiter.bandwidth().burstRemaining());
        assertFalse(limiter.tryConsume(10, T0));
        assertEquals(990, limiter.bandwidth().burstRemaining());
        assertEquals(SECOND, limiter.nanosUntilAvailable(10, T0), "the later of the two buckets");
        assertTrue(limiter.tryConsume(10, T0 + SECOND));
    }

    @Test
    void aBatchIsAllOrNothing()
    {
        final RateLimiter limiter = new RateLimiter(new TokenBucket(10_000, 0, 1000), new TokenBucket(8, 0, 1000));
        assertTrue(limiter.tryConsume(6000, 6, T0));
        assertFalse(limiter.tryConsume(1000, 3, T0));
        assertEquals(2, limiter.ops().available(T0));
        assertEquals(4000, limiter.bandwidth().available(T0));
    }

    @Test
    void fromSpecMapsRatePpsAndBurst()
    {
        final RateLimiter limiter = RateLimiter.fromSpec(VifSpec.parse("rate=10MB/s@20ms, pps=1000, burst=1MB"));
        assertEquals(200_000, limiter.bandwidth().size());
        assertEquals(1_000_000, limiter.bandwidth().oneTimeBurst());
        assertEquals(20 * MS, limiter.bandwidth().refillNanos());
        assertEquals(1000, limiter.ops().size());
        assertEquals(SECOND, limiter.ops().refillNanos());
        assertFalse(limiter.isUnlimited());

        final RateLimiter bytesOnly = RateLimiter.fromSpec(VifSpec.parse("rate=100Mb/s"));
        assertEquals(625_000, bytesOnly.bandwidth().size(), "12.5 MB/s over the default 50 ms");
        assertTrue(bytesOnly.ops().isUnlimited());

        assertTrue(RateLimiter.fromSpec(VifSpec.parse("bridge=xenbr0")).isUnlimited());
        assertTrue(RateLimiter.unlimited().tryConsume(Long.MAX_VALUE, T0));
        assertEquals(0, RateLimiter.unlimited().nanosUntilAvailable(Long.MAX_VALUE, T0));
    }

    @Test
    void aSaturatingSenderGetsTheConfiguredRate()
    {
        final RateLimiter limiter = RateLimiter.fromSpec(VifSpec.parse("rate=1MB/s"));
        final int packet = 1514;
        long now = T0;
        long bytes = 0;
        while (now < T0 + 10 * SECOND)
        {
            if (limiter.tryConsume(packet, now))
            {
                bytes += packet;
            }
            else
            {
                now += limiter.nanosUntilAvailable(packet, now);
            }
        }
        final long expected = 10 * 1_000_000 + 50_000;
        assertEquals(expected, bytes, 2 * packet, "10 s at 1 MB/s plus the full 50 ms bucket it started with");
    }

    @Test
    void theHotPathAllocatesNothing()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)java.lang.management.ManagementFactory.getThreadMXBean();
        final RateLimiter limiter = RateLimiter.fromSpec(VifSpec.parse("rate=1GB/s, pps=1000000, burst=1MB"));
        long now = T0;
        long granted = 0;
        for (int round = 0; round < 2; round++)
        {
            final long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 100_000; i++)
            {
                now += 1_000;
                granted += limiter.tryConsume(1514, now) ? 1 : limiter.nanosUntilAvailable(1514, now) > 0 ? 0 : 1;
            }
            final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            if (round == 1)
            {
                assertTrue(allocated < 1024, allocated + " bytes allocated by 100,000 packets");
            }
        }
        assertTrue(granted > 0);
    }

    @Test
    void bothBucketsAreRequired()
    {
        assertThrows(IllegalArgumentException.class, () -> new RateLimiter(null, TokenBucket.unlimited()));
    }
}
