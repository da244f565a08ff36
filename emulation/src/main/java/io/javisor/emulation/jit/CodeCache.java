package io.javisor.emulation.jit;

import org.agrona.collections.Long2ObjectHashMap;

import java.util.ArrayList;

/**
 * Translated regions of one hart, keyed by entry virtual address and checked against the entry's
 * physical address and translation state on every lookup (so a remapped page or a mode change can
 * never run code translated for another mapping). Bounded: when {@code capacity} regions are held,
 * everything is dropped (as QEMU flushes its translation buffer), which makes the hidden classes
 * unreachable and so unloadable; the number of loaded region classes stays bounded by the capacity
 * plus what the garbage collector has not yet unloaded.
 * <p>
 * Thread safety: not thread-safe; the hart's thread is the single writer and reader.
 */
final class CodeCache
{
    private final Long2ObjectHashMap<TranslatedRegion> byEntry = new Long2ObjectHashMap<>();
    /** Regions per RAM page. Invariant: equals the number of held regions whose entry is on the page. */
    private final int[] regionsOnPage;
    private final int capacity;
    private final TranslatorStatistics stats;
    private final ArrayList<TranslatedRegion> scratch = new ArrayList<>();

    CodeCache(final int capacity, final long ramSize, final TranslatorStatistics stats)
    {
        this.capacity = capacity;
        this.regionsOnPage = new int[(int)((ramSize + 4095) >>> 12) + 1];
        this.stats = stats;
    }

    /** @return the region for this entry, mapping and state, or null. */
    TranslatedRegion get(final long va, final long pa, final int state)
    {
        final TranslatedRegion r = byEntry.get(va);
        return r != null && r.entryPa == pa && r.state == state ? r : null;
    }

    void put(final TranslatedRegion region)
    {
        if (byEntry.size() >= capacity)
        {
            dropAll();
            stats.evictions++;
        }
        final TranslatedRegion old = byEntry.put(region.entryVa, region);
        if (old != null)
        {
            regionsOnPage[page(old.entryPa)]--;
        }
        regionsOnPage[page(region.entryPa)]++;
    }

    int size()
    {
        return byEntry.size();
    }

    boolean hasRegionsOn(final long pa)
    {
        return regionsOnPage[page(pa)] != 0;
    }

    /**
     * Drop the regions whose instructions overlap physical {@code [pa, pa + length)}.
     *
     * @return how many were dropped
     */
    int invalidate(final long pa, final long length)
    {
        final long end = pa + length;
        final int firstPage = page(pa);
        final int lastPage = page(end - 1);
        boolean any = false;
        for (int p = firstPage; p <= lastPage && p < regionsOnPage.length; p++)
        {
            if (p >= 0 && regionsOnPage[p] != 0)
            {
                any = true;
                break;
            }
        }
        if (!any)
        {
            return 0;
        }
        scratch.clear();
        for (final TranslatedRegion r : byEntry.values())
        {
            // The instruction that starts 2 bytes before paStart never belongs to the region, so the
            // region's bytes are exactly [paStart, paEnd).
            if (r.paStart < end && pa < r.paEnd)
            {
                scratch.add(r);
            }
        }
        for (final TranslatedRegion r : scratch)
        {
            byEntry.remove(r.entryVa);
            regionsOnPage[page(r.entryPa)]--;
        }
        stats.invalidations += scratch.size();
        return scratch.size();
    }

    /** Drop everything, counted as invalidations (FENCE.I, a flush). */
    void clear()
    {
        stats.invalidations += byEntry.size();
        dropAll();
    }

    private void dropAll()
    {
        byEntry.clear();
        java.util.Arrays.fill(regionsOnPage, 0);
    }

    private static int page(final long pa)
    {
        return (int)((pa - RegionCompiler.RAM_BASE) >>> 12);
    }
}
