package io.javisor.emulation.board;

/**
 * A device with work arriving from other threads (e.g. frames a bridge delivers to an emulated
 * NIC), which the machine's run loop lets it take in between instruction slices and while the
 * hart sleeps in WFI. {@link #poll()} runs on the vCPU thread, the device's single writer; the
 * other thread wakes the hart ({@code VirtMachine.wakeUp}) so that a sleeping guest sees the work.
 */
@FunctionalInterface
public interface PolledDevice
{
    /** Move pending host-side work into guest-visible device state; vCPU thread only. */
    void poll();
}
