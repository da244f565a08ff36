package io.javisor.memory;

import io.javisor.memory.testing.Seed;
import io.javisor.memory.testing.Seeded;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.SplittableRandom;

import static io.javisor.memory.PageDescriptor.PAGE_SIZE;
import static org.junit.jupiter.api.Assertions.*;

@Seeded
class GuestMemoryTest
{
    private final MachineMemory machine = MachineMemory.anonymous(1024);
    private final FrameAllocator allocator = new FrameAllocator(machine);

    @AfterEach
    void close()
    {
        machine.close();
    }

    @Test
    void readsBackWhatWasWrittenAtEveryWidth()
    {
        final GuestMemory memory = GuestMemory.allocate(allocator, 1, 4);
        memory.putByte(0, (byte)0x7F);
        memory.putShort(2, (short)0xBEEF);
        memory.putInt(4, 0xCAFEBABE);
        memory.putLong(PAGE_SIZE - 4, 0x0123_4567_89AB_CDEFL); // straddles two frames
        assertEquals((byte)0x7F, memory.getByte(0));
        assertEquals((short)0xBEEF, memory.getShort(2));
        assertEquals(0xCAFEBABE, memory.getInt(4));
        assertEquals(0x0123_4567_89AB_CDEFL, memory.getLong(PAGE_SIZE - 4));
        assertEquals(0xCAFEBABE, memory.ram().getInt(4), "the RAM view sees the same bytes");
    }

    @Test
    void everyAccessOutsideMemoryIsAGuestFaultNotACrash()
    {
        final GuestMemory memory = GuestMemory.allocate(allocator, 1, 2);
        final long size = memory.size();
        assertThrows(GuestMemoryFault.class, () -> memory.getByte(size));
        assertThrows(GuestMemoryFault.class, () -> memory.getLong(size - 7));
        assertThrows(GuestMemoryFault.class, () -> memory.putInt(-1, 0));
        assertThrows(GuestMemoryFault.class, () -> memory.getLong(Long.MAX_VALUE - 3), "no wrap-around");
        assertThrows(GuestMemoryFault.class, () -> memory.putBytes(size - 10, new byte[11], 0, 11));
        final GuestMemoryFault fault = assertThrows(GuestMemoryFault.class, () -> memory.getInt(size + 100));
        assertEquals(size + 100, fault.address());
        assertEquals(0, memory.getLong(size - 8), "the last word is still reachable");
    }

    @Test
    void randomAddressesEitherSucceedInsideOrFaultOutside(final Seed seed)
    {
        final GuestMemory memory = GuestMemory.allocate(allocator, 1, 3);
        final SplittableRandom random = seed.splittableRandom();
        for (int i = 0; i < 100_000; i++)
        {
            final long address = random.nextBoolean() ? random.nextLong() : random.nextLong(-16, memory.size() + 16);
            final boolean inside = address >= 0 && address + 8 <= memory.size();
            if (inside)
            {
                memory.putLong(address, address);
                assertEquals(address, memory.getLong(address));
            }
            else
            {
                assertThrows(GuestMemoryFault.class, () -> memory.putLong(address, 1));
            }
        }
    }

    @Test
    void wrapFrameRefusesFramesTheDomainDoesNotHave()
    {
        final GuestMemory memory = GuestMemory.allocate(allocator, 1, 2);
        final UnsafeBuffer buffer = new UnsafeBuffer(0, 0);
        assertTrue(memory.wrapFrame(1, buffer));
        assertEquals(PAGE_SIZE, buffer.capacity());
        buffer.putInt(0, 42);
        assertEquals(42, memory.getInt(PAGE_SIZE));
        assertFalse(memory.wrapFrame(2, buffer));
        assertFalse(memory.wrapFrame(-1, buffer));
        assertFalse(memory.wrapFrames(1, 2, buffer));
    }

    @Test
    void framesAreScrubbedBeforeTheNextOwnerSeesThem()
    {
        final GuestMemory first = GuestMemory.allocate(allocator, 1, 8);
        for (long a = 0; a < first.size(); a += 8)
        {
            first.putLong(a, -1L);
        }
        first.close();
        final GuestMemory second = GuestMemory.allocate(allocator, 2, 8);
        for (long a = 0; a < second.size(); a += 8)
        {
            assertEquals(0, second.getLong(a), "leaked byte at " + a);
        }
    }

    @Test
    void thePageAllocatorFindsContiguousRunsAndZeroesFreedPages()
    {
        final GuestMemory memory = GuestMemory.allocate(allocator, 1, 8);
        final GuestPageAllocator pages = new GuestPageAllocator(memory, 1);
        final long a = pages.allocate();
        final long b = pages.allocate();
        assertEquals(1, a, "frame 0 is reserved");
        assertEquals(2, b);
        pages.free(a);
        assertEquals(3, pages.allocateContiguous(3), "frame 1 alone is too small a hole");
        assertEquals(-1, pages.allocateContiguous(3), "frames 1, 6, 7 are not 3 in a row");
        memory.putLong(b * PAGE_SIZE, 42);
        pages.free(b);
        assertEquals(0, memory.getLong(b * PAGE_SIZE), "a freed page is zeroed");
        assertEquals(1, pages.allocateContiguous(2));
        assertThrows(IllegalArgumentException.class, () -> pages.free(b + 100));
    }

    @Test
    void fileBackedMemoryIsVisibleThroughTheFile(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("machine.mem");
        try (MachineMemory shared = MachineMemory.fileBacked(file, 16))
        {
            final GuestMemory memory = GuestMemory.allocate(new FrameAllocator(shared), 1, 4);
            memory.putLong(PAGE_SIZE + 8, 0x1122334455667788L);
            try (var channel = java.nio.channels.FileChannel.open(file))
            {
                final java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                channel.read(bytes, PAGE_SIZE + 8);
                assertEquals(0x1122334455667788L, bytes.flip().getLong(), "another process mapping the file sees guest writes");
            }
            memory.close();
            assertEquals(0, new GuestMemory[]{ GuestMemory.allocate(new FrameAllocator(shared), 2, 4) }[0].getLong(PAGE_SIZE + 8),
                "shared frames are scrubbed by writing");
        }
    }
}
