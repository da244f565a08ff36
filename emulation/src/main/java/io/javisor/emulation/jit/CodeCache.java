package io.javisor.emulation.jit;

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
 * loaded region classes stays bounded by the capacity plus what the garbage collector has not yet
 * unloaded.
 */
final class CodeCache
{
    private final Long2ObjectHashMap<TranslatedRegion> byEntry = new Long2ObjectHashMap<>();
    /** The latest region translated on each virtual page (also held in {@link #byEntry}), for aliases. */
    private final Long2ObjectHashMap<TranslatedRegion> byPage = new Long2ObjectHashMap<>();
    /** Keys per RAM page. Invariant: equals the number of keys of {@link #byEntry} whose region is on the page. */
    private final int[] keysOnPage;
    private final int capacity;
    private final TranslatorStatistics stats;
    private final LongArrayList scratch = new LongArrayList();

    CodeCache(final int capacity, final long ramSize, final TranslatorStatistics stats)
    {
        this.capacity = capacity;
        this.keysOnPage = new int[(int)((ramSize + 4095) >>> 12) + 1];
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
            keysOnPage[page(old.entryPa)]--;
            // A region replaced here (another state or mapping of the same entry, a superseding one) is
            // not wrong: it stays valid for links to it while other keys hold it. Once no key does,
            // invalidate() can no longer find it, so it is dropped now, or a page list or a chaining
            // link could run it after its code changed.
            if (--old.keys == 0)
            {
                old.valid = false;
                unlink(old);
            }
        }
        region.keys++;
        keysOnPage[page(region.entryPa)]++;
    }

    boolean hasKeysOn(final long pa)
    {
        return keysOnPage[page(pa)] != 0;
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
        final int firstPage = Math.max(0, page(pa));
        final int lastPage = Math.min(keysOnPage.length - 1, page(end - 1));
        boolean any = false;
        for (int p = firstPage; p <= lastPage; p++)
        {
            if (keysOnPage[p] != 0)
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
        byEntry.forEachLong((va, r) ->
        {
            // A region's instructions all lie in [paStart, paEnd).
            if (r.paStart < end && pa < r.paEnd)
            {
                scratch.addLong(va);
            }
        });
        for (int i = 0; i < scratch.size(); i++)
        {
            final TranslatedRegion r = byEntry.remove(scratch.getLong(i));
            r.keys--;
            r.valid = false;
            keysOnPage[page(r.entryPa)]--;
            unlink(r);
        }
        stats.invalidations += scratch.size();
        return scratch.size();
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

    /** Drop everything, counted as invalidations (FENCE.I, a flush). */
    void clear()
    {
        stats.invalidations += byEntry.size();
        dropAll();
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
        java.util.Arrays.fill(keysOnPage, 0);
    }

    private static int page(final long pa)
    {
        return (int)((pa - RegionCompiler.RAM_BASE) >>> 12);
    }
}
