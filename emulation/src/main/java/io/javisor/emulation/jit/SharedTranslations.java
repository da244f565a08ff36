package io.javisor.emulation.jit;

import java.lang.ref.WeakReference;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Translations shared by every hart in the JVM: a region's class depends only on the page's bytes,
 * the entry's virtual address, the earlier entries taken in, whether data accesses are translated and
 * the size cap (host addresses are read from the {@link RegionContext} at entry), so harts that run the
 * same guest code at the same addresses (many domains booted from one image) define and warm up one
 * hidden class, not one each, and HotSpot compiles it once.
 * Thread safety: thread-safe; written and read by the compiler threads of every hart (a
 * {@link ConcurrentHashMap}; templates are immutable once published).
 * <p>
 * A template holds its class weakly: the class stays shareable while some hart holds a region of it and
 * unloads once none does, as an unshared one would; the map itself is emptied at {@link #CAPACITY}
 * templates. A hit is checked against the whole page, so a hash collision or other code at the
 * same address never reuses a class.
 */
final class SharedTranslations
{
    /** Templates held at most ({@code -Djavisor.jit.sharedCapacity}; 0 turns sharing off). */
    static final int CAPACITY = Integer.getInteger("javisor.jit.sharedCapacity", 4096);

    private static final ConcurrentHashMap<Key, Template> TEMPLATES = new ConcurrentHashMap<>();
    private static final AtomicLong HITS = new AtomicLong();

    private record Key(long va, boolean bareData, int cap, int rootsHash, int pageHash)
    {
    }

    /**
     * What a translation made, without the hart-specific binding: the class (weakly), the page it was
     * made from and the region's shape.
     */
    record Template(byte[] page, int[] roots, WeakReference<Class<?>> regionClass, int startOffset, int endOffset,
        int instructions, int bytecodeLength, int[] entries, int[] offsets, boolean supersedes)
    {
        /** @return a new instance of the class, or null once it was unloaded. */
        TranslatedRegion instantiate()
        {
            final Class<?> c = regionClass.get();
            if (c == null)
            {
                return null;
            }
            try
            {
                return (TranslatedRegion)c.getConstructor().newInstance();
            }
            catch (final ReflectiveOperationException ex)
            {
                throw new IllegalStateException("cannot instantiate a shared translation", ex);
            }
        }
    }

    private SharedTranslations()
    {
    }

    private static Key key(final long va, final boolean bareData, final int cap, final int[] roots, final byte[] page)
    {
        return new Key(va, bareData, cap, Arrays.hashCode(roots), Arrays.hashCode(page));
    }

    /** @return a new instance of the class made from exactly these inputs with its template, or null. */
    static Hit find(final long va, final boolean bareData, final int cap, final int[] roots, final byte[] page)
    {
        if (CAPACITY == 0)
        {
            return null;
        }
        final Key key = key(va, bareData, cap, roots, page);
        final Template t = TEMPLATES.get(key);
        if (t == null || !Arrays.equals(t.page, page) || !Arrays.equals(t.roots, roots))
        {
            return null;
        }
        final TranslatedRegion region = t.instantiate();
        if (region == null)
        {
            TEMPLATES.remove(key, t);
            return null;
        }
        HITS.incrementAndGet();
        return new Hit(t, region);
    }

    /** A reused translation: its template and a fresh instance for the asking hart. */
    record Hit(Template template, TranslatedRegion region)
    {
    }

    /**
     * Publish a translation made from these inputs; {@code supersedes}: the region took in the page's
     * earlier entries (it replaces the page's previous region).
     */
    static void put(final long va, final boolean bareData, final int cap, final int[] roots, final byte[] page,
        final TranslatedRegion region, final int[] entries, final int[] offsets, final boolean supersedes)
    {
        if (CAPACITY == 0)
        {
            return;
        }
        if (TEMPLATES.size() >= CAPACITY)
        {
            TEMPLATES.clear();
        }
        final long pagePa = region.entryPa & ~0xFFFL;
        TEMPLATES.put(key(va, bareData, cap, roots, page), new Template(page, roots.clone(), new WeakReference<>(region.getClass()),
            (int)(region.paStart - pagePa), (int)(region.paEnd - pagePa), region.instructions, region.bytecodeLength,
            entries, offsets, supersedes));
    }

    /** @return lookups that reused a template, since the JVM started. */
    static long hits()
    {
        return HITS.get();
    }

    /** @return templates held now. */
    static int size()
    {
        return TEMPLATES.size();
    }
}
