package io.javisor.emulation.cpu;

import java.util.Arrays;

/**
 * Pre-decoded instructions per RAM page: one {@code long} per halfword slot (an instruction may
 * start at any even offset), in the {@link CachedInstruction} layout; 0 means "not decoded".
 * <p>
 * Invariant: a non-zero slot always equals the decoding of the bytes now in RAM at that address.
 * It is kept by invalidating on every write into RAM that the CPU makes (stores, SC, AMOs) and on
 * every write made behind the CPU's back (loaders, firmware, device DMA), which must call
 * {@link #invalidate} or {@link #clear}. Instructions that cross a page boundary and illegal ones
 * are never cached: the interpreter's general path runs them.
 * <p>
 * A guest that executes from every page of its RAM would make this four times the size of RAM, so
 * at most {@code maxPages} pages are kept: when full, everything is dropped and refilled on demand
 * (as QEMU flushes its translation buffer when full).
 */
final class DecodedPages
{
    static final int SLOTS = 2048;
    /**
     * Each page array has one more entry than slots: a sentinel at index {@link #SLOTS}, never
     * zero and never executed ({@link CachedInstruction#END}), that ends a fast run which falls
     * off the end of the page with pc = the next page's first byte.
     */
    static final int LENGTH = SLOTS + 1;

    private final long[][] pages;
    private final int maxPages;
    private int cached;
    private long flushes;

    DecodedPages(final long ramSize, final int maxPages)
    {
        this.pages = new long[(int)((ramSize + 4095) >>> 12)][];
        this.maxPages = maxPages;
    }

    /** @return the slots of RAM page {@code index}, allocated on first use. */
    long[] page(final int index)
    {
        long[] page = pages[index];
        if (page == null)
        {
            if (cached == maxPages)
            {
                clear();
                flushes++;
            }
            page = new long[LENGTH];
            page[SLOTS] = CachedInstruction.END;
            pages[index] = page;
            cached++;
        }
        return page;
    }

    /**
     * Forget every slot that a write of {@code length} bytes (1..8, not crossing a page) at RAM
     * offset {@code offset} may have changed: those it covers, and the one two bytes before, whose
     * 32-bit instruction would reach into it.
     */
    void invalidate(final long offset, final int length)
    {
        final long[] page = pages[(int)(offset >>> 12)];
        if (page != null)
        {
            final int first = Math.max(0, ((int)(offset & 0xFFF) >>> 1) - 1);
            final int last = (int)((offset + length - 1) & 0xFFF) >>> 1;
            for (int i = first; i <= last; i++)
            {
                page[i] = 0;
            }
        }
    }

    /** Forget every page that overlaps the RAM range. */
    void invalidateRange(final long offset, final long length)
    {
        if (length <= 0)
        {
            return;
        }
        final int first = (int)(offset >>> 12);
        final int last = (int)Math.min(pages.length - 1, (offset + length - 1) >>> 12);
        for (int i = first; i <= last; i++)
        {
            if (pages[i] != null)
            {
                pages[i] = null;
                cached--;
            }
        }
    }

    void clear()
    {
        Arrays.fill(pages, null);
        cached = 0;
    }

    int cachedPages()
    {
        return cached;
    }

    /** @return how many times the cache filled up and was dropped. */
    long flushes()
    {
        return flushes;
    }
}
