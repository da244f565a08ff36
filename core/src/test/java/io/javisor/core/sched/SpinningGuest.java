package io.javisor.core.sched;

import io.javisor.core.Domain;
import io.javisor.core.HvmGuest;
import io.javisor.core.Hypervisor;
import io.javisor.emulation.guests.GuestImages;
import io.javisor.emulation.machine.Console;
import io.javisor.emulation.machine.CpuTier;
import io.javisor.emulation.machine.MachineConfig;
import io.javisor.emulation.machine.VirtMachine;

/**
 * Test fixture: a PV kernel that never waits: pv-block's image with its first two instructions
 * replaced by {@code 1: addi a0, a0, 1; j 1b}, so that it counts in a0 as long as it runs.
 */
final class SpinningGuest
{
    /** {@code addi a0, a0, 1} (0x00150513) and {@code jal x0, -4} (0xffdff06f), little-endian. */
    private static final byte[] LOOP = {0x13, 0x05, 0x15, 0x00, 0x6f, (byte)0xf0, (byte)0xdf, (byte)0xff};

    private SpinningGuest()
    {
    }

    static HvmGuest start(final Hypervisor hypervisor, final Domain domain)
    {
        return start(hypervisor, domain, CpuTier.JIT);
    }

    static HvmGuest start(final Hypervisor hypervisor, final Domain domain, final CpuTier tier)
    {
        return hypervisor.startPv(domain, new MachineConfig().kernel(GuestImages.load("pv-block"))
            .preload(VirtMachine.KERNEL_BASE, LOOP).console(Console.NONE).cpuTier(tier));
    }
}
