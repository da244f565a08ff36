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
    /** The system property that picks how {@link #defaults()} runs vCPUs: {@code credit} (the default) or {@code threads}. */
    public static final String VCPUS_PROPERTY = "javisor.vcpus";

    /**
     * 4 GiB of machine memory, 16 MiB for dom0, shared back ends, and the credit scheduler on one worker
     * per core, or a thread per vCPU with {@code -Djavisor.vcpus=threads} (to compare the two, or to fall
     * back).
     *
     * @throws IllegalArgumentException when the property has another value (one line)
     */
    public static HypervisorConfig defaults()
    {
        final String vcpus = System.getProperty(VCPUS_PROPERTY, "credit");
        if (!vcpus.equals("credit") && !vcpus.equals("threads"))
        {
            throw new IllegalArgumentException(VCPUS_PROPERTY + ": '" + vcpus + "' is neither credit nor threads");
        }
        return new HypervisorConfig(4096, null, 16, BackendThreading.SHARED,
            vcpus.equals("credit") ? SchedulerConfig.defaults() : null);
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
