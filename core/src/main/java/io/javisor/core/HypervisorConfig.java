package io.javisor.core;

import io.javisor.core.sched.SchedulerConfig;

import java.nio.file.Path;

/**
 * How the hypervisor is started: the machine memory pool (anonymous, or a file that another
 * process can map), dom0's own memory, dom0's back-end threading, and how guest-code vCPUs are run.
 *
 * @param machineMemoryMiB size of the machine frame pool; committed by the host only when touched.
 * @param machineMemoryFile file backing the pool (e.g. under /dev/shm), or null for anonymous memory.
 * @param dom0MemoryMiB     dom0's guest memory (back ends' bounce buffers, grant-copy targets).
 * @param backendThreading  how dom0's back-end agents are spread over threads.
 * @param scheduler         the credit scheduler's pool and periods for every HVM and PV guest-code vCPU,
 *                          or null to give each vCPU a platform thread of its own (no weights or caps).
 */
public record HypervisorConfig(
    int machineMemoryMiB, Path machineMemoryFile, int dom0MemoryMiB, BackendThreading backendThreading,
    SchedulerConfig scheduler)
{
    /** 4 GiB of machine memory, 16 MiB for dom0, shared back ends, the credit scheduler on one worker per core. */
    public static HypervisorConfig defaults()
    {
        return new HypervisorConfig(4096, null, 16, BackendThreading.SHARED, SchedulerConfig.defaults());
    }

    public HypervisorConfig withMachineMemoryMiB(final int mib)
    {
        return new HypervisorConfig(mib, machineMemoryFile, dom0MemoryMiB, backendThreading, scheduler);
    }

    public HypervisorConfig withMachineMemoryFile(final Path file)
    {
        return new HypervisorConfig(machineMemoryMiB, file, dom0MemoryMiB, backendThreading, scheduler);
    }

    public HypervisorConfig withDom0MemoryMiB(final int mib)
    {
        return new HypervisorConfig(machineMemoryMiB, machineMemoryFile, mib, backendThreading, scheduler);
    }

    public HypervisorConfig withBackendThreading(final BackendThreading threading)
    {
        return new HypervisorConfig(machineMemoryMiB, machineMemoryFile, dom0MemoryMiB, threading, scheduler);
    }

    /** Run guest-code vCPUs on the credit scheduler set up as {@code config}. */
    public HypervisorConfig withScheduler(final SchedulerConfig config)
    {
        return new HypervisorConfig(machineMemoryMiB, machineMemoryFile, dom0MemoryMiB, backendThreading, config);
    }

    /** Give each guest-code vCPU a platform thread of its own, as before the scheduler (no weights or caps). */
    public HypervisorConfig withThreadPerVcpu()
    {
        return new HypervisorConfig(machineMemoryMiB, machineMemoryFile, dom0MemoryMiB, backendThreading, null);
    }
}
