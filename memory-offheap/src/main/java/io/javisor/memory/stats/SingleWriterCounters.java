package io.javisor.memory.stats;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A fixed set of event counts with one writer thread and readers on any thread. <b>Single writer:</b>
 * the owner names it (a bridge's forwarding thread, a device's vCPU thread); a role that moves between
 * threads must order one holder's writes before the next one's (e.g. by the hand-over's CAS). Readers
 * see recent whole values, each counter on its own (not a snapshot of the set).
 * <p>
 * {@link #addFromAnyThread} is for the odd counter that other threads also bump; it is an atomic add
 * and must not be mixed with {@link #add} on the same counter from more than one thread.
 */
public final class SingleWriterCounters
{
    private static final VarHandle VALUES = MethodHandles.arrayElementVarHandle(long[].class);

    private final long[] values;

    public SingleWriterCounters(final int count)
    {
        values = new long[count];
    }

    /** The single writer counts one event. */
    public void increment(final int id)
    {
        add(id, 1);
    }

    /** The single writer adds {@code delta}. */
    public void add(final int id, final long delta)
    {
        // Plain read: the single writer sees its own last store. Release store: a reader's acquire load
        // that sees this value also sees everything the writer did before it (e.g. the frame counted
        // was switched); a plain store on x86 and ARMv8 (stlr), no fence.
        VALUES.setRelease(values, id, values[id] + delta);
    }

    /** Any thread counts one event: an atomic add, for a counter several threads bump. */
    public void incrementFromAnyThread(final int id)
    {
        VALUES.getAndAdd(values, id, 1L);
    }

    /** Any thread: the counter's latest published value. */
    public long get(final int id)
    {
        return (long)VALUES.getAcquire(values, id);
    }
}
