package io.javisor.emulation.board;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TestFinisherTest
{
    private final TestFinisher f = new TestFinisher();

    @Test
    void runningUntilWritten()
    {
        assertEquals(TestFinisher.State.RUNNING, f.state());
        assertFalse(f.finished());
    }

    @Test
    void passExitsZero()
    {
        f.write(0, 4, 0x5555);
        assertEquals(TestFinisher.State.PASS, f.state());
        assertEquals(0, f.exitCode());
        assertTrue(f.finished());
    }

    @Test
    void failCarriesTheCodeInTheUpperHalf()
    {
        f.write(0, 4, 0x3333 | 42 << 16);
        assertEquals(TestFinisher.State.FAIL, f.state());
        assertEquals(42, f.exitCode());
    }

    @Test
    void resetAndUnknownCommands()
    {
        f.write(0, 4, 0x1234);
        assertFalse(f.finished());
        f.write(0, 4, 0x7777);
        assertEquals(TestFinisher.State.RESET, f.state());
        f.clear();
        assertFalse(f.finished());
    }

    @Test
    void onlyWord32AtZero()
    {
        assertTrue(f.supports(0, 4));
        assertFalse(f.supports(0, 8));
        assertFalse(f.supports(4, 4));
        assertEquals(0, f.read(0, 4));
    }
}
