package io.javisor.emulation.jit;

import io.javisor.emulation.cpu.CpuState;
import org.agrona.UnsafeApi;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.LongHashSet;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Tier 1 of one hart: counts the instructions the interpreter runs on each RAM page, translates the code
 * reachable from a hot entry into a {@link TranslatedRegion}, keeps it in a {@link CodeCache} and runs
 * it. Translation runs on the {@link BackgroundCompiler} while the interpreter goes on (synchronously,
 * on the hart's thread, when the threshold is 0), or, for entries noted ({@link #noteEntries}), in
 * batches when the caller asks ({@link #translateNoted}).
 * Thread safety: not thread-safe; the hart's thread (the one that calls {@code Interpreter.run}) is the
 * single writer of everything here, apart from {@link RegionContext#stopRequested} and the queue of
 * finished jobs, which the compiler thread fills.
 */
public final class Translator
{
    /**
     * Instructions the interpreter runs on a page before code there is translated. Chosen from
     * measurements on this 2-core host (noisy: other builds ran alongside): U-Boot under OpenSBI for
     * 60M instructions takes 0.69 s interpreted, 1.13 s at 100k (230 regions), 0.77 s at 1M (71), 1.0-1.5 s
     * at 3M (17); cpubench takes 1.7-2.0 s of hart CPU at 100k, 1M and 3M alike. Translating costs 1-20 ms
     * of the compiler thread per region plus the JVM's own warm-up of each new method, which boot code
     * that runs once never repays.
     */
    public static final int DEFAULT_THRESHOLD = 1_000_000;
    /** Misses at one entry of a page that has regions before that page is retranslated for it. */
    private static final int ENTRY_THRESHOLD = 16;
    /**
     * Guest instructions per region at most; regions whose bytecode still exceeds {@link #MAX_BYTECODE} are
     * halved. Measured on cpubench (wall time of the run, two runs each): cap 24: 3.9/3.8 s (too many
     * dispatches), 32: 1.73/1.70 s, 40: 1.92/1.89 s, 48: 1.72/1.72 s, 64: 1.88/2.21 s, 80: 1.94/1.85 s,
     * 100: 1.98/2.04 s, 200: 2.32/2.39 s (C2 spends longer per method and deoptimises the whole big method
     * for each guest branch first taken late). 48 instructions make about 1,200-2,000 bytes of bytecode.
     * Again with single-entry regions and chaining (hart CPU, two runs each): 32: 1.48/1.41 s, 48: 1.35/1.38 s,
     * 96: 1.61/1.47 s, 160: 1.75/1.50 s.
     */
    public static final int DEFAULT_REGION_CAP = 48;
    /** Regions held at most before the cache is emptied. */
    public static final int DEFAULT_CAPACITY = 2048;
    /** The most instructions one call of a region may retire (about a millisecond). */
    static final long MAX_RUN = 1L << 20;
    /** HotSpot does not compile methods over 8,000 bytes of bytecode; keep well under. */
    static final int MAX_BYTECODE = 7_000;

    /** {@code -Djavisor.jit.trace=true}: one line on stderr per translation. */
    private static final boolean TRACE = Boolean.getBoolean("javisor.jit.trace");

    private final RegionContext ctx;
    private final long ramAddress;
    private final TranslatorStatistics stats = new TranslatorStatistics();
    private final CodeCache cache;
    private final long ramSize;
    /** Translate on the background compiler (threshold above 0), or synchronously. */
    private final boolean background;
    /** Physical pages (pa >>> 12) on which the background compiler is building a region. */
    private final LongHashSet pending = new LongHashSet();
    /** Finished background jobs, filled by the compiler thread, drained by the hart's thread. */
    private final ConcurrentLinkedQueue<RegionBuilder> done = new ConcurrentLinkedQueue<>();
    /** Offset of element 0 of a byte[]. */
    private static final long BYTES = UnsafeApi.arrayBaseOffset(byte[].class);
    /** Per RAM page: instructions the interpreter ran there (saturating at the threshold). */
    private final int[] heat;
    /** Misses at entries of pages that already have a region; emptied when it grows past this. */
    private final Long2LongHashMap entryHeat = new Long2LongHashMap(0);
    private static final int MAX_ENTRY_HEAT = 1 << 16;
    private final int threshold;
    private final int regionCap;
    /** Entries to translate later (see {@link #noteEntries}), or null when each is translated as it comes. */
    private LinkedHashSet<Entry> noted;
    /**
     * Regions per class in {@link #translateNoted}: enough that the class's own costs (definition, constant
     * pool, instantiation) are small beside its methods'.
     */
    static final int BATCH = 64;

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
        this.ramSize = ramSize;
        this.background = threshold > 0;
        this.cache = new CodeCache(capacity, ramSize, stats);
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
     * @param bareFetch whether instruction fetches are untranslated (then regions may be chained)
     * @param resumed whether this is the first dispatch of an interpreter run (pc may be mid-block)
     * @return the instructions retired; 0 when the interpreter must run the next instruction
     */
    public long run(final CpuState cpu, final long va, final long pa, final int priv, final boolean bareData,
        final boolean bareFetch, final long limit, final boolean resumed)
    {
        final int state = state(priv, bareData);
        TranslatedRegion region = cache.get(va, pa, state);
        if (region == null)
        {
            region = cache.alias(va, pa, state);
        }
        if (region == null)
        {
            if (background)
            {
                installFinished();
                region = cache.get(va, pa, state);
                if (region == null)
                {
                    region = cache.alias(va, pa, state);
                }
            }
        }
        if (region == null)
        {
            final int page = (int)((pa - RegionCompiler.RAM_BASE) >>> 12);
            if (heat[page] < threshold)
            {
                return 0;
            }
            // The page is hot and has a region, but not for this entry: retranslating the page costs
            // a new class, so an entry must be hot on its own first.
            if (cache.hasRegionOnPage(va, pa, state))
            {
                // Where the previous run's exact budget stopped, inside a region of the page but not at
                // an entry: the interpreter runs on to the next taken branch, whose target is an entry.
                // Translating here would only churn the page's region (and its JVM compilation).
                if (resumed && cache.covering(va, pa, state) != null)
                {
                    return 0;
                }
                // Anywhere else a missed pc is reached by a jump, again and again if hot: a new entry.
                final long h = entryHeat.get(va) + 1;
                if (h <= Math.min(threshold, ENTRY_THRESHOLD))
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
            region = revive(va, pa, state);
            if (region == null && noted != null)
            {
                noted.add(new Entry(va, pa, state, bareData));
                return 0;
            }
            if (region == null)
            {
                region = translate(va, pa, state, bareData);
            }
            if (region == null)
            {
                return 0;
            }
        }
        long total = 0;
        while (true)
        {
            stats.dispatches++;
            // At most MAX_RUN per call, so that a stop request is seen soon without a test in every loop.
            final long retired = region.execute(cpu, ctx, Math.min(limit - total, MAX_RUN));
            total += retired;
            // Chaining: with untranslated fetches (pc = physical address, no mapping to re-check), go on
            // to the region at the new pc through the last one's successor link, without the trip
            // through the interpreter's loop, as long as budget is left and nothing is pending for it.
            if (retired == 0 || !bareFetch || total >= limit || (cpu.mip & cpu.mie) != 0 ||
                RegionOps.stopRequested(ctx))
            {
                break;
            }
            final long next = cpu.pc;
            TranslatedRegion successor = region.successor;
            // A link is used only while its region is still held and was made for this pc, untranslated
            // (entryPa == entryVa), and this state.
            if (successor == null || successor.entryVa != next || successor.entryPa != next || !successor.valid ||
                successor.state != state)
            {
                successor = cache.get(next, next, state);
                if (successor == null || successor.instructions == 0)
                {
                    break;
                }
                region.successor = successor;
                stats.chainLinks++;
            }
            region = successor;
        }
        stats.instructionsRetired += total;
        return total;
    }

    /** The interpreter ran {@code retired} instructions on the page of physical {@code pa} (in RAM). */
    public void noteInterpreted(final long pa, final long retired)
    {
        final int page = (int)((pa - RegionCompiler.RAM_BASE) >>> 12);
        final int h = heat[page];
        if (h < threshold)
        {
            heat[page] = (int)Math.min(threshold, h + retired);
        }
    }

    /**
     * Translate the region for an entry: at once on this thread when the threshold is 0 (tests rely on
     * it), otherwise on the background compiler while the interpreter runs on.
     *
     * @return the region, or null when it is being built
     */
    private TranslatedRegion translate(final long va, final long pa, final int state, final boolean bareData)
    {
        // One job per page at a time: the page's other entries then alias its region or extend it.
        if (pending.contains(pa >>> 12))
        {
            return null;
        }
        // Earlier entries on this page (same mapping and state) are taken in too: the new region
        // replaces the page's previous one for all of them.
        final int[] roots = cache.pageRoots(va, pa, state);
        final byte[] page = new byte[4096];
        final long pagePa = pa & ~0xFFFL;
        UnsafeApi.copyMemory(null, ramAddress + (pagePa - RegionCompiler.RAM_BASE), page, BYTES, 4096);
        final RegionBuilder job = new RegionBuilder(va, pa, state, bareData, page, roots, regionCap);
        if (!background)
        {
            return install(job.build());
        }
        if (BackgroundCompiler.submit(job, done::offer))
        {
            pending.add(pa >>> 12);
            stats.backgroundJobs++;
        }
        return null;
    }

    /** An entry to translate: where, under which mapping and translation state. */
    private record Entry(long va, long pa, int state, boolean bareData)
    {
    }

    /**
     * Note entries instead of translating them: while on, an entry that would be translated now is only
     * noted (its code runs on the interpreter), and {@link #translateNoted} translates what was noted, many
     * regions to a class. For a caller that runs the same code again (a test replaying runs, a warm start):
     * with single-entry regions (the default) the regions are those that translating on demand would give.
     */
    public void noteEntries(final boolean on)
    {
        noted = on ? (noted != null ? noted : new LinkedHashSet<>()) : null;
    }

    /** @return entries noted (each once) since {@link #noteEntries} and the last {@link #translateNoted} */
    public int notedEntries()
    {
        return noted == null ? 0 : noted.size();
    }

    /**
     * Translate the noted entries that have no region yet, on this thread, at most {@link #BATCH} regions to
     * a class, and forget them.
     *
     * @return how many entries were translated (untranslatable ones included)
     */
    public int translateNoted()
    {
        if (noted == null)
        {
            return 0;
        }
        final Long2ObjectHashMap<byte[]> pages = new Long2ObjectHashMap<>();
        final List<RegionBuilder> batch = new ArrayList<>(BATCH);
        int translated = 0;
        for (final Entry e : noted)
        {
            if (cache.get(e.va, e.pa, e.state) != null || revive(e.va, e.pa, e.state) != null)
            {
                continue;
            }
            final long pagePa = e.pa & ~0xFFFL;
            byte[] page = pages.get(pagePa);
            if (page == null)
            {
                page = new byte[4096];
                UnsafeApi.copyMemory(null, ramAddress + (pagePa - RegionCompiler.RAM_BASE), page, BYTES, 4096);
                pages.put(pagePa, page);
            }
            final int[] roots = cache.pageRoots(e.va, e.pa, e.state);
            final RegionBuilder job = new RegionBuilder(e.va, e.pa, e.state, e.bareData, page, roots, regionCap);
            translated++;
            if (roots.length > 0)
            {
                // Taking in the page's earlier entries: as on demand, one after the other.
                install(job.build());
                continue;
            }
            batch.add(job);
            if (batch.size() == BATCH)
            {
                installAll(batch);
            }
        }
        installAll(batch);
        noted.clear();
        return translated;
    }

    /** @return a dropped region for this entry held again (see {@link CodeCache#revive}), or null */
    private TranslatedRegion revive(final long va, final long pa, final int state)
    {
        final TranslatedRegion region = cache.revive(va, pa, state, ramAddress);
        if (region != null)
        {
            // As when it was installed: stores onto its page must check for code.
            ctx.codePages[(int)(((pa & ~0xFFFL) - RegionCompiler.RAM_BASE) >>> 12)] = 1;
        }
        return region;
    }

    private void installAll(final List<RegionBuilder> batch)
    {
        RegionBuilder.buildAll(batch, ramAddress, ramSize);
        for (final RegionBuilder job : batch)
        {
            install(job);
        }
        batch.clear();
    }

    /** Install what the background compiler finished, unless the code changed meanwhile. */
    private void installFinished()
    {
        RegionBuilder job;
        while ((job = done.poll()) != null)
        {
            pending.remove(job.pa >>> 12);
            if (job.result == null)
            {
                continue;
            }
            if (!job.stillMatches(ramAddress))
            {
                stats.discardedStale++;
                continue;
            }
            install(job);
        }
    }

    private TranslatedRegion install(final RegionBuilder job)
    {
        final TranslatedRegion translated = job.result;
        if (translated.instructions == 0)
        {
            stats.untranslatable++;
        }
        else
        {
            // Stores onto this page must now check for code (see RegionContext#codePages).
            ctx.codePages[(int)(((job.pa & ~0xFFFL) - RegionCompiler.RAM_BASE) >>> 12)] = 1;
            stats.regionsTranslated++;
            stats.instructionsTranslated += translated.instructions;
            stats.bytecodeBytes += translated.bytecodeLength;
        }
        stats.recompilesTooBig += job.recompilesTooBig;
        if (job.sharedHit)
        {
            stats.sharedHits++;
        }
        stats.compileNanos += job.nanos;
        cache.put(translated, job.roots.length > 0);
        if (TRACE)
        {
            System.err.printf("jit: va %x pa %x state %d roots %d: %d instructions, %d bytes, %d entries, %d us to build, " +
                "%d us after the request%n", job.va, job.pa, job.state, job.roots.length, translated.instructions,
                translated.bytecodeLength, translated.entries.length, job.nanos / 1000, (System.nanoTime() - job.created) / 1000);
        }
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

    /**
     * FENCE.I, or a flush of all code: drop every region whose code changed in RAM, whether or not the
     * writes were reported. A region whose bytes RAM still holds is kept: translating them again would
     * give the same region.
     */
    public void flush()
    {
        cache.dropChanged(ramAddress);
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
