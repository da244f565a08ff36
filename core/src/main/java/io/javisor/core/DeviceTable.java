package io.javisor.core;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * dom0's record of which back-end agent serves each PV device of a kind (disks, or vifs), kept so
 * that every question a life-cycle operation asks costs what the domain's own devices do, not what
 * every domain's do: the devices of one domain, the agent of one device, whether an agent still
 * serves anything.
 * <p>
 * Not thread-safe: the {@link Hypervisor}'s monitor guards it (its single writer is the thread in a
 * life-cycle operation).
 *
 * @param <D> the device type.
 * @param <A> the agent type.
 */
final class DeviceTable<D, A>
{
    private record Placement<A>(int domid, A agent)
    {
    }

    private final Map<D, Placement<A>> placements = new IdentityHashMap<>();
    private final Map<Integer, List<D>> byDomain = new HashMap<>();
    private final Map<A, Integer> deviceCounts = new IdentityHashMap<>();

    void put(final int domid, final D device, final A agent)
    {
        placements.put(device, new Placement<>(domid, agent));
        byDomain.computeIfAbsent(domid, _ -> new ArrayList<>(2)).add(device);
        deviceCounts.merge(agent, 1, Integer::sum);
    }

    /**
     * @return the agent that served {@code device}, or null when it is not in the table.
     */
    A remove(final D device)
    {
        final Placement<A> placement = placements.remove(device);
        if (placement == null)
        {
            return null;
        }
        final List<D> devices = byDomain.get(placement.domid());
        devices.remove(device);
        if (devices.isEmpty())
        {
            byDomain.remove(placement.domid());
        }
        deviceCounts.merge(placement.agent(), -1, (a, b) -> a + b == 0 ? null : a + b);
        return placement.agent();
    }

    /**
     * @return a copy of the devices of domain {@code domid}, in the order they were attached.
     */
    List<D> ofDomain(final int domid)
    {
        final List<D> devices = byDomain.get(domid);
        return devices == null ? List.of() : List.copyOf(devices);
    }

    /**
     * @return a copy of every device.
     */
    List<D> all()
    {
        return List.copyOf(placements.keySet());
    }

    boolean serves(final A agent)
    {
        return deviceCounts.containsKey(agent);
    }
}
