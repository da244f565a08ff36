package io.javisor.emulation.machine;

/**
 * How a run of a {@link VirtMachine} ended.
 *
 * @param kind         what ended it
 * @param exitCode     the guest's code: the finisher's or HTIF's code, 0 for an orderly
 *                     shutdown, 1 for a shutdown reporting a system failure, and for the other
 *                     kinds a code of the machine's (see {@link Kind})
 * @param detail       one line for people: the reason recorded for a crash, or what stopped it
 * @param instructions instructions retired during the run (exact)
 * @param nanos        wall time of the run
 */
public record MachineExit(Kind kind, int exitCode, String detail, long instructions, long nanos)
{
    public enum Kind
    {
        /** The guest wrote the sifive_test finisher (pass or fail). */
        FINISHER,
        /** The guest wrote an odd value to the HTIF {@code tohost} word. */
        HTIF,
        /** SBI system reset of type shutdown, or legacy shutdown. */
        SHUTDOWN,
        /** The guest asked for a reboot (finisher reset, SBI cold or warm reboot); exit code 0. */
        RESET,
        /** The hart stopped itself (SBI HSM hart_stop) and no hart is left; exit code 0. */
        HART_STOPPED,
        /** {@link VirtMachine#stop()} was called (the user quit); exit code 0. */
        STOPPED,
        /** The instruction budget ran out; exit code 124, as timeout(1). */
        BUDGET_EXHAUSTED,
        /** The hart waits for an interrupt that nothing can raise (WFI with mie = 0); exit code 125. */
        HALTED,
        /** The guest reached a state it cannot leave (a trap loop) or broke the model; exit code 126. */
        CRASHED
    }

    /** @return instructions per microsecond, i.e. millions per second, over the run's wall time */
    public double mips()
    {
        return nanos == 0 ? 0 : instructions * 1_000.0 / nanos;
    }
}
