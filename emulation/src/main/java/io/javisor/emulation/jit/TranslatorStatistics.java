package io.javisor.emulation.jit;

/**
 * Counters of one hart's translator: plain fields, written only by the hart's thread (the single
 * writer; background work is counted when the hart installs its result); other threads may read them
 * racily for reports (longs may tear only on 32-bit JVMs).
 */
public final class TranslatorStatistics
{
    /** Regions compiled to JVM methods. */
    long regionsTranslated;
    /** Entries found untranslatable (their first instruction needs the interpreter). */
    long untranslatable;
    /** Guest instructions in translated regions, summed over translations. */
    long instructionsTranslated;
    /** Bytecode bytes generated, summed over translations. */
    long bytecodeBytes;
    /** Regions dropped because code they cover was written, or by FENCE.I / a flush. */
    long invalidations;
    /** Times the cache filled up and was emptied. */
    long evictions;
    /** Calls into translated code. */
    long dispatches;
    /** Instructions retired by translated code. */
    long instructionsRetired;
    /** Nanoseconds spent discovering, generating and loading regions. */
    long compileNanos;
    /** Chaining links made (a region's successor looked up and remembered). */
    long chainLinks;
    /** Translations handed to the background compiler. */
    long backgroundJobs;
    /** Background results dropped because the code changed while they were built. */
    long discardedStale;
    /** Regions that came out too big for HotSpot and were recompiled with half the cap. */
    long recompilesTooBig;
    /** Regions whose class came from another hart's (or an earlier machine's) identical translation. */
    long sharedHits;
    /** Data translations translated code called for: misses of its inline TLB under Sv39. */
    long inlineTlbMisses;
    /** Wall-clock nanoseconds in translated code, when the interpreter times its tiers. */
    long translatedNanos;
    /** Dropped regions held again instead of translated again, their code unchanged in RAM. */
    long revivals;

    public long regionsTranslated()
    {
        return regionsTranslated;
    }

    public long untranslatable()
    {
        return untranslatable;
    }

    public long instructionsTranslated()
    {
        return instructionsTranslated;
    }

    public long bytecodeBytes()
    {
        return bytecodeBytes;
    }

    public long invalidations()
    {
        return invalidations;
    }

    public long evictions()
    {
        return evictions;
    }

    public long dispatches()
    {
        return dispatches;
    }

    public long instructionsRetired()
    {
        return instructionsRetired;
    }

    public long compileNanos()
    {
        return compileNanos;
    }

    public long chainLinks()
    {
        return chainLinks;
    }

    public long backgroundJobs()
    {
        return backgroundJobs;
    }

    public long discardedStale()
    {
        return discardedStale;
    }

    public long recompilesTooBig()
    {
        return recompilesTooBig;
    }

    public long sharedHits()
    {
        return sharedHits;
    }

    public long inlineTlbMisses()
    {
        return inlineTlbMisses;
    }

    /** Count a data translation translated code called for. */
    public void recordInlineTlbMiss()
    {
        inlineTlbMisses++;
    }

    public long translatedNanos()
    {
        return translatedNanos;
    }

    /** Add time spent in translated code (measured by the interpreter when it times its tiers). */
    public void recordTranslatedNanos(final long nanos)
    {
        translatedNanos += nanos;
    }

    public long revivals()
    {
        return revivals;
    }

    @Override
    public String toString()
    {
        return "regions=" + regionsTranslated + " untranslatable=" + untranslatable +
            " guestInstructions=" + instructionsTranslated + " bytecodeBytes=" + bytecodeBytes +
            " invalidations=" + invalidations + " evictions=" + evictions + " dispatches=" + dispatches +
            " retiredTranslated=" + instructionsRetired + " compileMs=" + compileNanos / 1_000_000 +
            " tooBig=" + recompilesTooBig + " backgroundJobs=" + backgroundJobs + " discardedStale=" + discardedStale +
            " sharedHits=" + sharedHits + " inlineTlbMisses=" + inlineTlbMisses + " translatedMs=" + translatedNanos / 1_000_000 + " revivals=" + revivals;
    }
}
