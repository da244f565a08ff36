package io.javisor.emulation.jit;

import java.util.Arrays;

/**
 * The instructions of one region as {@link RegionDiscovery} found them, sorted by address: their
 * page offsets, their {@link io.javisor.emulation.isa.Decoded} words, and which are block leaders
 * and loop headers.
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
    /**
     * Instruction i starts a block: the entry, a jump target, after a control transfer or a gap, or the
     * fall-through of an instruction whose next one in address order overlaps it.
     */
    final boolean[] leader;
    /** Instruction i is the target of a backward jump inside the region: a loop header. */
    final boolean[] loopHeader;
    /**
     * Instruction i is not a leader but directly follows a load or store: where the interpreter resumes
     * after running an access the region left to it (MMIO, a fault), so an entry too.
     */
    final boolean[] sideEntry;

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
        this.sideEntry = new boolean[offsets.length];
        for (int i = 1; i < offsets.length; i++)
        {
            final int op = io.javisor.emulation.isa.Decoded.opcode(decoded[i - 1]);
            sideEntry[i] = !leader[i] && op >= io.javisor.emulation.isa.Opcode.LB && op <= io.javisor.emulation.isa.Opcode.SD;
        }
    }

    /** @return the page offsets of the leaders and side entries: where the generated method may be entered. */
    int[] entries()
    {
        int count = 0;
        for (int i = 0; i < leader.length; i++)
        {
            count += isEntry(i) ? 1 : 0;
        }
        final int[] entries = new int[count];
        for (int i = 0, j = 0; i < leader.length; i++)
        {
            if (isEntry(i))
            {
                entries[j++] = offsets[i];
            }
        }
        return entries;
    }

    /**
     * A region is entered only at the pc it was translated for (default; {@code -Djavisor.jit.singleEntry=false}
     * enters it at every leader and after every access instead). Single entry keeps every guest loop a
     * reducible JVM loop: entries into a loop body from the method's entry switch make it irreducible,
     * which C2 optimises less. Measured on cpubench, hart CPU time over three interleaved runs each:
     * 1.64/1.75/1.63 s single entry, 2.02/1.83/2.10 s multiple entries; U-Boot to its prompt 0.83 s with
     * 137 regions against 0.90 s with 68.
     */
    static final boolean SINGLE_ENTRY = Boolean.parseBoolean(System.getProperty("javisor.jit.singleEntry", "true"));

    /** @return whether the generated method may be entered at instruction {@code i}. */
    boolean isEntry(final int i)
    {
        return SINGLE_ENTRY ? offsets[i] == (int)(entryVa & 0xFFF) : leader[i] || sideEntry[i];
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
