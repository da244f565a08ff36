package io.javisor.core;

/**
 * How dom0's back ends are spread over threads (as Aeron's ThreadingMode): one agent for all
 * devices that parks when idle, or one busy-spinning agent per device for the lowest latency.
 */
public enum BackendThreading
{
    /** One agent serves every device and sleeps on event channels when idle (density). */
    SHARED,
    /** Each device gets its own agent thread that busy-spins (latency; a core per device). */
    DEDICATED
}
