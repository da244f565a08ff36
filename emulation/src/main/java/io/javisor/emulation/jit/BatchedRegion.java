package io.javisor.emulation.jit;

import io.javisor.emulation.cpu.CpuState;

import java.lang.invoke.MethodHandle;

/**
 * A region translated in a batch (see {@link RegionCompiler#generateBatch}): its code is a static method of
 * a hidden class shared with the batch's other regions, called through a method handle. One class for all
 * batched regions, rather than a dispatching {@code execute} generated per batch, whose many callers would
 * make the JVM compile each batch's dispatcher.
 * Thread safety: as {@link TranslatedRegion}; the handle is set once, before the region is published.
 */
final class BatchedRegion extends TranslatedRegion
{
    /** {@code (TranslatedRegion, CpuState, RegionContext, long) long}: the region's code. */
    private final MethodHandle code;

    BatchedRegion(final MethodHandle code)
    {
        this.code = code;
    }

    @Override
    public long execute(final CpuState cpu, final RegionContext ctx, final long limit)
    {
        try
        {
            return (long)code.invokeExact((TranslatedRegion)this, cpu, ctx, limit);
        }
        catch (final RuntimeException | Error ex)
        {
            throw ex;
        }
        catch (final Throwable ex)
        {
            // The generated code throws nothing checked.
            throw new IllegalStateException(ex);
        }
    }
}
