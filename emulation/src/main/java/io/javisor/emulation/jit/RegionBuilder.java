package io.javisor.emulation.jit;

import io.javisor.emulation.isa.Decoded;

import java.util.ArrayList;
import java.util.List;

/**
 * One translation job: discovers the region for an entry in a copy of its page, generates and loads
 * its class, and binds the result. Runs on the background compiler thread, or on the hart's thread
 * when translation is synchronous.
 * Thread safety: confined to the thread that calls {@link #build} (the job's fields are set before it
 * is handed over and the hand-over is a safe publication); the result is published the same way.
 */
final class RegionBuilder
{
    final long va;
    final long pa;
    final int state;
    final boolean bareData;
    /** A copy of the code's physical page, taken on the hart's thread when the job was made. */
    final byte[] page;
    /** Earlier entries on the page, taken in too (the result then supersedes the page's region). */
    int[] roots;
    private final int cap;

    /** When the job was made (System.nanoTime), for the install latency. */
    final long created = System.nanoTime();

    // The result, set by build.
    TranslatedRegion result;
    long nanos;
    int recompilesTooBig;
    /** Whether the result reuses a class from {@link SharedTranslations}. */
    boolean sharedHit;

    RegionBuilder(final long va, final long pa, final int state, final boolean bareData, final byte[] page,
        final int[] roots, final int cap)
    {
        this.va = va;
        this.pa = pa;
        this.state = state;
        this.bareData = bareData;
        this.page = page;
        this.roots = roots;
        this.cap = cap;
    }

    RegionBuilder build()
    {
        final long start = System.nanoTime();
        final long pagePa = pa & ~0xFFFL;
        final int[] givenRoots = roots;
        final SharedTranslations.Hit hit = SharedTranslations.find(va, bareData, cap, givenRoots, page);
        if (hit != null)
        {
            // Another hart (or an earlier machine) translated this very code: reuse its class.
            final SharedTranslations.Template shared = hit.template();
            result = hit.region();
            result.bind(va, pa, state, pagePa + shared.startOffset(), pagePa + shared.endOffset(),
                shared.instructions(), shared.bytecodeLength());
            result.entries = shared.entries();
            result.offsets = shared.offsets();
            if (!shared.supersedes())
            {
                roots = new int[0];
            }
            sharedHit = true;
            keepSource();
            nanos = System.nanoTime() - start;
            return this;
        }
        final RegionDiscovery discovery = new RegionDiscovery();
        final RegionCompiler compiler = new RegionCompiler();
        int limit = cap;
        Region region = discovery.discover(page, va, pa, roots, limit);
        if (region != null && region.indexOf((int)(va & 0xFFF)) < 0)
        {
            // The earlier entries' code was found, but the new entry's instruction is not translatable.
            region = null;
        }
        if (region == null)
        {
            untranslatable();
        }
        else
        {
            byte[] bytes = compiler.generate(region, bareData);
            int length = RegionCompiler.executeLength(bytes);
            if ((length > Translator.MAX_BYTECODE || region.size() >= limit) && roots.length > 0)
            {
                // The page's code does not fit one region: this entry gets a region of its own.
                roots = new int[0];
                region = discovery.discover(page, va, pa, roots, limit);
                bytes = compiler.generate(region, bareData);
                length = RegionCompiler.executeLength(bytes);
            }
            while (length > Translator.MAX_BYTECODE && limit > 8)
            {
                limit /= 2;
                recompilesTooBig++;
                region = discovery.discover(page, va, pa, roots, limit);
                bytes = compiler.generate(region, bareData);
                length = RegionCompiler.executeLength(bytes);
            }
            bindResult(compiler.load(bytes), region, length);
            SharedTranslations.put(va, bareData, cap, givenRoots, page, result, result.entries, result.offsets,
                roots.length > 0);
        }
        keepSource();
        nanos = System.nanoTime() - start;
        return this;
    }

    /** The result for an entry whose instruction cannot be translated: a marker that hands back at once. */
    private void untranslatable()
    {
        result = new TranslatedRegion.Untranslatable();
        result.bind(va, pa, state, pa, pa + 4, 0, 0);
        roots = new int[0];
    }

