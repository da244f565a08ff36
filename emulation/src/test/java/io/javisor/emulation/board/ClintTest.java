package io.javisor.emulation.board;

import static io.javisor.emulation.board.ClintDescriptor.MSIP;
import static io.javisor.emulation.board.ClintDescriptor.MTIME;
import static io.javisor.emulation.board.ClintDescriptor.MTIMECMP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ClintTest
{
    private long now = 1000;
    private final RecordingSink sink = new RecordingSink();
    private final Clint clint = new Clint(() -> now, sink);

    @Test
    void msipBitZeroDrivesMsip()
    {
        clint.write(MSIP, 4, 3);
        assertTrue(sink.is(InterruptSink.MSIP));
        assertEquals(1, clint.read(MSIP, 4));
        clint.write(MSIP, 4, 0);
        assertFalse(sink.is(InterruptSink.MSIP));
    }

    @Test
    void mtimeFollowsTheTimeSource()
    {
        assertEquals(1000, clint.read(MTIME, 8));
        now = 0x1_0000_0005L;
        assertEquals(5, clint.read(MTIME, 4));
        assertEquals(1, clint.read(MTIME + 4, 4));
    }

    @Test
    void mtimeWritesOffsetTheClock()
    {
        clint.write(MTIME, 8, 50);
        now += 10;
        assertEquals(60, clint.read(MTIME, 8));
    }

    @Test
    void mtipIsMtimeAtOrPastMtimecmp()
    {
        assertFalse(sink.is(InterruptSink.MTIP), "mtimecmp resets to all ones");
        clint.write(MTIMECMP, 8, 1010);
        assertFalse(sink.is(InterruptSink.MTIP));
        now = 1010;
        clint.tick();
        assertTrue(sink.is(InterruptSink.MTIP));
        clint.write(MTIMECMP, 8, 2000);
        assertFalse(sink.is(InterruptSink.MTIP), "a new compare value lowers MTIP");
    }

    @Test
    void mtimecmpHalvesAreAccessible()
    {
        clint.write(MTIMECMP, 4, 0xAABB_CCDDL);
        clint.write(MTIMECMP + 4, 4, 0x1122_3344L);
        assertEquals(0x1122_3344_AABB_CCDDL, clint.read(MTIMECMP, 8));
        assertEquals(0xAABB_CCDDL, clint.read(MTIMECMP, 4));
        assertEquals(0x1122_3344L, clint.read(MTIMECMP + 4, 4));
        // The classic 32-bit update sequence: high to max, low, then high.
        clint.write(MTIMECMP + 4, 4, 0xFFFF_FFFFL);
        clint.write(MTIMECMP, 4, 900);
        assertFalse(sink.is(InterruptSink.MTIP));
        clint.write(MTIMECMP + 4, 4, 0);
        assertTrue(sink.is(InterruptSink.MTIP));
    }

    @Test
    void accessWidths()
    {
        assertTrue(clint.supports(MSIP, 4));
        assertFalse(clint.supports(MSIP, 8));
        assertTrue(clint.supports(MTIME, 8));
        assertFalse(clint.supports(MTIME + 4, 8));
        assertFalse(clint.supports(MTIMECMP, 2));
        assertFalse(clint.supports(0x100, 4));
    }
}
