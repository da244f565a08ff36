package io.javisor.emulation.jit;

import java.util.Arrays;

/**
 * The instructions of one region as {@link RegionDiscovery} found them, sorted by address: their
 * page offsets, their {@link io.javisor.emulation.isa.Decoded} words, and which are block leaders
 * and loop headers.
 * <p>
 * Thread safety: immutable once built; built and read by one thread.
 */
final class Region
{
    final long entryVa;
    final long entryPa;
    /** Virtual address of the page (the region never leaves it). */
    final long vaPage;
    /** Page offsets of the instructions, ascending. */
    final int[] offsets;
    final long[] decoded;
    /** Instruction i starts a block: the entry, a jump target, or after a control transfer or a gap. */
    final boolean[] leader;
    /** Instruction i is the target of a backward jump inside the region: a loop header. */
    final boolean[] loopHeader;

    Region(final long entryVa, final long entryPa, final int[] offsets, final long[] decoded,
        final boolean[] leader, final boolean[] loopHeader)
    {
        this.entryVa = entryVa;
        this.entryPa = entryPa;
        this.vaPage = entryVa & ~0xFFFL;
        this.offsets = offsets;
        this.decoded = decoded;
        this.leader = leader;
        this.loopHeader = loopHeader;
    }

    int size()
    {
        return offsets.length;
    }

    /** @return the index of the instruction at page offset {@code offset}, or -1 when it is not in the region. */
    int indexOf(final int offset)
    {
        final int i = Arrays.binarySearch(offsets, offset);
        return i >= 0 ? i : -1;
    }
}
