package io.javisor.netback;

import java.time.Duration;

/**
 * How a {@link NetFront} sets itself up.
 *
 * @param txBuffers        transmit pages (one per frame of up to 4 KiB), at most 256.
 * @param rxBuffers        receive pages kept posted to the back end, at most 256.
 * @param handshakeTimeout how long attach waits for the back end at each step.
 * @param reconnect        when the back end leaves Connected (a driver domain restarted), connect
 *                         again to its next instance (frames in flight are lost, as on a wire);
 *                         off by default.
 */
public record NetFrontConfig(int txBuffers, int rxBuffers, Duration handshakeTimeout, boolean reconnect)
{
    public static NetFrontConfig defaults()
    {
        return new NetFrontConfig(256, 256, Duration.ofSeconds(10), false);
    }

    public NetFrontConfig withBuffers(final int tx, final int rx)
    {
        return new NetFrontConfig(tx, rx, handshakeTimeout, reconnect);
    }

    public NetFrontConfig withReconnect(final boolean value)
    {
        return new NetFrontConfig(txBuffers, rxBuffers, handshakeTimeout, value);
    }
}
