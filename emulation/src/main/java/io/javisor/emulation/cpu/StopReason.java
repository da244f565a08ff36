package io.javisor.emulation.cpu;

/** Why {@link Interpreter#run(long)} returned. */
public enum StopReason
{
    /** The step budget was used up; the hart is at a clean instruction boundary. */
    BUDGET_EXHAUSTED,
    /**
     * A trap was raised with no instruction retired since the previous trap entry: the handler's
     * first instruction itself traps, so the hart would loop forever. State is left as after the
     * second trap entry.
     */
    TRAP_LOOP,
    /**
     * WFI executed with no interrupt pending in mie; pc is after the WFI. The caller may sleep
     * until a line is raised through {@link InterruptLines} and then run again.
     */
    WFI,
    /**
     * The {@link MachineFirmware} stopped the hart or asked for a system reset (SBI SRST, HSM
     * hart_stop); the firmware knows which.
     */
    FIRMWARE_STOP,
    /** {@link Interpreter#requestStop()} was called (a device such as the test finisher asked). */
    HOST_STOP
}
