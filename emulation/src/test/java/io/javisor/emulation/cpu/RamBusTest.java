package io.javisor.emulation.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RamBusTest
{
    private final TestMachine m = new TestMachine();
    private final RamBus bus = new RamBus(m.memory);
    private final long end = RamBus.RAM_BASE + m.memory.size();

    @AfterEach
    void close()
    {
        m.close();
    }

    @Test
    void accessesInsideRamDoNotFaultAndAreLittleEndian()
    {
        bus.store64(RamBus.RAM_BASE, 0x0807_0605_0403_0201L);
        assertEquals(0x01, bus.load8(RamBus.RAM_BASE));
        assertEquals(0x0201, bus.load16(RamBus.RAM_BASE));
        assertEquals(0x0403_0201L, bus.load32(RamBus.RAM_BASE));
        assertEquals(0x0807_0605_0403_0201L, bus.load64(RamBus.RAM_BASE));
        bus.store8(end - 1, 0xFF);
        assertEquals(0xFF, bus.load8(end - 1), "loads are zero-extended");
        bus.store64(end - 8, -1);
        assertEquals(-1, bus.load64(end - 8));
        assertFalse(bus.takeFault());
    }

    @Test
    void accessesOutsideRamFaultWithoutThrowing()
    {
        final long[] bad = {0, RamBus.RAM_BASE - 1, end, end + 4096, -1, Long.MIN_VALUE, Long.MAX_VALUE};
        for (final long pa : bad)
        {
            assertEquals(0, bus.load8(pa));
            assertTrue(bus.takeFault(), "load8 " + Long.toHexString(pa));
            bus.store64(pa, 1);
            assertTrue(bus.takeFault(), "store64 " + Long.toHexString(pa));
            assertFalse(bus.takeFault(), "takeFault clears the flag");
        }
        bus.load64(end - 7);
        assertTrue(bus.takeFault(), "an access straddling the end faults");
        bus.store32(RamBus.RAM_BASE - 2, 0);
        assertTrue(bus.takeFault(), "an access straddling the base faults");
    }
}
