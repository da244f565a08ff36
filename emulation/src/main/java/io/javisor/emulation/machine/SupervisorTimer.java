package io.javisor.emulation.machine;

import io.javisor.emulation.cpu.CpuState;

/**
 * The S-mode timer that javisor's SBI firmware programs (SBI TIME set_timer): STIP is raised while
 * mtime >= the compare value, as OpenSBI does it on real hardware with the M-mode timer.
 */
final class SupervisorTimer
{
    private final CpuState cpu;
    private long compare = -1L;

    SupervisorTimer(final CpuState cpu)
    {
        this.cpu = cpu;
    }

    /** Program the compare value; clears STIP until the time comes (SBI set_timer). */
    void set(final long compare, final long now)
    {
        this.compare = compare;
        tick(now);
    }

    long compare()
    {
        return compare;
    }

    void tick(final long now)
    {
        cpu.setPending(CpuState.IRQ_STIP, Long.compareUnsigned(now, compare) >= 0);
    }
}
