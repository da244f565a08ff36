package io.javisor.core;

import java.nio.file.Path;

/**
 * How the hypervisor is started: the machine memory pool (anonymous, or a file that another
 * process can map), and dom0's own memory.
 *
 * @param machineMemoryMiB size of the machine frame pool; committed by the host only when touched.
 * @param machineMemoryFile file backing the pool (e.g. under /dev/shm), or null for anonymous memory.
 * @param dom0MemoryMiB     dom0's guest memory (back ends' bounce buffers, grant-copy targets).
 * @param backendThreading  how dom0's back-end agents are spread over threads.
 */
public record HypervisorConfig(
    int machineMemoryMiB, Path machineMemoryFile, int dom0MemoryMiB, BackendThreading backendThreading)
{
    public static HypervisorConfig defaults()
    {
        return new HypervisorConfig(4096, null, 16, BackendThreading.SHARED);
    }

    public HypervisorConfig withMachineMemoryMiB(final int mib)
    {
        return new HypervisorConfig(mib, machineMemoryFile, dom0MemoryMiB, backendThreading);
    }

    public HypervisorConfig withMachineMemoryFile(final Path file)
    {
        return new HypervisorConfig(machineMemoryMiB, file, dom0MemoryMiB, backendThreading);
    }

    public HypervisorConfig withDom0MemoryMiB(final int mib)
    {
        return new HypervisorConfig(machineMemoryMiB, machineMemoryFile, mib, backendThreading);
    }

    public HypervisorConfig withBackendThreading(final BackendThreading threading)
    {
        return new HypervisorConfig(machineMemoryMiB, machineMemoryFile, dom0MemoryMiB, threading);
    }
}
