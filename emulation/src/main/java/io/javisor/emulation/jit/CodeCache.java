package io.javisor.emulation.jit;

import org.agrona.UnsafeApi;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.LongArrayList;

/**
 * Translated regions of one hart, keyed by entry virtual address and checked against the entry's
 * physical address and translation state on every lookup (so a remapped page or a mode change can
 * never run code translated for another mapping). A region may have several entries (its block
 * leaders, when not single-entry); each entry used is a key of its own, an alias of the same region.
 * Thread safety: not thread-safe; the hart's thread is the single writer and reader.
 * <p>
 * Bounded: when {@code capacity} keys are held, everything is dropped (as QEMU flushes its
 * translation buffer), which makes the hidden classes unreachable and so unloadable; the number of
 * loaded region classes stays bounded by twice the capacity (the regions held, and as many dropped ones
 * kept for {@link #revive}) plus what the garbage collector has not yet unloaded.
 */
final class CodeCache
{
    private final Long2ObjectHashMap<TranslatedRegion> byEntry = new Long2ObjectHashMap<>();
    /** The latest region translated on each virtual page (also held in {@link #byEntry}), for aliases. */
    private final Long2ObjectHashMap<TranslatedRegion> byPage = new Long2ObjectHashMap<>();
    /**
     * Per RAM page, the keys of {@link #byEntry} whose region's entry is on the page (null: none yet), so
     * that an invalidation or a flush looks only at the regions of the pages it concerns. Invariant: each
     * key of {@link #byEntry} is held, with its region, by exactly its region's entry page, once.
     */
    private final PageKeys[] keysOnPage;
    private final int capacity;
    private final long ramSize;
    private final TranslatorStatistics stats;
    private final LongArrayList scratch = new LongArrayList();
    /**
     * Regions no key holds any more, by entry and translation state, that {@link #revive} may hold again.
     * At most {@link #capacity} of them; emptied when full and when everything is dropped.
     */
    private final Long2ObjectHashMap<TranslatedRegion[]> dropped = new Long2ObjectHashMap<>();
    private int droppedCount;
    /** Translation states are below this (see {@link Translator#state}). */
    private static final int STATES = 8;
    /** A page of RAM, copied for comparisons. */
    private final byte[] pageBuffer = new byte[4096];
    /** Offset of element 0 of a byte[]. */
    private static final long BYTES = UnsafeApi.arrayBaseOffset(byte[].class);

    CodeCache(final int capacity, final long ramSize, final TranslatorStatistics stats)
    {
        this.capacity = capacity;
        this.keysOnPage = new PageKeys[(int)((ramSize + 4095) >>> 12) + 1];
        this.ramSize = ramSize;
        this.stats = stats;
    }

    /** @return the region for this entry, mapping and state, or null. */
    TranslatedRegion get(final long va, final long pa, final int state)
    {
        final TranslatedRegion r = byEntry.get(va);
        return r != null && r.matches(va, pa, state) ? r : null;
    }

    /**
     * @return a region of the page that can be entered at {@code va} under this mapping and state (and
     * record {@code va} as its alias), or null
     */
    TranslatedRegion alias(final long va, final long pa, final int state)
    {
        if (Region.SINGLE_ENTRY)
        {
            // A single-entry region's one entry is its key, which get has looked up already.
            return null;
        }
        for (TranslatedRegion r = byPage.get(va & ~0xFFFL); r != null; r = r.nextOnPage)
        {
            if (r.matches(va, pa, state) && r.hasEntry(va))
            {
                put(va, r);
                return r;
            }
        }
        return null;
    }

    /** @return whether the page has a region under this mapping and state. */
    boolean hasRegionOnPage(final long va, final long pa, final int state)
    {
        final TranslatedRegion r = byPage.get(va & ~0xFFFL);
        return r != null && r.matches(va, pa, state);
    }

    /** @return the entries of the page's latest region under the same mapping and state, or none. */
    int[] pageRoots(final long va, final long pa, final int state)
    {
        if (Region.SINGLE_ENTRY)
        {
            return NO_ROOTS;
        }
        final TranslatedRegion r = byPage.get(va & ~0xFFFL);
        return r != null && r.matches(va, pa, state) ? r.entries : NO_ROOTS;
    }

    /** @return a region of the page that has an instruction at {@code va}, under this mapping and state, or null. */
    TranslatedRegion covering(final long va, final long pa, final int state)
    {
        for (TranslatedRegion r = byPage.get(va & ~0xFFFL); r != null; r = r.nextOnPage)
        {
            if (r.matches(va, pa, state) && r.covers(va))
            {
                return r;
            }
        }
        return null;
    }

    private static final int[] NO_ROOTS = new int[0];

