package io.javisor.core.sched;

/**
 * Where a vCPU is, as {@code xl vcpu-list} shows it.
 */
public enum VcpuState
{
    /** On a worker now ({@code r}). */
    RUNNING,
    /** On a run queue, waiting for a worker. */
    RUNNABLE,
    /** Waiting for an event, an interrupt or a timer (WFI, a blocking hypercall, a pause) ({@code b}): it costs nothing. */
    BLOCKED,
    /** Its domain used up its cap for now; runnable again when the next accounting period refills its credit. */
    CAPPED,
    /** Its guest has ended. */
    DONE;

    static VcpuState of(final int state)
    {
        return switch (state)
        {
            case Vcpu.IDLE -> BLOCKED;
            case Vcpu.QUEUED -> RUNNABLE;
            case Vcpu.RUNNING, Vcpu.RUNNING_WOKEN -> RUNNING;
            case Vcpu.PARKED -> CAPPED;
            default -> DONE;
        };
    }
}
