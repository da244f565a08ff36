package io.javisor.ringio.xenstore;

import io.javisor.memory.testing.Seed;
import io.javisor.memory.testing.Seeded;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * A node's children behave as a LinkedHashMap that is copied on every edit, whatever their number
 * and however their names' hashes collide, and a difference between two versions names exactly
 * the children that are not the same node in both.
 */
@Seeded
class ChildMapTest
{
    private static final NodePermissions DOM0_ONLY = NodePermissions.of(0, XenStoreAccess.NONE);

    @Test
    void randomEditsMatchALinkedHashMap(final Seed seed)
    {
        final SplittableRandom random = seed.splittableRandom();
        ChildMap map = ChildMap.EMPTY;
        Map<String, Node> model = new LinkedHashMap<>();
        final List<ChildMap> versions = new ArrayList<>();
        final List<Map<String, Node>> models = new ArrayList<>();
        for (int step = 0; step < 20_000; step++)
        {
            // Names from a small pool keep adds, replacements and removals all frequent; "Aa"/"BB"
            // share a hash, so collision buckets are exercised too.
            final String name = random.nextInt(8) == 0 ? (random.nextBoolean() ? "Aa" : "BB") : "n" + random.nextInt(3000);
            if (random.nextInt(3) == 0)
            {
                map = map.without(name);
                model.remove(name);
            }
            else
            {
                final Node node = Node.leaf(Node.EMPTY_VALUE, DOM0_ONLY, step + 1);
                map = map.with(name, node);
                model.put(name, node);
            }
            if (step % 997 == 0)
            {
                versions.add(map);
                models.add(new LinkedHashMap<>(model));
            }
        }
        assertSameContent(model, map);
        for (int i = 0; i < versions.size(); i++)
        {
            assertSameContent(models.get(i), versions.get(i)); // old versions are untouched
        }
        for (int i = 1; i < versions.size(); i++)
        {
            final Set<String> reported = new HashSet<>();
            ChildMap.forEachDifference(versions.get(i - 1), versions.get(i), reported::add);
            assertEquals(differences(models.get(i - 1), models.get(i)), reported, "difference of versions " + (i - 1) + ", " + i);
        }
    }

    @Test
    void aReplacementKeepsItsPlaceAndAReAddGoesLast()
    {
        final Node a = Node.leaf(Node.EMPTY_VALUE, DOM0_ONLY, 1);
        final Node b = Node.leaf(Node.EMPTY_VALUE, DOM0_ONLY, 2);
        final Node c = Node.leaf(Node.EMPTY_VALUE, DOM0_ONLY, 3);
        ChildMap map = ChildMap.EMPTY.with("a", a).with("b", b).with("c", c);
        map = map.with("a", c);
        assertEquals(List.of("a", "b", "c"), map.names());
        map = map.without("a").with("a", a);
        assertEquals(List.of("b", "c", "a"), map.names());
        assertSame(map, map.with("a", a), "putting the same node changes nothing");
        assertSame(map, map.without("zz"));
        assertNull(map.get("zz"));
        assertSame(ChildMap.EMPTY, map.without("a").without("b").without("c"));
    }

    private static void assertSameContent(final Map<String, Node> model, final ChildMap map)
    {
        assertEquals(model.size(), map.size());
        assertEquals(new ArrayList<>(model.keySet()), map.names());
        assertEquals(new ArrayList<>(model.values()), map.nodes());
        model.forEach((name, node) ->
        {
            assertSame(node, map.get(name), name);
            final String path = "/dir/" + name + "/below";
            assertSame(node, map.get(path, 5, 5 + name.length()), "a component of " + path);
        });
        assertNull(map.get("/dir/n30000/below", 5, 11), "a name that was never added");
    }

    private static Set<String> differences(final Map<String, Node> a, final Map<String, Node> b)
    {
        final Set<String> names = new HashSet<>();
        a.forEach((name, node) -> { if (b.get(name) != node) names.add(name); });
        b.forEach((name, node) -> { if (a.get(name) != node) names.add(name); });
        return names;
    }
}
