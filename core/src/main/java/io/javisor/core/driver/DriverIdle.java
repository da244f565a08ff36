package io.javisor.core.driver;

/**
 * How a driver domain's device threads wait for requests.
 */
public enum DriverIdle
{
    /** Spin on the ring: lowest latency, a core per device. */
    SPIN,
    /** Spin briefly, then park until the front end's event arrives (forwarded over the channel). */
    PARK
}
