package io.javisor.memory;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Anonymous mappings are lazily committed zeros, and {@link AnonymousMemory#mappedBytes()} counts
 * what is mapped now: each mapping while it lives, none after its unmap.
 */
class AnonymousMemoryTest
{
    private static final long LENGTH = 3L << 20;

    @Test
    void mappedBytesCountEachMappingUntilItIsUnmapped()
    {
        // Other test classes in this JVM may hold mappings of their own; only the difference is ours.
        final long before = AnonymousMemory.mappedBytes();
        final long first = AnonymousMemory.map(LENGTH);
        final long second = AnonymousMemory.map(LENGTH);
        assertEquals(before + 2 * LENGTH, AnonymousMemory.mappedBytes());

        assertTrue(AnonymousMemory.unmap(first, LENGTH));
        assertEquals(before + LENGTH, AnonymousMemory.mappedBytes());
        assertTrue(AnonymousMemory.unmap(second, LENGTH));
        assertEquals(before, AnonymousMemory.mappedBytes());
    }

    @Test
    void freshMemoryReadsAsZerosAndDontNeedGivesZerosBack()
    {
        final long address = AnonymousMemory.map(LENGTH);
        try
        {
            final UnsafeBuffer memory = new UnsafeBuffer(address, (int)LENGTH);
            assertEquals(0L, memory.getLong((int)LENGTH - 8));
            memory.putLong(4096, 0x1234_5678_9ABC_DEF0L);
            assertEquals(0x1234_5678_9ABC_DEF0L, memory.getLong(4096));
            assertTrue(AnonymousMemory.dontNeed(address, LENGTH));
            assertEquals(0L, memory.getLong(4096));
        }
        finally
        {
            AnonymousMemory.unmap(address, LENGTH);
        }
    }
}
