package io.javisor.netback.bridge;

import io.javisor.memory.testing.Seed;
import io.javisor.memory.testing.Seeded;
import io.javisor.netback.spec.MacAddress;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

@Seeded
class MacTableTest
{
    @Test
    void tableHasRoomForTwiceItsCapacity()
    {
        assertEquals(2, new MacTable(1, 10, new BridgeStatistics()).slots());
        assertEquals(8, new MacTable(3, 10, new BridgeStatistics()).slots());
        assertEquals(8192, new MacTable(4096, 10, new BridgeStatistics()).slots());
    }

    /**
     * Learning, ageing, sweeping and detaching in random order over a few hundred addresses in a
     * small table, so that probe chains collide, wrap and are shifted back on removal; after every
     * step each address must map as a plain map of the same rules says.
     */
    @Test
    void agreesWithASimpleModelUnderChurn(final Seed seed)
    {
        final long ageing = 50;
        final int capacity = 64;
        final MacTable table = new MacTable(capacity, ageing, new BridgeStatistics());
        final AttachedPort[] ports = new AttachedPort[4];
        for (int i = 0; i < ports.length; i++)
        {
            ports[i] = new AttachedPort(new TestPort("p" + i), i + 1);
        }
        final Map<Long, AttachedPort> owner = new HashMap<>();
        final Map<Long, Long> seen = new HashMap<>();
        final SplittableRandom random = seed.splittableRandom();

        for (long now = 0; now < 200_000; now++)
        {
            final long mac = Frames.mac(random.nextInt(300));
            final int action = random.nextInt(100);
            if (action < 60)
            {
                final AttachedPort port = ports[random.nextInt(ports.length)];
                if (port.isAttached())
                {
                    if (owner.containsKey(mac) || owner.size() < capacity)
                    {
                        owner.put(mac, port);
                        seen.put(mac, now);
                    }
                    table.learn(mac, port, now);
                }
            }
            else if (action < 95)
            {
                final AttachedPort expected = live(owner, seen, mac, now, ageing);
                assertSame(expected, table.lookup(mac, now), "lookup " + MacAddress.toString(mac) + " at " + now);
                if (expected == null)
                {
                    owner.remove(mac);
                    seen.remove(mac);
                }
            }
            else if (action < 99)
            {
                final long sweptAt = now;
                table.sweep(sweptAt);
                owner.keySet().removeIf(m -> live(owner, seen, m, sweptAt, ageing) == null);
            }
            else
            {
                final int i = random.nextInt(ports.length);
                ports[i].markDetached();
                table.forgetDetached();
                owner.values().removeIf(p -> p == ports[i]);
                ports[i] = new AttachedPort(new TestPort("p" + i), i + 1);
            }
            seen.keySet().retainAll(owner.keySet());
            assertEquals(owner.size(), table.size(), "size at " + now);
            for (final Map.Entry<Long, AttachedPort> entry : owner.entrySet())
            {
                final AttachedPort expected = live(owner, seen, entry.getKey(), now, ageing);
                assertSame(expected, table.peek(entry.getKey(), now));
            }
        }
        int counted = 0;
        for (final AttachedPort port : ports)
        {
            counted += port.learnedMacs;
        }
        assertEquals(table.size(), counted, "per-port entry counts add up");
    }

    private static AttachedPort live(
        final Map<Long, AttachedPort> owner, final Map<Long, Long> seen, final long mac, final long now, final long ageing)
    {
        final AttachedPort port = owner.get(mac);
        return port == null || now - seen.get(mac) > ageing || !port.isAttached() ? null : port;
    }
}
