package io.javisor.blkback;

import io.javisor.blkback.wire.BlkifDescriptor;

import java.time.Duration;

/**
 * How a {@link BlkFront} sets itself up.
 *
 * @param queueDepth       requests in flight at most (≤ the ring's 32 slots).
 * @param segmentsPerSlot  data pages kept per request slot (1..11): the largest request is 8 × this sectors.
 * @param persistent       grant the data pages once and offer feature-persistent.
 * @param handshakeTimeout how long attach waits for the back end at each step.
 * @param reconnect        when the back end leaves Connected (it died, or was restarted), connect again
 *                         to its next instance and re-issue every request not answered, instead of
 *                         failing; off by default.
 */
public record BlkFrontConfig(int queueDepth, int segmentsPerSlot, boolean persistent, Duration handshakeTimeout,
    boolean reconnect)
{
    public static BlkFrontConfig defaults()
    {
        return new BlkFrontConfig(32, BlkifDescriptor.MAX_SEGMENTS_PER_REQUEST, true, Duration.ofSeconds(10), false);
    }

    public BlkFrontConfig withReconnect(final boolean value)
    {
        return new BlkFrontConfig(queueDepth, segmentsPerSlot, persistent, handshakeTimeout, value);
    }

    public BlkFrontConfig withQueueDepth(final int depth)
    {
        return new BlkFrontConfig(depth, segmentsPerSlot, persistent, handshakeTimeout, reconnect);
    }

    public BlkFrontConfig withSegmentsPerSlot(final int segments)
    {
        return new BlkFrontConfig(queueDepth, segments, persistent, handshakeTimeout, reconnect);
    }

    public BlkFrontConfig withPersistent(final boolean value)
    {
        return new BlkFrontConfig(queueDepth, segmentsPerSlot, value, handshakeTimeout, reconnect);
    }
}
