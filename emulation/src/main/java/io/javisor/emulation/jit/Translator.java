package io.javisor.emulation.jit;

import io.javisor.emulation.cpu.CpuState;
import io.javisor.emulation.isa.Decoded;
import org.agrona.collections.Long2LongHashMap;

/**
 * Tier 1 of one hart: counts how often the interpreter comes to each RAM page, translates the code
 * reachable from a hot entry into a {@link TranslatedRegion}, keeps it in a {@link CodeCache} and runs
 * it. Translation is synchronous, on the hart's thread, when an entry's page turns hot.
 * <p>
 * Thread safety: not thread-safe; the hart's thread (the one that calls {@code Interpreter.run}) is the
 * single writer of everything here, apart from {@link RegionContext#stopRequested}.
 */
public final class Translator
{
    /** Dispatches into a page before its entries are translated: chosen from measurements (see README). */
    public static final int DEFAULT_THRESHOLD = 16;
    /** Guest instructions per region at most; regions whose bytecode still exceeds {@link #MAX_BYTECODE} are halved. */
    public static final int DEFAULT_REGION_CAP = 48;
    /** Regions held at most before the cache is emptied. */
    public static final int DEFAULT_CAPACITY = 2048;
    /** HotSpot does not compile methods over 8,000 bytes of bytecode; keep well under. */
    static final int MAX_BYTECODE = 7_000;

    /** {@code -Djavisor.jit.trace=true}: one line on stderr per translation. */
    private static final boolean TRACE = Boolean.getBoolean("javisor.jit.trace");

    private final RegionContext ctx;
    private final long ramAddress;
    private final TranslatorStatistics stats = new TranslatorStatistics();
    private final CodeCache cache;
    private final RegionDiscovery discovery = new RegionDiscovery();
    private final RegionCompiler compiler;
    /** Per RAM page: how often the interpreter came to it without a region for the entry. */
    private final int[] heat;
    /** Misses at entries of pages that already have a region; emptied when it grows past this. */
    private final Long2LongHashMap entryHeat = new Long2LongHashMap(0);
    private static final int MAX_ENTRY_HEAT = 1 << 16;
    private final int threshold;
    private final int regionCap;

    public Translator(final RegionContext ctx, final long ramAddress, final long ramSize, final int threshold)
    {
        this(ctx, ramAddress, ramSize, threshold, DEFAULT_CAPACITY, DEFAULT_REGION_CAP);
    }

    public Translator(final RegionContext ctx, final long ramAddress, final long ramSize, final int threshold,
        final int capacity, final int regionCap)
    {
        this.ctx = ctx;
        this.ramAddress = ramAddress;
        this.threshold = threshold;
        this.regionCap = regionCap;
        this.cache = new CodeCache(capacity, ramSize, stats);
        this.compiler = new RegionCompiler(ramAddress, ramSize);
        this.heat = new int[(int)((ramSize + 4095) >>> 12) + 1];
    }

    /**
     * The translation state a region assumes: the privilege (3 bits) and whether data accesses are
     * untranslated. Paging details (satp, MPRV, SUM, MXR) are read live by {@link RegionContext#translate}.
     */
    public static int state(final int priv, final boolean bareData)
    {
        return priv | (bareData ? 4 : 0);
    }

    /**
     * Run translated code at {@code va} (physical {@code pa}, in RAM), translating it first when hot.
     *
     * @return the instructions retired; 0 when the interpreter must run the next instruction
     */
    public long run(final CpuState cpu, final long va, final long pa, final int priv, final boolean bareData,
        final long limit)
    {
        final int state = state(priv, bareData);
        TranslatedRegion region = cache.get(va, pa, state);
        if (region == null)
        {
            region = cache.alias(va, pa, state);
        }
        if (region == null)
        {
            final int page = (int)((pa - RegionCompiler.RAM_BASE) >>> 12);
            if (heat[page] < threshold)
            {
                heat[page]++;
                return 0;
            }
            // The page is hot and has a region, but not for this entry: retranslating the page costs
            // a new class, so an entry must be hot on its own first.
            if (cache.pageRoots(va, pa, state).length != 0)
            {
                // Inside the page's region but not at an entry (where an exact budget stopped the
                // interpreter mid-block): the interpreter runs on to the next taken branch, whose target
                // is an entry. Translating here would only rebuild the same code.
                if (cache.covering(va, pa, state) != null)
                {
                    return 0;
                }
                final long h = entryHeat.get(va) + 1;
                if (h <= threshold)
                {
                    if (entryHeat.size() > MAX_ENTRY_HEAT)
                    {
                        entryHeat.clear();
                    }
                    entryHeat.put(va, h);
                    return 0;
                }
                entryHeat.remove(va);
            }
            region = translate(va, pa, state, bareData);
        }
        stats.dispatches++;
        final long retired = region.execute(cpu, ctx, limit);
        stats.instructionsRetired += retired;
        return retired;
    }

