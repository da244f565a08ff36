package io.javisor.core.sched;

/**
 * A snapshot of one vCPU's scheduling for {@code xl vcpu-list} and {@code xl top}; its fields are read
 * one by one from a live vCPU, so they need not be mutually consistent.
 *
 * @param domid       its domain
 * @param vcpu        its number in the domain
 * @param state       where it is
 * @param worker      the worker it runs or last ran on (Xen's CPU column), or -1 before its first run
 * @param runNanos    time it has run guest code (Xen's Time(s) column)
 * @param wakes       times it was woken from a wait (an event, an interrupt, a timer)
 * @param runs        times a worker ran it (one per stretch of up to a time slice)
 * @param creditNanos its credit now: positive while it is under its share of this period (UNDER),
 *                    negative once over it (OVER)
 * @param weight      its domain's weight
 * @param cap         its domain's cap in percent of one CPU, 0 for none
 */
public record VcpuView(int domid, int vcpu, VcpuState state, int worker, long runNanos, long wakes, long runs,
    long creditNanos, int weight, int cap)
{
}
