package io.javisor.core;

/**
 * How dom0's back ends are spread over threads (as Aeron's ThreadingMode): one agent for all
 * devices that parks when idle, or one busy-spinning agent per device for the lowest latency.
 * <p>
 * Network: each bridge has one forwarding thread in both modes, the single writer of its MAC table,
 * port list and statistics: the netback agent that holds the bridge's forwarding role (claimed in
 * its duty cycle when free, kept until it closes). SHARED: the one agent forwards for every bridge,
 * inline. DEDICATED: one agent per vif; the first on a bridge forwards for it, the others hand their
 * frames to it through the bridge's bounded queue and receive theirs through their vif's bounded
 * queue; when the forwarding agent closes, another takes the role over. Attach and detach reach the
 * agents and bridges through bounded command queues and wait for an acknowledgement.
 */
public enum BackendThreading
{
    /** One agent serves every device and sleeps on event channels when idle (density). */
    SHARED,
    /** Each device gets its own agent thread that busy-spins (latency; a core per device). */
    DEDICATED
}