    private TranslatedRegion translate(final long va, final long pa, final int state, final boolean bareData)
    {
        final long start = System.nanoTime();
        final long pagePa = pa & ~0xFFFL;
        final long hostPage = ramAddress + (pagePa - RegionCompiler.RAM_BASE);
        int cap = regionCap;
        // Earlier entries on this page (same mapping and state) are taken in too: the new region
        // replaces the page's previous one for all of them.
        int[] roots = cache.pageRoots(va, pa, state);
        Region region = discovery.discover(hostPage, va, pa, roots, cap);
        if (region != null && region.indexOf((int)(va & 0xFFF)) < 0)
        {
            // The earlier entries' code was found, but the new entry's instruction is not translatable.
            region = null;
        }
        final TranslatedRegion translated;
        if (region == null)
        {
            translated = new TranslatedRegion.Untranslatable();
            translated.bind(va, pa, state, pa, pa + 4, 0, 0);
            stats.untranslatable++;
        }
        else
        {
            byte[] bytes = compiler.generate(region, bareData);
            int length = RegionCompiler.executeLength(bytes);
            if ((length > MAX_BYTECODE || region.size() >= cap) && roots.length > 0)
            {
                // The page's code does not fit one region: this entry gets a region of its own.
                roots = new int[0];
                region = discovery.discover(hostPage, va, pa, roots, cap);
                bytes = compiler.generate(region, bareData);
                length = RegionCompiler.executeLength(bytes);
            }
            while (length > MAX_BYTECODE && cap > 8)
            {
                cap /= 2;
                stats.recompilesTooBig++;
                region = discovery.discover(hostPage, va, pa, roots, cap);
                bytes = compiler.generate(region, bareData);
                length = RegionCompiler.executeLength(bytes);
            }
            translated = compiler.load(bytes);
            final int last = region.size() - 1;
            translated.bind(va, pa, state, pagePa + region.offsets[0],
                pagePa + region.offsets[last] + Decoded.length(region.decoded[last]), region.size(), length);
            translated.entries = region.entries();
            translated.offsets = region.offsets;
            // Stores onto this page must now check for code (see RegionContext#codePages).
            ctx.codePages[(int)((pagePa - RegionCompiler.RAM_BASE) >>> 12)] = 1;
            stats.regionsTranslated++;
            stats.instructionsTranslated += region.size();
            stats.bytecodeBytes += length;
        }
        cache.put(translated, roots.length > 0);
        if (TRACE)
        {
            System.err.printf("jit: va %x pa %x state %d roots %d: %d instructions, %d bytes, %d entries%n", va, pa,
                state, roots.length, translated.instructions, translated.bytecodeLength, translated.entries.length);
        }
        stats.compileNanos += System.nanoTime() - start;
        return translated;
    }

    /**
     * RAM in physical {@code [pa, pa + length)} changed: drop the regions that cover it.
     *
     * @return whether any region was dropped
     */
    public boolean invalidate(final long pa, final long length)
    {
        return cache.invalidate(pa, length) != 0;
    }

    /** Drop every region (FENCE.I, or a flush of all code). */
    public void flush()
    {
        cache.clear();
    }

    /** @return whether translated code starts on the RAM page of physical address {@code pa}. */
    public boolean hasRegionsAt(final long pa)
    {
        return cache.hasKeysOn(pa);
    }

    /** @return regions held now. */
    public int cachedRegions()
    {
        return cache.size();
    }

    public TranslatorStatistics statistics()
    {
        return stats;
    }

    public RegionContext context()
    {
        return ctx;
    }
}
