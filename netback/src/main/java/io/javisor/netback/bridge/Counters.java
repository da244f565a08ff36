package io.javisor.netback.bridge;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A fixed set of event counts. <b>Single writer: the bridge's forwarding thread</b> (the role may pass
 * between threads; the hand-over CAS orders one holder's writes before the next one's); readers on
 * any thread see recent whole values, each counter on its own (not a snapshot of the set).
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
        // Plain read: the single writer sees its own last store. Release store: a reader's acquire
        // load that sees this value also sees everything the forwarding thread wrote before it
        // (e.g. the frame counted was switched); a plain store on x86 and ARMv8 (stlr), no fence.
        VALUES.setRelease(values, id, values[id] + 1);
    }

    long get(final int id)
    {
        return (long)VALUES.getAcquire(values, id);
    }
}
