package io.javisor.emulation.cpu;

/**
 * The interrupt inputs of a hart, as a board's devices (CLINT, PLIC) drive them.
 * <p>
 * Level-triggered: a device raises a line and keeps it raised until the cause is cleared, and
 * the hart takes the interrupt at an instruction boundary once it is enabled. Calls must come
 * from the thread running the hart (for instance between {@link Interpreter#run} calls, or from a
 * device model the hart calls into); a cross-thread wake-up is the caller's business.
 */
public interface InterruptLines
{
    /**
     * Raise or lower one line.
     *
     * @param bit the mip bit: {@link CpuState#IRQ_MSIP}, {@link CpuState#IRQ_MTIP},
     *            {@link CpuState#IRQ_MEIP}, {@link CpuState#IRQ_SSIP}, {@link CpuState#IRQ_STIP}
     *            or {@link CpuState#IRQ_SEIP}
     */
    void setPending(int bit, boolean level);
}
