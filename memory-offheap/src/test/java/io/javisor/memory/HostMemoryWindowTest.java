package io.javisor.memory;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.*;

class HostMemoryWindowTest
{
    @Test
    void aWindowCoversExactlyTheRequestedFrameRangeAndNothingElse()
    {
        try (MachineMemory machine = MachineMemory.anonymous(64))
        {
            final GuestMemory memory = GuestMemory.allocate(new FrameAllocator(machine), 1, 8);
            final UnsafeBuffer frame = new UnsafeBuffer(0, 0);
            memory.wrapFrame(3, frame);
            final HostMemoryWindow window = machine.newWindow();

            final ByteBuffer view = window.window(frame.addressOffset() + 512, 1024);
            assertEquals(1024, view.remaining());
            view.putLong(view.position(), 0x0102030405060708L);
            assertEquals(0x0102030405060708L, Long.reverseBytes(memory.getLong(3L * 4096 + 512)), "big-endian ByteBuffer");

            assertNull(window.window(frame.addressOffset() - 64L * 4096, 8), "below the pool");
            assertNull(window.window(frame.addressOffset() + 64L * 4096, 8), "above the pool");
            assertNull(window.window(frame.addressOffset(), -1));
        }
    }
}