    private void bindResult(final TranslatedRegion made, final Region region, final int length)
    {
        final long pagePa = pa & ~0xFFFL;
        final int last = region.size() - 1;
        made.bind(va, pa, state, pagePa + region.offsets[0],
            pagePa + region.offsets[last] + Decoded.length(region.decoded[last]), region.size(), length);
        made.entries = region.entries();
        made.offsets = region.offsets;
        result = made;
    }

    /** Remember the bytes the result was made from (see {@link TranslatedRegion#source}). */
    private void keepSource()
    {
        final long pagePa = pa & ~0xFFFL;
        result.source = java.util.Arrays.copyOfRange(page, (int)(result.paStart - pagePa),
            (int)Math.min(result.paEnd - pagePa, page.length));
    }

    /**
     * Build many jobs, their regions loaded as one class: each region is discovered as {@link #build}
     * discovers it and its method's code is what {@link #build} would load (see
     * {@link RegionCompiler#generateBatch}), which saves a class definition per region. The jobs take in no
     * earlier entries (no roots). A region too big for one method is built alone, by {@link #build}, which
     * halves it as it would on its own.
     */
    static void buildAll(final List<RegionBuilder> jobs, final long ramAddress, final long ramSize)
    {
        final long start = System.nanoTime();
        final RegionDiscovery discovery = new RegionDiscovery();
        final List<RegionBuilder> batched = new ArrayList<>(jobs.size());
        final List<Region> regions = new ArrayList<>(jobs.size());
        int alone = 0;
        for (final RegionBuilder job : jobs)
        {
            assert job.roots.length == 0;
            final Region region = discovery.discover(job.page, job.va, job.pa, job.roots, job.cap);
            if (region == null)
            {
                job.untranslatable();
                job.keepSource();
                continue;
            }
            batched.add(job);
            regions.add(region);
        }
        final RegionCompiler compiler = new RegionCompiler();
        TranslatedRegion[] made = new TranslatedRegion[0];
        int[] lengths = new int[0];
        while (!batched.isEmpty())
        {
            final int n = batched.size();
            final boolean[] bare = new boolean[n];
            for (int i = 0; i < n; i++)
            {
                bare[i] = batched.get(i).bareData;
            }
            final byte[] bytes = compiler.generateBatch(regions.toArray(new Region[0]), bare);
            lengths = RegionCompiler.batchLengths(bytes, n);
            final int before = n;
            for (int i = n - 1; i >= 0; i--)
            {
                if (lengths[i] > Translator.MAX_BYTECODE)
                {
                    batched.remove(i).build();
                    regions.remove(i);
                    alone++;
                }
            }
            if (batched.size() == before)
            {
                made = compiler.loadBatch(bytes, n);
                break;
            }
        }
        for (int i = 0; i < batched.size(); i++)
        {
            batched.get(i).bindResult(made[i], regions.get(i), lengths[i]);
            batched.get(i).keepSource();
        }
        // The batch's time, shared by the jobs it built (those built alone timed themselves).
        final long each = (System.nanoTime() - start) / Math.max(1, jobs.size() - alone);
        for (final RegionBuilder job : jobs)
        {
            if (job.nanos == 0)
            {
                job.nanos = each;
            }
        }
    }

    /**
     * @return whether RAM still holds, over the region's bytes, what the job translated (checked on the
     * hart's thread before a background result is installed: a store may have come in between)
     */
    boolean stillMatches(final long ramAddress)
    {
        final TranslatedRegion r = result;
        final long pagePa = pa & ~0xFFFL;
        final long host = ramAddress + (pagePa - RegionCompiler.RAM_BASE);
        // (An untranslatable entry's 4 bytes may run past the page; only its own page was copied.)
        final long end = Math.min(r.paEnd, pagePa + 4096);
        for (long p = r.paStart; p < end; p++)
        {
            final int off = (int)(p - pagePa);
            if (org.agrona.UnsafeApi.getByte(host + off) != page[off])
            {
                return false;
            }
        }
        return true;
    }
}