    /**
     * Hold a new region. {@code supersedes}: it was discovered from the entries of the page's latest
     * region too, and takes that one's place in the page's list (its aliases keep it until dropped).
     */
    void put(final TranslatedRegion region, final boolean supersedes)
    {
        put(region.entryVa, region);
        if (region.instructions > 0 && byEntry.get(region.entryVa) == region)
        {
            final long vaPage = region.entryVa & ~0xFFFL;
            final TranslatedRegion head = byPage.get(vaPage);
            region.nextOnPage = supersedes && head != null ? head.nextOnPage : head;
            byPage.put(vaPage, region);
        }
    }

    private void put(final long va, final TranslatedRegion region)
    {
        if (byEntry.size() >= capacity)
        {
            dropAll();
            stats.evictions++;
        }
        final TranslatedRegion old = byEntry.put(va, region);
        if (old == region)
        {
            return;
        }
        if (old != null)
        {
            keysOnPage[page(old.entryPa)].remove(va);
            // A region replaced here (another state or mapping of the same entry, a superseding one) is
            // not wrong: it stays valid for links to it while other keys hold it. Once no key does,
            // invalidate() can no longer find it, so it is dropped now, or a page list or a chaining
            // link could run it after its code changed.
            if (--old.keys == 0)
            {
                old.valid = false;
                unlink(old);
                keepDropped(old);
            }
        }
        region.keys++;
        final int page = page(region.entryPa);
        if (keysOnPage[page] == null)
        {
            keysOnPage[page] = new PageKeys();
        }
        keysOnPage[page].add(va, region);
    }

    boolean hasKeysOn(final long pa)
    {
        final PageKeys keys = keysOnPage[page(pa)];
        return keys != null && keys.size != 0;
    }

    /** @return entries held now (a region entered at several addresses counts once for each). */
    int size()
    {
        return byEntry.size();
    }

    /**
     * Drop the regions whose instructions overlap physical {@code [pa, pa + length)}.
     *
     * @return how many entries were dropped
     */
    int invalidate(final long pa, final long length)
    {
        final long end = pa + length;
        // A region's bytes lie on its entry's page, but for an untranslatable entry's 4, which may reach 2
        // bytes into the next page: the page before is looked at too when the range starts in those.
        final int firstPage = Math.max(0, page(pa) - ((pa & 0xFFF) < 2 ? 1 : 0));
        final int lastPage = Math.min(keysOnPage.length - 1, page(end - 1));
        scratch.clear();
        for (int p = firstPage; p <= lastPage; p++)
        {
            final PageKeys keys = keysOnPage[p];
            for (int i = 0, n = keys == null ? 0 : keys.size; i < n; i++)
            {
                final TranslatedRegion r = keys.regions[i];
                // A region's instructions all lie in [paStart, paEnd).
                if (r.paStart < end && pa < r.paEnd)
                {
                    scratch.addLong(keys.vas[i]);
                }
            }
        }
        return scratch.isEmpty() ? 0 : dropScratch();
    }

    /**
     * Drop the regions whose code RAM no longer holds (FENCE.I, a flush of all code): the others are
     * exactly what translating their bytes again would give, so they stay. On a page that holds what it
     * held at its last check only the regions added since are compared.
     *
     * @param ramAddress host address of RAM's base
     * @return how many entries were dropped
     */
    int dropChanged(final long ramAddress)
    {
        scratch.clear();
        for (int p = 0; p < keysOnPage.length; p++)
        {
            final PageKeys keys = keysOnPage[p];
            if (keys == null)
            {
                continue;
            }
            if (keys.size == 0)
            {
                keys.checked = null;
                continue;
            }
            final int length = (int)Math.min(4096, ramSize - ((long)p << 12));
            UnsafeApi.copyMemory(null, ramAddress + ((long)p << 12), pageBuffer, BYTES, length);
            final boolean unchanged = keys.checked != null &&
                java.util.Arrays.equals(pageBuffer, 0, length, keys.checked, 0, length);
            for (int i = unchanged ? keys.checkedCount : 0; i < keys.size; i++)
            {
                if (!keys.regions[i].sourceMatches(pageBuffer))
                {
                    scratch.addLong(keys.vas[i]);
                }
            }
            // The regions that stay hold the page's bytes as they are now (those dropped below leave the list).
            if (keys.checked == null)
            {
                keys.checked = new byte[4096];
            }
            if (!unchanged)
            {
                System.arraycopy(pageBuffer, 0, keys.checked, 0, length);
            }
            keys.checkedCount = keys.size;
        }
        return scratch.isEmpty() ? 0 : dropScratch();
    }

