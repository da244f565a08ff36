package io.javisor.netback;

import io.javisor.netback.bridge.Bridge;
import io.javisor.netback.ratelimit.RateLimiter;
import io.javisor.netback.ratelimit.TokenBucket;
import io.javisor.ringio.BackendResources;
import io.javisor.ringio.DomainResources;
import io.javisor.ringio.StandaloneDomains;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static io.javisor.netback.NetFrontBackTest.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A vif's transmit path obeys its token buckets: the one-time burst first, then the refill rate;
 * a throttled vif stops consuming its ring (the guest's requests wait) and retries on time.
 */
class RateLimitedVifTest
{
    private final StandaloneDomains domains = new StandaloneDomains(256);
    private final BackendResources dom0 = domains.backend(0, 16);
    private final DomainResources guestA = domains.domain(1, 16);
    private final DomainResources guestB = domains.domain(2, 16);
    private final Bridge bridge = new Bridge("xenbr0");
    private final NetBackend backend = new NetBackend(dom0, NetBackend.Mode.LATENCY, "rate").start();

    @AfterEach
    void tearDown()
    {
        backend.close();
        domains.close();
    }

    @Test
    void aPacketRateLimitAllowsTheBurstThenTheRefillRate()
    {
        // 200 packets/s after a one-time burst of 50 packets.
        final RateLimiter limiter = new RateLimiter(TokenBucket.unlimited(),
            TokenBucket.ofNanos(200, 50, TimeUnit.SECONDS.toNanos(1)));
        final Vif vifA = backend.attach(guestA.domid(), 0, MAC_A, bridge, limiter);
        final Vif vifB = backend.attach(guestB.domid(), 0, MAC_B, bridge, RateLimiter.unlimited());
        try (NetFront a = NetFront.attach(guestA, 0, 0, NetFrontConfig.defaults());
            NetFront b = NetFront.attach(guestB, 0, 0, NetFrontConfig.defaults()))
        {
            final UnsafeBuffer frame = frame(MAC_B, MAC_A, 60, 0);
            final long start = System.nanoTime();
            final long end = start + TimeUnit.MILLISECONDS.toNanos(1000);
            int received = 0;
            while (System.nanoTime() < end)
            {
                if (a.send(frame, 0, 60))
                {
                    a.flush();
                }
                a.poll((buffer, offset, length) -> { });
                received += b.poll((buffer, offset, length) -> { });
            }
            // Starts full (200) + burst (50) + about 200 refilled in the second.
            assertTrue(received >= 350 && received <= 500, "received " + received + " in 1 s");
            assertTrue(vifA.statistics().txThrottled() > 0, "the limiter throttled");
            // Frames still in flight when the second ended arrive now; none is lost.
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (received < vifB.statistics().rxPackets() && System.nanoTime() < deadline)
            {
                received += b.poll((buffer, offset, length) -> { });
            }
            assertEquals(vifB.statistics().rxPackets(), received);
        }
    }

    @Test
    void aBandwidthLimitFromTheXlRateSyntaxBoundsBytesPerSecond()
    {
        final RateLimiter limiter = RateLimiter.fromSpec(io.javisor.netback.spec.VifSpec.parse("rate=100KB/s"));
        backend.attach(guestA.domid(), 0, MAC_A, bridge, limiter);
        backend.attach(guestB.domid(), 0, MAC_B, bridge, RateLimiter.unlimited());
        try (NetFront a = NetFront.attach(guestA, 0, 0, NetFrontConfig.defaults());
            NetFront b = NetFront.attach(guestB, 0, 0, NetFrontConfig.defaults()))
        {
            final UnsafeBuffer frame = frame(MAC_B, MAC_A, 1000, 0);
            final long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1000);
            final long[] bytes = { 0 };
            while (System.nanoTime() < end)
            {
                if (a.send(frame, 0, 1000))
                {
                    a.flush();
                }
                a.poll((buffer, offset, length) -> { });
                b.poll((buffer, offset, length) -> bytes[0] += length);
            }
            assertTrue(bytes[0] > 50_000 && bytes[0] <= 220_000, bytes[0] + " bytes in 1 s at 100 KB/s");
        }
    }
}
