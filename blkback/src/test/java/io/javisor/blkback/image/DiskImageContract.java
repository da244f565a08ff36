package io.javisor.blkback.image;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;

import static io.javisor.blkback.image.DiskImage.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * What every {@link DiskImage} does, run against each implementation by a subclass.
 */
abstract class DiskImageContract
{
    static final int SIZE = 64 * 1024;

    /**
     * A zero-filled read-write image of {@code size} bytes.
     */
    abstract DiskImage newImage(int size) throws Exception;

    /**
     * A read-only image of {@code size} bytes, every byte {@link #readOnlyFill()}.
     */
    abstract DiskImage newReadOnlyImage(int size) throws Exception;

    abstract byte readOnlyFill();

    static ByteBuffer window(final int position, final int length)
    {
        final ByteBuffer buffer = ByteBuffer.allocateDirect(position + length + 64);
        buffer.limit(position + length).position(position);
        return buffer;
    }

    static ByteBuffer pattern(final int length, final int seed)
    {
        final ByteBuffer buffer = window(3, length);
        for (int i = 0; i < length; i++)
        {
            buffer.put(3 + i, (byte)(seed + i * 31));
        }
        return buffer;
    }

    static void assertPattern(final ByteBuffer actual, final int from, final int length, final int seed)
    {
        for (int i = 0; i < length; i++)
        {
            assertEquals((byte)(seed + i * 31), actual.get(from + i), "byte " + i);
        }
    }

    static void assertZeros(final DiskImage image, final long offset, final int length)
    {
        final ByteBuffer dst = window(0, length);
        assertEquals(OK, image.read(offset, dst));
        for (int i = 0; i < length; i++)
        {
            assertEquals(0, dst.get(i), "byte " + (offset + i) + " should be zero");
        }
    }

    @Test
    void readsBackWhatWasWrittenThroughWindowsAtAnyPosition() throws Exception
    {
        try (DiskImage image = newImage(SIZE))
        {
            assertEquals(SIZE, image.sizeInBytes());
            assertEquals(SIZE / 512, image.sectors());
            assertFalse(image.isReadOnly());

            final ByteBuffer src = pattern(4096 + 512, 7);
            assertEquals(OK, image.write(8192 + 512, src));
            assertEquals(src.limit(), src.position(), "the window was drained");

            final ByteBuffer dst = window(100, 4096 + 512);
            assertEquals(OK, image.read(8192 + 512, dst));
            assertEquals(dst.limit(), dst.position(), "the window was filled");
            assertPattern(dst, 100, 4096 + 512, 7);
            assertEquals(0, dst.get(99), "nothing before the window");
            assertEquals(0, dst.duplicate().clear().get(100 + 4096 + 512), "nothing after the window");

            assertZeros(image, 0, 8192 + 512);
            assertZeros(image, 8192 + 512 + 4096 + 512, 1024);
        }
    }

    @Test
    void theLastSectorIsUsableAndOneBytePastTheEndIsNot() throws Exception
    {
        try (DiskImage image = newImage(SIZE))
        {
            assertEquals(OK, image.write(SIZE - 512, pattern(512, 3)));
            final ByteBuffer dst = window(0, 512);
            assertEquals(OK, image.read(SIZE - 512, dst));
            assertPattern(dst, 0, 512, 3);

            final ByteBuffer tooLong = pattern(1024, 9);
            assertEquals(E_RANGE, image.write(SIZE - 512, tooLong));
            assertEquals(3, tooLong.position(), "a refused window is untouched");
            final ByteBuffer check = window(0, 512);
            assertEquals(OK, image.read(SIZE - 512, check));
            assertPattern(check, 0, 512, 3);

            assertEquals(E_RANGE, image.read(SIZE - 512, window(0, 513)));
            assertEquals(E_RANGE, image.read(SIZE, window(0, 512)));
            assertEquals(E_RANGE, image.write(SIZE, pattern(512, 1)));
            assertEquals(E_RANGE, image.read(-512, window(0, 512)));
            assertEquals(E_RANGE, image.write(-512, pattern(512, 1)));
            assertEquals(E_RANGE, image.read(Long.MAX_VALUE - 100, window(0, 512)), "no overflow into range");
            assertEquals(E_RANGE, image.discard(SIZE - 512, 1024));
            assertEquals(E_RANGE, image.discard(-512, 512));
            assertEquals(E_RANGE, image.discard(512, -512));
            assertEquals(E_RANGE, image.discard(512, Long.MAX_VALUE));
            assertZeros(image, 0, SIZE - 512);
        }
    }

