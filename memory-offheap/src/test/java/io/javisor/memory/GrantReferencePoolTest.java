package io.javisor.memory;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class GrantReferencePoolTest
{
    @Test
    void handsOutTheLowestFreshReferenceAndReusesWhatWasGivenBackFirst()
    {
        final GrantReferencePool pool = new GrantReferencePool(8, 4);
        assertEquals(4, pool.available());
        assertEquals(8, pool.claim());
        assertEquals(9, pool.claim());
        pool.release(8);
        assertEquals(3, pool.available());
        assertEquals(8, pool.claim(), "a reference given back goes out again before a fresh one");
        assertEquals(10, pool.claim());
        assertEquals(11, pool.claim());
        assertEquals(-1, pool.claim(), "exhausted");
        assertEquals(0, pool.available());
    }

    @Test
    void aPoolThatHasEverythingBackRefusesAnotherRelease()
    {
        final GrantReferencePool pool = new GrantReferencePool(8, 2);
        final int a = pool.claim();
        final int b = pool.claim();
        pool.release(b);
        pool.release(a);
        assertEquals(2, pool.available());
        assertThrows(IllegalStateException.class, () -> pool.release(a));
    }

    @Test
    void manyReleasesGrowWhatItKeeps()
    {
        final GrantReferencePool pool = new GrantReferencePool(0, 500);
        for (int i = 0; i < 500; i++)
        {
            assertEquals(i, pool.claim());
        }
        for (int i = 0; i < 500; i++)
        {
            pool.release(i);
        }
        assertEquals(500, pool.available());
        assertEquals(499, pool.claim(), "last given back, first out");
    }
}
