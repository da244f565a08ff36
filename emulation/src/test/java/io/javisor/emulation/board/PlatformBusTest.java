package io.javisor.emulation.board;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.javisor.memory.FrameAllocator;
import io.javisor.memory.GuestMemory;
import io.javisor.memory.MachineMemory;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PlatformBusTest
{
    private static final int FRAMES = 4;

    /** A 16-byte scratch device that stores what it is given. */
    static final class Scratch implements MmioDevice
    {
        long last;

        @Override
        public long size()
        {
            return 16;
        }

        @Override
        public long read(final long offset, final int size)
        {
            return offset << 8 | size;
        }

        @Override
        public void write(final long offset, final int size, final long value)
        {
            last = value;
        }
    }

    private final MachineMemory machine = MachineMemory.anonymous(FRAMES);
    private final GuestMemory memory;
    private final PlatformBus bus;

    PlatformBusTest()
    {
        final FrameAllocator allocator = new FrameAllocator(machine);
        allocator.setQuota(1, FRAMES);
        memory = GuestMemory.allocate(allocator, 1, FRAMES);
        bus = new PlatformBus(memory);
    }

    @AfterEach
    void close()
    {
        memory.close();
        machine.close();
    }

    @Test
    void ramIsAtTheVirtBase()
    {
        bus.store64(0x8000_0008L, 0x1122_3344_5566_7788L);
        assertEquals(0x1122_3344_5566_7788L, bus.load64(0x8000_0008L));
        assertEquals(0x88, bus.load8(0x8000_0008L));
        assertFalse(bus.takeFault());
    }

    @Test
    void accessPastRamFaults()
    {
        final long end = 0x8000_0000L + memory.size();
        bus.load32(end - 2);
        assertTrue(bus.takeFault());
        bus.store8(end, 1);
        assertTrue(bus.takeFault());
        assertFalse(bus.takeFault(), "takeFault clears the flag");
    }

    @Test
    void unmappedSpaceFaults()
    {
        bus.map(0x1000, new Scratch());
        assertEquals(0, bus.load32(0x2000));
        assertTrue(bus.takeFault());
        bus.store32(0x0, 5);
        assertTrue(bus.takeFault());
        bus.load64(-8L);
        assertTrue(bus.takeFault());
    }

    @Test
    void devicesSeeOffsetAndSize()
    {
        final Scratch a = new Scratch();
        final Scratch b = new Scratch();
        bus.map(0x2000, b).map(0x1000, a);
        assertEquals(4 << 8 | 4, bus.load32(0x1004));
        assertEquals(8 << 8 | 2, bus.load16(0x2008));
        bus.store64(0x2008, 42);
        assertEquals(42, b.last);
        assertFalse(bus.takeFault());
        assertEquals(1, bus.accessCount(a));
        assertEquals(2, bus.accessCount(b));
        assertEquals(3, bus.totalAccessCount());
    }

    @Test
    void accessStraddlingTheDeviceEndFaults()
    {
        final Scratch a = new Scratch();
        bus.map(0x1000, a);
        bus.load64(0x1008);
        assertFalse(bus.takeFault());
        bus.load64(0x100C);
        assertTrue(bus.takeFault());
        bus.store32(0x100E, 1);
        assertTrue(bus.takeFault());
        assertEquals(0, a.last);
    }

    @Test
    void deviceRefusalFaults()
    {
        final TestFinisher f = new TestFinisher();
        bus.map(TestFinisherDescriptor.BASE, f);
        bus.store8(TestFinisherDescriptor.BASE, TestFinisherDescriptor.PASS);
        assertTrue(bus.takeFault());
        assertFalse(f.finished());
        assertEquals(1, bus.accessCount(f), "refused accesses still trapped");
    }

    @Test
    void overlappingRegistrationIsRejected()
    {
        bus.map(0x1000, new Scratch());
        assertThrows(IllegalArgumentException.class, () -> bus.map(0x1008, new Scratch()));
        assertThrows(IllegalArgumentException.class, () -> bus.map(0x0FF8, new Scratch()));
        assertThrows(IllegalArgumentException.class, () -> bus.map(0x7FFF_FFF8L, new Scratch()));
        assertThrows(IllegalArgumentException.class, () -> bus.map(0x8000_0000L, new Scratch()));
        bus.map(0x1010, new Scratch());
        bus.map(0x0FF0, new Scratch());
    }

    @Test
    void virtBoardWiring()
    {
        final RecordingSink sink = new RecordingSink();
        final Plic plic = new Plic(sink);
        final StringBuilder out = new StringBuilder();
        final Uart16550 uart = new Uart16550(c -> out.append((char)c),
            level -> plic.setSource(UartDescriptor.IRQ, level));
        final TestFinisher finisher = new TestFinisher();
        final Clint clint = new Clint(() -> 0, sink);
        bus.map(TestFinisherDescriptor.BASE, finisher)
            .map(ClintDescriptor.BASE, clint)
            .map(PlicDescriptor.BASE, plic)
            .map(UartDescriptor.BASE, uart);

        bus.store8(UartDescriptor.BASE, 'h');
        bus.store8(UartDescriptor.BASE, 'i');
        assertEquals("hi", out.toString());

        bus.store32(PlicDescriptor.BASE + 4 * UartDescriptor.IRQ, 1);
        bus.store32(PlicDescriptor.BASE + PlicDescriptor.enableWord(PlicDescriptor.CONTEXT_S, 0),
            1 << UartDescriptor.IRQ);
        bus.store8(UartDescriptor.BASE + UartDescriptor.IER_DLM, UartDescriptor.IER_RDI);
        uart.receive((byte)'x');
        assertTrue(sink.is(InterruptSink.SEIP));
        assertEquals(UartDescriptor.IRQ, bus.load32(PlicDescriptor.BASE + PlicDescriptor.claim(1)));
        assertEquals('x', bus.load8(UartDescriptor.BASE));
        bus.store32(PlicDescriptor.BASE + PlicDescriptor.claim(1), UartDescriptor.IRQ);
        assertFalse(sink.is(InterruptSink.SEIP));

        bus.store32(TestFinisherDescriptor.BASE, TestFinisherDescriptor.FAIL | 3 << 16);
        assertEquals(TestFinisher.State.FAIL, finisher.state());
        assertEquals(3, finisher.exitCode());
        assertFalse(bus.takeFault());
        assertEquals(4, bus.accessCount(uart));
        assertEquals(4, bus.accessCount(plic));
    }
}
