package io.javisor.core.toolstack;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One domain as {@code list} shows it: xl's columns (name, id, memory in MiB, vCPUs, the six-letter
 * state {@code rbpscd}, CPU seconds) and, for {@code list -l}, what it was created from and how it
 * ended. Immutable.
 */
public record DomainInfo(
    String name,
    int id,
    String type,
    int memoryMiB,
    int vcpus,
    String state,
    double cpuSeconds,
    String shutdownReason,
    String crashReason,
    String onPoweroff,
    String onReboot,
    String onCrash,
    int weight,
    int cap,
    List<String> disks,
    List<String> vifs,
    long consoleBytes,
    long instructions)
{
    /** The fields by their JSON names, for the daemon's replies. */
    public Map<String, Object> toMap()
    {
        final Map<String, Object> map = new LinkedHashMap<>();
        map.put("name", name);
        map.put("id", id);
        map.put("type", type);
        map.put("memory_mib", memoryMiB);
        map.put("vcpus", vcpus);
        map.put("state", state);
        map.put("cpu_s", cpuSeconds);
        map.put("shutdown_reason", shutdownReason);
        map.put("crash_reason", crashReason);
        map.put("on_poweroff", onPoweroff);
        map.put("on_reboot", onReboot);
        map.put("on_crash", onCrash);
        map.put("weight", weight);
        map.put("cap", cap);
        map.put("disks", disks);
        map.put("vifs", vifs);
        map.put("console_bytes", consoleBytes);
        map.put("instructions", instructions);
        return map;
    }
}
