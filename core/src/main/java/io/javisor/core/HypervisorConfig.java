package io.javisor.core;

import io.javisor.core.sched.SchedulerConfig;
import io.javisor.ringio.event.EventChannels;

import java.nio.file.Path;

/**
 * How the hypervisor is started: the machine memory pool (anonymous, or a file that another
 * process can map), dom0's own memory, dom0's back-end threading and event channels, and how
 * guest-code vCPUs are run. Immutable.
 *
 * @param machineMemoryMiB  size of the machine frame pool; committed by the host only when touched.
 * @param machineMemoryFile file backing the pool (e.g. under /dev/shm), or null for anonymous memory.
 * @param dom0MemoryMiB     dom0's guest memory (back ends' bounce buffers, grant-copy targets).
 * @param backendThreading  how dom0's back-end agents are spread over threads.
 * @param dom0EventChannels dom0's event channel ports: one per PV device of every guest, and a few
 *                          of its own (2..{@link EventChannels#MAX_PORTS}; beyond the 2-level ABI's
 *                          4096 they live in an extension bitmap).
 * @param scheduler         the credit scheduler's pool and periods for every HVM and PV guest-code vCPU,
 *                          or null to give each vCPU a platform thread of its own (no weights or caps).
 */
public record HypervisorConfig(
    int machineMemoryMiB, Path machineMemoryFile, int dom0MemoryMiB, BackendThreading backendThreading,
    int dom0EventChannels, SchedulerConfig scheduler)
{
    /** dom0's ports by default: a few hundred guests with a disk and a vif each. */
    public static final int DEFAULT_DOM0_EVENT_CHANNELS = 1024;

    /** The system property that picks how {@link #defaults()} runs vCPUs: {@code credit} (the default) or {@code threads}. */
    public static final String VCPUS_PROPERTY = "javisor.vcpus";

    public HypervisorConfig
    {
        if (dom0EventChannels < 2 || dom0EventChannels > EventChannels.MAX_PORTS)
        {
            throw new IllegalArgumentException("dom0 event channels: " + dom0EventChannels + " is not between 2 and "
                + EventChannels.MAX_PORTS);
        }
    }

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
        return new HypervisorConfig(4096, null, 16, BackendThreading.SHARED, DEFAULT_DOM0_EVENT_CHANNELS,
            vcpus.equals("credit") ? SchedulerConfig.defaults() : null);
    }

    public HypervisorConfig withMachineMemoryMiB(final int mib)
    {
        return new HypervisorConfig(mib, machineMemoryFile, dom0MemoryMiB, backendThreading, dom0EventChannels, scheduler);
    }

    public HypervisorConfig withMachineMemoryFile(final Path file)
    {
        return new HypervisorConfig(machineMemoryMiB, file, dom0MemoryMiB, backendThreading, dom0EventChannels, scheduler);
    }

    public HypervisorConfig withDom0MemoryMiB(final int mib)
    {
        return new HypervisorConfig(machineMemoryMiB, machineMemoryFile, mib, backendThreading, dom0EventChannels, scheduler);
    }

    public HypervisorConfig withBackendThreading(final BackendThreading threading)
    {
        return new HypervisorConfig(machineMemoryMiB, machineMemoryFile, dom0MemoryMiB, threading, dom0EventChannels, scheduler);
    }

    public HypervisorConfig withDom0EventChannels(final int ports)
    {
        return new HypervisorConfig(machineMemoryMiB, machineMemoryFile, dom0MemoryMiB, backendThreading, ports, scheduler);
    }

    /** Run guest-code vCPUs on the credit scheduler set up as {@code config}. */
    public HypervisorConfig withScheduler(final SchedulerConfig config)
    {
        return new HypervisorConfig(machineMemoryMiB, machineMemoryFile, dom0MemoryMiB, backendThreading, dom0EventChannels, config);
    }

    /** Give each guest-code vCPU a platform thread of its own, as before the scheduler (no weights or caps). */
    public HypervisorConfig withThreadPerVcpu()
    {
        return new HypervisorConfig(machineMemoryMiB, machineMemoryFile, dom0MemoryMiB, backendThreading, dom0EventChannels, null);
    }
}
