package io.javisor.emulation.board;

import static io.javisor.emulation.board.PlicDescriptor.*;

/**
 * Platform-level interrupt controller for hart 0: context 0 drives MEIP, context 1 drives SEIP.
 * Sources are level-triggered: {@link #setSource} makes a source pending while its line is high
 * (and drops the pending bit when it goes low). A claim returns the enabled pending source with
 * the highest priority above the context's threshold (lowest id on ties), clears its pending bit
 * and holds it in service: while in service the source's gateway forwards nothing; completion ends
 * service and, if the line is still high, makes it pending again. Completion of a source not
 * enabled for the context is ignored. Only aligned 4-byte accesses are accepted; reads of
 * unimplemented words return 0 and writes to them (or to the read-only pending words) are ignored.
 */
public final class Plic implements MmioDevice
{
    private static final int WORDS = SOURCES / 32;
    private static final int[] MIP_BITS = {InterruptSink.MEIP, InterruptSink.SEIP};

    private final InterruptSink sink;
    private final int[] priority = new int[SOURCES];
    private final int[] pending = new int[WORDS];
    private final int[] level = new int[WORDS];
    private final int[] inService = new int[WORDS];
    private final int[][] enable = new int[CONTEXTS][WORDS];
    private final int[] threshold = new int[CONTEXTS];
    private final boolean[] output = new boolean[CONTEXTS];

    public Plic(final InterruptSink sink)
    {
        this.sink = sink;
        for (final int bit : MIP_BITS)
        {
            sink.setPending(bit, false);
        }
    }

    @Override
    public long size()
    {
        return SIZE;
    }

    @Override
    public boolean supports(final long offset, final int size)
    {
        return size == 4 && (offset & 3) == 0;
    }

    private static boolean bit(final int[] words, final int irq)
    {
        return (words[irq >>> 5] & (1 << (irq & 31))) != 0;
    }

    private static void bit(final int[] words, final int irq, final boolean on)
    {
        if (on)
        {
            words[irq >>> 5] |= 1 << (irq & 31);
        }
        else
        {
            words[irq >>> 5] &= ~(1 << (irq & 31));
        }
    }

    /** Drive source {@code irq}'s interrupt line (1..95). */
    public void setSource(final int irq, final boolean high)
    {
        if (irq <= 0 || irq >= SOURCES)
        {
            throw new IllegalArgumentException("PLIC source " + irq);
        }
        bit(level, irq, high);
        bit(pending, irq, high && !bit(inService, irq));
        update();
    }

    public boolean isPending(final int irq)
    {
        return bit(pending, irq);
    }

    /** @return the best claimable source for a context, or 0. */
    private int best(final int ctx)
    {
        int best = 0;
        int bestPriority = threshold[ctx];
        for (int w = 0; w < WORDS; w++)
        {
            int bits = pending[w] & enable[ctx][w];
            while (bits != 0)
            {
                final int irq = w * 32 + Integer.numberOfTrailingZeros(bits);
                bits &= bits - 1;
                if (priority[irq] > bestPriority)
                {
                    best = irq;
                    bestPriority = priority[irq];
                }
            }
        }
        return best;
    }

    private void update()
    {
        for (int ctx = 0; ctx < CONTEXTS; ctx++)
        {
            final boolean out = best(ctx) != 0;
            if (out != output[ctx])
            {
                output[ctx] = out;
                sink.setPending(MIP_BITS[ctx], out);
            }
        }
    }

    /** Claim for a context as a guest read of its claim register would. */
    public int claim(final int ctx)
    {
        final int irq = best(ctx);
        if (irq != 0)
        {
            bit(pending, irq, false);
            bit(inService, irq, true);
            update();
        }
        return irq;
    }

    /** Complete for a context as a guest write of its claim register would. */
    public void complete(final int ctx, final int irq)
    {
        if (irq <= 0 || irq >= SOURCES || !bit(enable[ctx], irq))
        {
            return;
        }
        bit(inService, irq, false);
        if (bit(level, irq))
        {
            bit(pending, irq, true);
        }
        update();
    }

    @Override
    public long read(final long offset, final int size)
    {
        if (offset < PENDING)
        {
            final int irq = (int)(offset >>> 2);
            return irq < SOURCES ? priority[irq] : 0;
        }
        if (offset < PENDING + 4 * WORDS)
        {
            return pending[(int)((offset - PENDING) >>> 2)] & 0xFFFF_FFFFL;
        }
        if (offset >= ENABLE && offset < ENABLE + ENABLE_STRIDE * CONTEXTS)
        {
            final int ctx = (int)((offset - ENABLE) / ENABLE_STRIDE);
            final int word = (int)((offset - ENABLE) % ENABLE_STRIDE) >>> 2;
            return word < WORDS ? enable[ctx][word] & 0xFFFF_FFFFL : 0;
        }
        if (offset >= CONTEXT)
        {
            final int ctx = (int)((offset - CONTEXT) / CONTEXT_STRIDE);
            final long reg = (offset - CONTEXT) % CONTEXT_STRIDE;
            if (reg == 0)
            {
                return threshold[ctx];
            }
            if (reg == CLAIM)
            {
                return claim(ctx);
            }
        }
        return 0;
    }

    @Override
    public void write(final long offset, final int size, final long value)
    {
        final int v = (int)value;
        if (offset < PENDING)
        {
            final int irq = (int)(offset >>> 2);
            if (irq != 0 && irq < SOURCES)
            {
                priority[irq] = v & PRIORITY_MASK;
                update();
            }
            return;
        }
        if (offset >= ENABLE && offset < ENABLE + ENABLE_STRIDE * CONTEXTS)
        {
            final int ctx = (int)((offset - ENABLE) / ENABLE_STRIDE);
            final int word = (int)((offset - ENABLE) % ENABLE_STRIDE) >>> 2;
            if (word < WORDS)
            {
                enable[ctx][word] = word == 0 ? v & ~1 : v; // source 0 does not exist
                update();
            }
            return;
        }
        if (offset >= CONTEXT)
        {
            final int ctx = (int)((offset - CONTEXT) / CONTEXT_STRIDE);
            final long reg = (offset - CONTEXT) % CONTEXT_STRIDE;
            if (reg == 0)
            {
                threshold[ctx] = v & PRIORITY_MASK;
                update();
            }
            else if (reg == CLAIM)
            {
                complete(ctx, v);
            }
        }
    }
}
