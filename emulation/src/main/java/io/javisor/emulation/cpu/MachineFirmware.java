package io.javisor.emulation.cpu;

/**
 * M-mode services that the host provides instead of guest firmware, as KVM and Xen do for RISC-V
 * guests: when an {@link Interpreter} has one installed, an ECALL from S-mode is answered here and
 * never reaches the guest's {@code mtvec}. javisor's SBI implementation is one.
 * <p>
 * Called on the thread running the hart, at the ECALL, with {@code pc} still pointing at it. The
 * handler reads its arguments from {@code a0..a7} once, writes its results (for SBI: a0 = error,
 * a1 = value) and returns; the interpreter then retires the ECALL ({@code pc += 4}) unless the
 * handler moved {@code pc} itself (a non-retentive suspend resumes elsewhere).
 */
@FunctionalInterface
public interface MachineFirmware
{
    /**
     * @param cpu the hart, in S-mode
     * @return {@code null} to go on running, or why {@link Interpreter#run} should return after
     * retiring the ECALL: {@link StopReason#WFI} to sleep until an interrupt is pending (suspend),
     * {@link StopReason#FIRMWARE_STOP} when the hart or the system was stopped or reset
     */
    StopReason ecallFromSupervisor(CpuState cpu);
}
