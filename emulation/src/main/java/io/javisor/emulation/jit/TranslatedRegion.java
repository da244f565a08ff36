package io.javisor.emulation.jit;

import io.javisor.emulation.cpu.CpuState;

/**
 * One translated region of guest code: the superclass of every hidden class that
 * {@link RegionCompiler} generates, plus what {@link CodeCache} needs to find, check and invalidate it.
 * Thread safety: owned by the hart's thread (the single writer of its fields, which are set once by
 * {@link #bind} before the region is published in the cache and never change after).
 * <p>
 * Contract of {@link #execute}: run guest code from the region's entry, retiring at most {@code limit}
 * instructions, and return how many retired. On return {@code cpu.x}, {@code cpu.pc} and
 * {@code cpu.instret} are exactly what the interpreter would have left after retiring the same
 * instructions; a return of 0 means the first instruction needs the interpreter.
 */
public abstract class TranslatedRegion
{
    /** Virtual address of the entry instruction. */
    long entryVa;
    /** Physical address of the entry instruction (the region never leaves this physical page). */
    long entryPa;
    /** The translation state assumed by the code: see {@link Translator#state}. */
    int state;
    /** Physical byte range covered by the region's instructions, for invalidation: [paStart, paEnd). */
    long paStart;
    long paEnd;
    /** Guest instructions in the region (0 for the "not translatable" marker). */
    int instructions;
    /** JVM bytecode length of {@link #execute}. */
    int bytecodeLength;
    /** Page offsets at which {@link #execute} may be entered (its block leaders), ascending. */
    int[] entries = new int[0];
    /**
     * False once the cache dropped it (its code was overwritten, a flush, an eviction, another state of its
     * entry took its key); set again only when the cache revives it, its bytes unchanged in RAM
     * ({@link CodeCache#revive}). Chaining links are followed only to valid regions.
     */
    boolean valid = true;
    /**
     * How many keys (entry addresses) of the {@link CodeCache} hold it. Invariant: a valid region is held
     * by at least one, so that an invalidation, which looks regions up through the keys, finds it.
     */
    int keys;
    /** The region the last run continued into (a chaining link, checked before use), or null. */
    TranslatedRegion successor;
    /** The next region translated on the same virtual page, older (see CodeCache). */
    TranslatedRegion nextOnPage;
    /** Page offsets of all its instructions, ascending. */
    int[] offsets = new int[0];
    /**
     * The bytes of {@code [paStart, paEnd)} it was translated from, cut at the end of the entry's page
     * (the code never leaves it), or null when unknown. While RAM holds them the region is what translating
     * there again would give, so a flush keeps it (see {@link CodeCache#dropChanged}).
     */
    byte[] source;

    protected TranslatedRegion()
    {
    }

    /**
     * Run the region.
     *
     * @param cpu   the hart's state
     * @param ctx   memory access and bookkeeping hooks of the interpreter that owns the region
     * @param limit the most instructions to retire (at least 1)
     * @return how many instructions retired
     */
    public abstract long execute(CpuState cpu, RegionContext ctx, long limit);
    // (The entry point is cpu.pc, which must be one of #entries; otherwise execute returns 0.)

    /** @return whether the region can be entered at this virtual address (same page, a block leader). */
    final boolean hasEntry(final long va)
    {
        return (va & ~0xFFFL) == (entryVa & ~0xFFFL) && java.util.Arrays.binarySearch(entries, (int)(va & 0xFFF)) >= 0;
    }

    /** @return whether the region was translated for this mapping of {@code va} and this state. */
    final boolean matches(final long va, final long pa, final int state)
    {
        return entryPa - entryVa == pa - va && this.state == state;
    }

    /** @return whether one of the region's instructions is at this virtual address. */
    final boolean covers(final long va)
    {
        return (va & ~0xFFFL) == (entryVa & ~0xFFFL) && java.util.Arrays.binarySearch(offsets, (int)(va & 0xFFF)) >= 0;
    }

    /**
     * @param page a copy of the entry's physical page as RAM holds it now
     * @return whether it holds the bytes the region was translated from (false when they are unknown)
     */
    final boolean sourceMatches(final byte[] page)
    {
        final byte[] bytes = source;
        if (bytes == null)
        {
            return false;
        }
        final int from = (int)(paStart - (entryPa & ~0xFFFL));
        return java.util.Arrays.equals(bytes, 0, bytes.length, page, from, from + bytes.length);
    }

    final void bind(final long entryVa, final long entryPa, final int state, final long paStart, final long paEnd,
        final int instructions, final int bytecodeLength)
    {
        this.entryVa = entryVa;
        this.entryPa = entryPa;
        this.state = state;
        this.paStart = paStart;
        this.paEnd = paEnd;
        this.instructions = instructions;
        this.bytecodeLength = bytecodeLength;
    }

    /** A region whose entry instruction cannot be translated: it always hands back to the interpreter. */
    static final class Untranslatable extends TranslatedRegion
    {
        @Override
        public long execute(final CpuState cpu, final RegionContext ctx, final long limit)
        {
            return 0;
        }
    }
}