    /** Drop the entries listed in {@link #scratch}, counted as invalidations. */
    private int dropScratch()
    {
        for (int i = 0; i < scratch.size(); i++)
        {
            final long va = scratch.getLong(i);
            final TranslatedRegion r = byEntry.remove(va);
            r.valid = false;
            keysOnPage[page(r.entryPa)].remove(va);
            unlink(r);
            if (--r.keys == 0)
            {
                keepDropped(r);
            }
        }
        stats.invalidations += scratch.size();
        return scratch.size();
    }

    /**
     * Keep a region that no key holds any more for {@link #revive}: whatever dropped it (another state or
     * mapping of its entry took its key, or a write overlapped its code, which may be undone), its code is
     * the same function of its bytes as long as RAM holds them.
     */
    private void keepDropped(final TranslatedRegion region)
    {
        if (droppedCount >= capacity)
        {
            dropped.clear();
            droppedCount = 0;
        }
        TranslatedRegion[] byState = dropped.get(region.entryVa);
        if (byState == null)
        {
            byState = new TranslatedRegion[STATES];
            dropped.put(region.entryVa, byState);
        }
        if (byState[region.state] == null)
        {
            droppedCount++;
        }
        byState[region.state] = region;
    }

    /**
     * Hold again a region dropped from this entry (see {@link #keepDropped}) that was translated for the same
     * mapping and state, if RAM still holds the bytes it was translated from: it is then what translating
     * them again would give.
     *
     * @param ramAddress host address of RAM's base
     * @return the region, held again and valid, or null
     */
    TranslatedRegion revive(final long va, final long pa, final int state, final long ramAddress)
    {
        final TranslatedRegion[] byState = dropped.get(va);
        final TranslatedRegion r = byState == null ? null : byState[state];
        if (r == null || !r.matches(va, pa, state))
        {
            return null;
        }
        byState[state] = null;
        droppedCount--;
        // Only the region's own bytes are copied, to where they are in the page.
        final int from = (int)(r.paStart & 0xFFF);
        final int length = r.source == null ? 0 : r.source.length;
        UnsafeApi.copyMemory(null, ramAddress + (r.paStart - RegionCompiler.RAM_BASE), pageBuffer, BYTES + from, length);
        if (!r.sourceMatches(pageBuffer))
        {
            return null;
        }
        r.valid = true;
        put(r, false);
        stats.revivals++;
        return r;
    }

    /** Take a region out of its page's list. */
    private void unlink(final TranslatedRegion region)
    {
        final long vaPage = region.entryVa & ~0xFFFL;
        TranslatedRegion head = byPage.get(vaPage);
        if (head == region)
        {
            head = region.nextOnPage;
            if (head == null)
            {
                byPage.remove(vaPage);
            }
            else
            {
                byPage.put(vaPage, head);
            }
            return;
        }
        for (TranslatedRegion r = head; r != null; r = r.nextOnPage)
        {
            if (r.nextOnPage == region)
            {
                r.nextOnPage = region.nextOnPage;
                return;
            }
        }
    }

    private void dropAll()
    {
        for (final TranslatedRegion r : byEntry.values())
        {
            r.keys = 0;
            r.valid = false;
        }
        byEntry.clear();
        byPage.clear();
        dropped.clear();
        droppedCount = 0;
        java.util.Arrays.fill(keysOnPage, null);
    }

    private static int page(final long pa)
    {
        return (int)((pa - RegionCompiler.RAM_BASE) >>> 12);
    }

    /**
     * The keys held for the regions of one RAM page, with their regions, in the order they were added, and
     * what {@link #dropChanged} last found on the page. Invariant: the first {@link #checkedCount} regions
     * have their source bytes in {@link #checked}.
     */
    private static final class PageKeys
    {
        long[] vas = new long[8];
        TranslatedRegion[] regions = new TranslatedRegion[8];
        int size;
        /** The page's bytes at the last check, or null. */
        byte[] checked;
        int checkedCount;

        void add(final long va, final TranslatedRegion region)
        {
            if (size == vas.length)
            {
                vas = java.util.Arrays.copyOf(vas, size * 2);
                regions = java.util.Arrays.copyOf(regions, size * 2);
            }
            vas[size] = va;
            regions[size++] = region;
        }

        void remove(final long va)
        {
            for (int i = 0; i < size; i++)
            {
                if (vas[i] == va)
                {
                    // In order, so that the checked ones stay first.
                    System.arraycopy(vas, i + 1, vas, i, size - i - 1);
                    System.arraycopy(regions, i + 1, regions, i, size - i - 1);
                    regions[--size] = null;
                    if (i < checkedCount)
                    {
                        checkedCount--;
                    }
                    return;
                }
            }
        }
    }
}
