package io.javisor.emulation.machine;

/**
 * What a hart wants after one {@link VirtMachine#runSlice}: to run on, to wait, or nothing more.
 */
public enum SliceOutcome
{
    /** Its time ran out with guest instructions still to run: run it again when its turn comes. */
    RUNNABLE,
    /**
     * It waits (WFI, a blocking hypercall, a pause) until {@link VirtMachine#wakeUp()} is called or
     * {@link VirtMachine#wakeDeadline()} passes, whichever comes first; running it earlier is harmless.
     */
    WAITING,
    /** The run ended: {@link VirtMachine#lastExit()} says how. */
    EXITED
}
