package io.javisor.memory;

import io.javisor.memory.testing.Seed;
import io.javisor.memory.testing.Seeded;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

@Seeded
class FrameAllocatorTest
{
    private final MachineMemory machine = MachineMemory.anonymous(4096);
    private final FrameAllocator allocator = new FrameAllocator(machine);

    @AfterEach
    void close()
    {
        machine.close();
    }

    @Test
    void aDomainCannotTakeMoreThanItsQuota()
    {
        allocator.setQuota(5, 100);
        final GuestMemory memory = GuestMemory.allocate(allocator, 5, 60);
        final GuestMemoryAllocationException ex =
            assertThrows(GuestMemoryAllocationException.class, () -> GuestMemory.allocate(allocator, 5, 41));
        assertTrue(ex.getMessage().contains("quota"), ex.getMessage());
        assertEquals(60, allocator.framesOwnedBy(5));
        GuestMemory.allocate(allocator, 5, 40).close();
        memory.close();
        assertEquals(0, allocator.framesOwnedBy(5));
    }

    @Test
    void anExhaustedPoolSaysSo()
    {
        GuestMemory.allocate(allocator, 1, 4000);
        final GuestMemoryAllocationException ex =
            assertThrows(GuestMemoryAllocationException.class, () -> GuestMemory.allocate(allocator, 2, 100));
        assertTrue(ex.getMessage().contains("no free extent"), ex.getMessage());
    }

    @Test
    void tenThousandCreateDestroyCyclesLeakNoFrame(final Seed seed)
    {
        final SplittableRandom random = seed.splittableRandom();
        final List<GuestMemory> live = new ArrayList<>();
        for (int cycle = 0; cycle < 10_000; cycle++)
        {
            final int domid = 1 + cycle % 30_000;
            allocator.setQuota(domid, 64);
            live.add(GuestMemory.allocate(allocator, domid, 1 + random.nextInt(64)));
            if (live.size() > 20 || random.nextInt(3) == 0)
            {
                final GuestMemory victim = live.remove(random.nextInt(live.size()));
                victim.close();
                allocator.freeAll(victim.domid());
            }
        }
        live.forEach(memory ->
        {
            memory.close();
            allocator.freeAll(memory.domid());
        });
        assertEquals(allocator.totalFrames(), allocator.freeFrames());
        assertEquals(1, allocator.freeExtentCount(), "free extents merged back into one");
    }

    @Test
    void freeAllReturnsEveryExtentOfADestroyedDomain()
    {
        final long a = allocator.allocate(9, 10);
        final long b = allocator.allocate(9, 20);
        assertTrue(a >= 0 && b >= 0);
        assertEquals(30, allocator.freeAll(9));
        assertEquals(allocator.totalFrames(), allocator.freeFrames());
    }

    @Test
    void freeingFramesADomainDoesNotOwnIsRefused()
    {
        final long mfn = allocator.allocate(1, 10);
        assertThrows(IllegalArgumentException.class, () -> allocator.free(2, mfn, 10));
        assertThrows(IllegalArgumentException.class, () -> allocator.free(1, mfn, 9));
        assertEquals(10, allocator.framesOwnedBy(1));
    }
}
