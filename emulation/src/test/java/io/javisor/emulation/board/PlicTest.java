package io.javisor.emulation.board;

import static io.javisor.emulation.board.PlicDescriptor.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PlicTest
{
    private final RecordingSink sink = new RecordingSink();
    private final Plic plic = new Plic(sink);

    private long rd(final long off)
    {
        return plic.read(off, 4);
    }

    private void wr(final long off, final long v)
    {
        plic.write(off, 4, v);
    }

    private void enable(final int ctx, final int irq)
    {
        final long word = enableWord(ctx, irq / 32);
        wr(word, rd(word) | 1L << (irq % 32));
    }

    @Test
    void prioritiesAreThreeBitsAndSourceZeroIsFixed()
    {
        wr(PRIORITY + 4 * 10, 0xFF);
        assertEquals(7, rd(PRIORITY + 4 * 10));
        wr(PRIORITY, 5);
        assertEquals(0, rd(PRIORITY));
    }

    @Test
    void pendingFollowsTheLevel()
    {
        plic.setSource(10, true);
        plic.setSource(33, true);
        assertEquals(1L << 10, rd(PENDING));
        assertEquals(1L << 1, rd(PENDING + 4));
        plic.setSource(10, false);
        assertEquals(0, rd(PENDING));
        wr(PENDING + 4, 0);
        assertEquals(1L << 1, rd(PENDING + 4), "pending is read-only");
        assertThrows(IllegalArgumentException.class, () -> plic.setSource(0, true));
        assertThrows(IllegalArgumentException.class, () -> plic.setSource(96, true));
    }

    @Test
    void enablesAreHeldPerContext()
    {
        enable(CONTEXT_M, 5);
        enable(CONTEXT_S, 70);
        assertEquals(1L << 5, rd(enableWord(CONTEXT_M, 0)));
        assertEquals(0, rd(enableWord(CONTEXT_S, 0)));
        assertEquals(1L << 6, rd(enableWord(CONTEXT_S, 2)));
    }

    @Test
    void contextsDriveMeipAndSeip()
    {
        wr(PRIORITY + 4 * 10, 1);
        enable(CONTEXT_S, 10);
        plic.setSource(10, true);
        assertTrue(sink.is(InterruptSink.SEIP));
        assertFalse(sink.is(InterruptSink.MEIP));
        enable(CONTEXT_M, 10);
        assertTrue(sink.is(InterruptSink.MEIP));
    }

    @Test
    void priorityZeroNeverInterrupts()
    {
        enable(CONTEXT_M, 3);
        plic.setSource(3, true);
        assertFalse(sink.is(InterruptSink.MEIP));
        assertEquals(0, rd(claim(CONTEXT_M)));
    }

    @Test
    void thresholdMasksPrioritiesAtOrBelowIt()
    {
        wr(PRIORITY + 4 * 2, 3);
        enable(CONTEXT_M, 2);
        plic.setSource(2, true);
        wr(threshold(CONTEXT_M), 3);
        assertEquals(3, rd(threshold(CONTEXT_M)));
        assertFalse(sink.is(InterruptSink.MEIP));
        wr(threshold(CONTEXT_M), 2);
        assertTrue(sink.is(InterruptSink.MEIP));
    }

    @Test
    void claimTakesTheHighestPriorityThenLowestId()
    {
        for (final int irq : new int[] {4, 7, 9})
        {
            enable(CONTEXT_S, irq);
            plic.setSource(irq, true);
        }
        wr(PRIORITY + 4 * 4, 2);
        wr(PRIORITY + 4 * 7, 5);
        wr(PRIORITY + 4 * 9, 5);
        assertEquals(7, rd(claim(CONTEXT_S)));
        assertFalse(plic.isPending(7));
        assertEquals(9, rd(claim(CONTEXT_S)));
        assertEquals(4, rd(claim(CONTEXT_S)));
        assertEquals(0, rd(claim(CONTEXT_S)));
        assertFalse(sink.is(InterruptSink.SEIP));
    }

    @Test
    void aClaimedSourceWaitsForCompletion()
    {
        wr(PRIORITY + 4 * 10, 1);
        enable(CONTEXT_M, 10);
        plic.setSource(10, true);
        assertEquals(10, rd(claim(CONTEXT_M)));
        assertFalse(sink.is(InterruptSink.MEIP));
        plic.setSource(10, true);
        assertFalse(plic.isPending(10), "gateway holds requests while in service");
        wr(claim(CONTEXT_M), 10);
        assertTrue(plic.isPending(10), "line still high, so pending again");
        assertTrue(sink.is(InterruptSink.MEIP));
        assertEquals(10, rd(claim(CONTEXT_M)));
        plic.setSource(10, false);
        wr(claim(CONTEXT_M), 10);
        assertFalse(plic.isPending(10));
        assertFalse(sink.is(InterruptSink.MEIP));
    }

    @Test
    void completionOfAnUnenabledSourceIsIgnored()
    {
        wr(PRIORITY + 4 * 10, 1);
        enable(CONTEXT_M, 10);
        plic.setSource(10, true);
        assertEquals(10, rd(claim(CONTEXT_M)));
        wr(claim(CONTEXT_S), 10);
        assertFalse(plic.isPending(10));
        wr(claim(CONTEXT_M), 10);
        assertTrue(plic.isPending(10));
    }

    @Test
    void onlyAlignedWords()
    {
        assertTrue(plic.supports(claim(CONTEXT_S), 4));
        assertFalse(plic.supports(claim(CONTEXT_S), 8));
        assertFalse(plic.supports(2, 4));
        assertEquals(0, rd(0x1F_FFFC));
        assertEquals(0x20_2000, SIZE);
    }
}
