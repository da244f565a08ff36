package io.javisor.netback.bridge;

import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The bridges of a host by name ({@code xenbr0}, {@code xenbr1}, ...), each an isolated broadcast
 * domain: a frame switched on one never reaches the ports of another. Safe for any thread.
 */
public final class Bridges
{
    private final ConcurrentMap<String, Bridge> byName = new ConcurrentHashMap<>();

    /**
     * The bridge called {@code name}, created with the default ageing time and capacity if there
     * is none yet; concurrent callers all get the same one.
     */
    public Bridge getOrCreate(final String name)
    {
        if (name == null || name.isEmpty())
        {
            throw new IllegalArgumentException("bridge name must not be empty");
        }
        return byName.computeIfAbsent(name, Bridge::new);
    }

    /**
     * The bridge called {@code name}, or null.
     */
    public Bridge get(final String name)
    {
        return byName.get(name);
    }

    /**
     * The names of the bridges, sorted; a copy.
     */
    public Set<String> names()
    {
        return new TreeSet<>(byName.keySet());
    }
}
