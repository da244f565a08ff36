package io.javisor.core;

import io.javisor.ringio.event.EventChannels;

import java.nio.file.Path;

/**
 * How the hypervisor is started: the machine memory pool (anonymous, or a file that another
 * process can map), and dom0's own memory.
 *
 * @param machineMemoryMiB size of the machine frame pool; committed by the host only when touched.
 * @param machineMemoryFile file backing the pool (e.g. under /dev/shm), or null for anonymous memory.
 * @param dom0MemoryMiB     dom0's guest memory (back ends' bounce buffers, grant-copy targets).
 * @param backendThreading  how dom0's back-end agents are spread over threads.
 * @param dom0EventChannels dom0's event channel ports: one per PV device of every guest, and a few
 *                          of its own (2..{@link EventChannels#MAX_PORTS}; beyond the 2-level ABI's
 *                          4096 they live in an extension bitmap).
 */
public record HypervisorConfig(
    int machineMemoryMiB, Path machineMemoryFile, int dom0MemoryMiB, BackendThreading backendThreading,
    int dom0EventChannels)
{
    /** dom0's ports by default: a few hundred guests with a disk and a vif each. */
    public static final int DEFAULT_DOM0_EVENT_CHANNELS = 1024;

    public HypervisorConfig
    {
        if (dom0EventChannels < 2 || dom0EventChannels > EventChannels.MAX_PORTS)
        {
            throw new IllegalArgumentException("dom0 event channels: " + dom0EventChannels + " is not between 2 and "
                + EventChannels.MAX_PORTS);
        }
    }

    public static HypervisorConfig defaults()
    {
        return new HypervisorConfig(4096, null, 16, BackendThreading.SHARED, DEFAULT_DOM0_EVENT_CHANNELS);
    }

    public HypervisorConfig withMachineMemoryMiB(final int mib)
    {
        return new HypervisorConfig(mib, machineMemoryFile, dom0MemoryMiB, backendThreading, dom0EventChannels);
    }

    public HypervisorConfig withMachineMemoryFile(final Path file)
    {
        return new HypervisorConfig(machineMemoryMiB, file, dom0MemoryMiB, backendThreading, dom0EventChannels);
    }

    public HypervisorConfig withDom0MemoryMiB(final int mib)
    {
        return new HypervisorConfig(machineMemoryMiB, machineMemoryFile, mib, backendThreading, dom0EventChannels);
    }

    public HypervisorConfig withBackendThreading(final BackendThreading threading)
    {
        return new HypervisorConfig(machineMemoryMiB, machineMemoryFile, dom0MemoryMiB, threading, dom0EventChannels);
    }

    public HypervisorConfig withDom0EventChannels(final int ports)
    {
        return new HypervisorConfig(machineMemoryMiB, machineMemoryFile, dom0MemoryMiB, backendThreading, ports);
    }
}