    @Test
    void flushSucceeds() throws Exception
    {
        try (DiskImage image = newImage(SIZE))
        {
            assertEquals(OK, image.write(0, pattern(512, 1)));
            assertEquals(OK, image.flush());
        }
    }

    @Test
    void discardZeroesExactlyTheRangeEvenWhenItIsNotPageAligned() throws Exception
    {
        try (DiskImage image = newImage(SIZE))
        {
            final ByteBuffer all = pattern(SIZE, 5);
            assertEquals(OK, image.write(0, all));

            final int from = 512;
            final int length = 3 * 4096 + 1024;
            assertEquals(OK, image.discard(from, length));

            final ByteBuffer dst = window(0, SIZE);
            assertEquals(OK, image.read(0, dst));
            for (int i = 0; i < SIZE; i++)
            {
                final byte expected = i >= from && i < from + length ? 0 : (byte)(5 + i * 31);
                assertEquals(expected, dst.get(i), "byte " + i);
            }

            assertEquals(OK, image.discard(0, SIZE));
            assertZeros(image, 0, SIZE);
            assertEquals(OK, image.write(4096, pattern(512, 8)), "a discarded range is writable again");
            final ByteBuffer again = window(0, 512);
            assertEquals(OK, image.read(4096, again));
            assertPattern(again, 0, 512, 8);
        }
    }

    @Test
    void aReadOnlyImageRefusesWritesAndDiscardsAndKeepsItsData() throws Exception
    {
        try (DiskImage image = newReadOnlyImage(SIZE))
        {
            assertTrue(image.isReadOnly());
            final ByteBuffer src = pattern(512, 1);
            assertEquals(E_ROFS, image.write(0, src));
            assertEquals(3, src.position(), "a refused window is untouched");
            assertEquals(E_ROFS, image.discard(0, 512));
            assertEquals(OK, image.flush());

            final ByteBuffer dst = window(0, SIZE);
            assertEquals(OK, image.read(0, dst));
            for (int i = 0; i < SIZE; i++)
            {
                assertEquals(readOnlyFill(), dst.get(i), "byte " + i);
            }
        }
    }

    @Test
    void anEmptyWindowTransfersNothingAndSucceeds() throws Exception
    {
        try (DiskImage image = newImage(SIZE))
        {
            assertEquals(OK, image.read(SIZE, window(0, 0)));
            assertEquals(OK, image.write(0, window(0, 0)));
            assertEquals(OK, image.discard(SIZE, 0));
        }
    }

    @Test
    void theIoPathAllocatesNothingOnceWarm() throws Exception
    {
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long thread = Thread.currentThread().threadId();
        try (DiskImage image = newImage(SIZE))
        {
            final ByteBuffer window = window(0, 8192);
            long least = Long.MAX_VALUE;
            // Up to 20 rounds, until one allocates nothing: what is being checked is the warm (C2-compiled)
            // path; on a busy machine the JIT may need more rounds before escape analysis removes the
            // FFM call's temporaries.
            for (int round = 0; round < 20 && least != 0; round++)
            {
                final long before = threads.getThreadAllocatedBytes(thread);
                int failed = 0;
                for (int i = 0; i < 2000; i++)
                {
                    final long offset = (i % 7) * 8192L;
                    window.clear();
                    failed |= image.write(offset, window);
                    window.clear();
                    failed |= image.read(offset, window);
                    failed |= image.discard(offset + 512, 4096 + 1024);
                    failed |= i % 200 == 0 ? image.flush() : 0;
                    window.clear();
                    failed |= image.read(SIZE, window) == E_RANGE ? 0 : 1;
                }
                least = Math.min(least, threads.getThreadAllocatedBytes(thread) - before);
                assertEquals(0, failed);
            }
            assertEquals(0, least, "bytes allocated by 2000 rounds of write, read, discard, flush and a refusal");
        }
    }
}
