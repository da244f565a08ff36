package io.javisor.perf.sched;

import io.javisor.core.Domain;
import io.javisor.core.HvmGuest;
import io.javisor.core.Hypervisor;
import io.javisor.emulation.cpu.RamBus;
import io.javisor.emulation.guests.GuestImages;
import io.javisor.emulation.machine.BootMode;
import io.javisor.emulation.machine.Console;
import io.javisor.emulation.machine.CpuTier;
import io.javisor.emulation.machine.MachineConfig;
import io.javisor.emulation.machine.VirtMachine;

/**
 * Guests that never wait, for the scheduler's measurements: a guest image with its first two
 * instructions replaced by {@code 1: addi a0, a0, 1; j 1b}, so that it counts in a0 as long as it runs.
 */
final class SpinningGuest
{
    /** {@code addi a0, a0, 1} (0x00150513) and {@code jal x0, -4} (0xffdff06f), little-endian. */
    private static final byte[] LOOP = {0x13, 0x05, 0x15, 0x00, 0x6f, (byte)0xf0, (byte)0xdf, (byte)0xff};

    private SpinningGuest()
    {
    }

    /** A bare HVM guest (hello's image, at the start of RAM): no PV rings, no event channels of dom0's. */
    static HvmGuest startBare(final Hypervisor hypervisor, final Domain domain)
    {
        return hypervisor.startHvm(domain, new MachineConfig().bootMode(BootMode.BARE).kernel(GuestImages.load("hello"))
            .preload(RamBus.RAM_BASE, LOOP).console(Console.NONE).cpuTier(CpuTier.INTERPRETER));
    }

    /** A PV kernel (pv-block's image, at the S-mode kernel's base). */
    static HvmGuest start(final Hypervisor hypervisor, final Domain domain, final CpuTier tier)
    {
        return hypervisor.startPv(domain, new MachineConfig().kernel(GuestImages.load("pv-block"))
            .preload(VirtMachine.KERNEL_BASE, LOOP).console(Console.NONE).cpuTier(tier));
    }
}
