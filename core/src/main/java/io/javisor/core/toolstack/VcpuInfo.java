package io.javisor.core.toolstack;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One vCPU as {@code xl vcpu-list} shows it, with the credit scheduler's view of it. Immutable; read
 * racily from a live vCPU, so its fields need not be mutually consistent.
 *
 * @param name     its domain's name
 * @param id       its domain's id
 * @param vcpu     its number in the domain
 * @param cpu      the scheduler worker it runs or last ran on (Xen's physical CPU), or -1 when none
 * @param state    xl's letters: {@code r--} running, {@code -b-} blocked (waits for an event, costs
 *                 nothing), {@code --p} paused, {@code ---} runnable and waiting for a worker (or
 *                 held back by its cap)
 * @param timeS    seconds it has run guest code
 * @param creditMs its credit now in ms: positive while under its share of this period, negative over it
 *                 (0 without a scheduler)
 * @param weight   its domain's weight (0 without a scheduler)
 * @param cap      its domain's cap in percent of one CPU, 0 for none
 * @param wakes    times it was woken from a wait
 * @param runs     times a worker ran it
 */
public record VcpuInfo(String name, int id, int vcpu, int cpu, String state, double timeS, double creditMs, int weight,
    int cap, long wakes, long runs)
{
    /** The protocol's form: a JSON object. */
    public Map<String, Object> toMap()
    {
        final Map<String, Object> map = new LinkedHashMap<>();
        map.put("name", name);
        map.put("id", id);
        map.put("vcpu", vcpu);
        map.put("cpu", cpu);
        map.put("state", state);
        map.put("time_s", timeS);
        map.put("credit_ms", creditMs);
        map.put("weight", weight);
        map.put("cap", cap);
        map.put("wakes", wakes);
        map.put("runs", runs);
        return map;
    }
}
