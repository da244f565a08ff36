package io.javisor.emulation.fuzz;

import io.javisor.emulation.cpu.StopReason;

import java.util.EnumMap;
import java.util.Map;

/**
 * What a {@link DifferentialHarness} ran, for the fuzzer's report and its coverage assertions: regions
 * compared, how they ended, what B translated and where the time went. Several harnesses' counts
 * (one per thread) add up with {@link #add}.
 * Thread safety: not thread-safe; each harness writes its own, and they are added after the threads end.
 */
final class FuzzCounts
{
    long regions;
    long retired;
    long exceptions;
    long pagesRestored;
    final Map<StopReason, Long> stops = new EnumMap<>(StopReason.class);
    /** Regions that ended in M, S and U mode, by privilege. */
    final long[] finalPriv = new long[4];
    /** B's entries noted and then translated many to a class, and those translated on demand, one class each. */
    long translatedInBatches;
    long translatedOnDemand;
    /** B's instructions retired by translated code. */
    long retiredTranslated;
    /** B's regions held again instead of translated again, and times B's code cache filled up and was emptied. */
    long revivals;
    long evictions;
    /** Nanoseconds spent starting regions, running them (both machines), comparing and restoring, batch-translating. */
    long tStart;
    long tRun;
    long tCompare;
    long tTranslate;

    void add(final FuzzCounts other)
    {
        regions += other.regions;
        retired += other.retired;
        exceptions += other.exceptions;
        pagesRestored += other.pagesRestored;
        other.stops.forEach((stop, n) -> stops.merge(stop, n, Long::sum));
        for (int i = 0; i < finalPriv.length; i++)
        {
            finalPriv[i] += other.finalPriv[i];
        }
        translatedInBatches += other.translatedInBatches;
        translatedOnDemand += other.translatedOnDemand;
        retiredTranslated += other.retiredTranslated;
        revivals += other.revivals;
        evictions += other.evictions;
        tStart += other.tStart;
        tRun += other.tRun;
        tCompare += other.tCompare;
        tTranslate += other.tTranslate;
    }

    String summary(final double seconds)
    {
        return String.format("%,d regions, %,d instructions retired (%,d per region; on B %.0f%% by translated code), " +
                "%,d exceptions, stops %s, ending in M/S/U %d/%d/%d, %,d pages restored; B translated %,d entries in " +
                "batches and %,d on demand, revived %,d, emptied its code cache %d times; " +
                "start/run/compare/batch-translate %,d/%,d/%,d/%,d ms; %.1f s, %,.0f regions/s",
            regions, retired, regions == 0 ? 0 : retired / regions, retired == 0 ? 0.0 : 100.0 * retiredTranslated / retired,
            exceptions, stops, finalPriv[3], finalPriv[1], finalPriv[0], pagesRestored, translatedInBatches,
            translatedOnDemand, revivals, evictions, tStart / 1_000_000, tRun / 1_000_000, tCompare / 1_000_000, tTranslate / 1_000_000,
            seconds, regions / seconds);
    }
}
