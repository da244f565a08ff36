package io.javisor.netback.bridge;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A fixed set of event counts with a single writer (the forwarding thread) and readers anywhere.
 */
final class Counters
{
    private static final VarHandle VALUES = MethodHandles.arrayElementVarHandle(long[].class);

    private final long[] values;

    Counters(final int count)
    {
        values = new long[count];
    }

    void increment(final int id)
    {
        // The writer's plain read sees its own last store; the opaque store cannot tear, so a
        // reader sees some recent whole value, and costs no fence on the forwarding path.
        VALUES.setOpaque(values, id, values[id] + 1);
    }

    long get(final int id)
    {
        return (long)VALUES.getOpaque(values, id);
    }
}
