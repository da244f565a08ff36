package io.javisor.core;

/**
 * How dom0's back ends are spread over threads (as Aeron's ThreadingMode), and who writes what. This
 * is the one place the threading model is stated; the classes named here repeat only their own part.
 *
 * <h2>Agents and threads</h2>
 * <table>
 * <caption>Which thread runs what</caption>
 * <tr><th>work</th><th>SHARED</th><th>DEDICATED</th></tr>
 * <tr><td>block back end ({@code BlkBackend}): rings, grant mapping, responses</td>
 *     <td>one agent {@code blkback-dom0} for every disk, event-driven: each duty cycle serves the
     disks whose ports are pending, and it parks when none is</td>
 *     <td>one busy-spinning agent {@code blkback-dom0-d<domid>-<dev>} per disk</td></tr>
 * <tr><td>disk image IO (file read/write, {@code force}, hole punching; a RAM disk's large
 *     discards)</td>
 *     <td colspan="2">one IO thread per disk ({@code ImageIoExecutor}, {@code blkback-io-<domid>-<dev>}),
 *     started when first needed; it posts completions back to the disk's agent. An agent's duty cycle
 *     never blocks on a file.</td></tr>
 * <tr><td>network back end ({@code NetBackend}): tx/rx rings, grant copies, rate limits</td>
 *     <td>one agent {@code netback-dom0} for every vif, event-driven as the block agent</td>
 *     <td>one busy-spinning agent {@code netback-dom0-v<domid>-<handle>} per vif</td></tr>
 * <tr><td>bridge forwarding ({@code Bridge}): MAC learning, switching</td>
 *     <td>the one network agent, for every bridge, inline</td>
 *     <td>the agent holding the bridge's forwarding role (the first vif's, then whichever claims it
 *     when that one closes); the others hand frames over through the bridge's bounded queue and
 *     receive through their vif's bounded queue</td></tr>
 * <tr><td>life cycle (create, attach, detach, destroy)</td>
 *     <td colspan="2">the caller's thread, serialised by the {@link Hypervisor}'s monitor</td></tr>
 * </table>
 * An agent that serves nothing is stopped: a DEDICATED agent with its device, the SHARED agent when
 * its last device goes (it starts again with the next attach).
 *
 * <h2>Single writers</h2>
 * <ul>
 * <li>A ring's responses, a device's connection state, its grant mappings and its statistics: the
 *     agent serving the device. Statistics other threads read are published with release stores and
 *     read with acquire loads.</li>
 * <li>A bridge's MAC table, port list and statistics: its forwarding thread.</li>
 * <li>An agent's device list: the agent; other threads read an immutable copy it publishes.</li>
 * <li>Which agent serves which device ({@code Hypervisor}'s device maps): the thread in a life-cycle
 *     operation, under the hypervisor's monitor.</li>
 * <li>A disk image's contents and file: its IO thread (or the agent, for a RAM disk with nothing
 *     queued), in submission order.</li>
 * </ul>
 *
 * <h2>Commands</h2>
 * Other threads reach an agent or a bridge only through a bounded command queue it drains in its duty
 * cycle ({@code AgentCommandQueue}, the bridge's command queue): a full queue is an error returned to
 * the caller, never a spin, and attach and detach wait (bounded) for the agent's acknowledgement, so
 * that once a detach returns nothing of the device runs any more and its image is closed.
 */
public enum BackendThreading
{
    /** One agent serves every device and sleeps on event channels when idle (density). */
    SHARED,
    /** Each device gets its own agent thread that busy-spins (latency; a core per device). */
    DEDICATED
}
