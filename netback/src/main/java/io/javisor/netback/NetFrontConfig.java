package io.javisor.netback;

import java.time.Duration;

/**
 * How a {@link NetFront} sets itself up.
 *
 * @param txBuffers        transmit pages (one per frame of up to 4 KiB), at most 256.
 * @param rxBuffers        receive pages kept posted to the back end, at most 256.
 * @param handshakeTimeout how long attach waits for the back end at each step.
 */
public record NetFrontConfig(int txBuffers, int rxBuffers, Duration handshakeTimeout)
{
    public static NetFrontConfig defaults()
    {
        return new NetFrontConfig(256, 256, Duration.ofSeconds(10));
    }

    public NetFrontConfig withBuffers(final int tx, final int rx)
    {
        return new NetFrontConfig(tx, rx, handshakeTimeout);
    }
}
