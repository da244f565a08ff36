package io.javisor.ringio.console;

import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ConsoleRingConcurrencyTest
{
    private static final long TOTAL_BYTES = 10_000_000L;
    private static final byte[] PATTERN = new byte[65_521];

    static
    {
        new Random(42).nextBytes(PATTERN);
    }

    private final UnsafeBuffer page = new UnsafeBuffer(
        BufferUtil.allocateDirectAligned(ConsoleRingDescriptor.PAGE_SIZE, ConsoleRingDescriptor.PAGE_SIZE));
    private final ExecutorService threads = Executors.newFixedThreadPool(2);

    @AfterEach
    void stopThreads()
    {
        threads.shutdownNow();
    }

    @Test
    @Timeout(30)
    void tenMillionBytesFromGuestToBackendArriveWhole() throws Exception
    {
        ConsoleRing.initialise(page);
        final ConsoleRingWriter guestOut = ConsoleRing.guestEnd(page).out();
        final ConsoleRingReader backendOut = ConsoleRing.backendEnd(page).out();

        assertTransfersIntact(guestOut, backendOut);
    }

    @Test
    @Timeout(30)
    void tenMillionBytesFromBackendToGuestArriveWhole() throws Exception
    {
        ConsoleRing.initialise(page);
        final ConsoleRingWriter backendIn = ConsoleRing.backendEnd(page).in();
        final ConsoleRingReader guestIn = ConsoleRing.guestEnd(page).in();

        assertTransfersIntact(backendIn, guestIn);
    }

    /**
     * Push {@link #TOTAL_BYTES} bytes of a pattern through the ring in chunks of varying size on one
     * thread while another reads them. The pattern repeats with a prime period, which no ring offset
     * or chunk size lines up with, so a lost, repeated or reordered byte shows up as the first
     * position whose byte does not match.
     */
    private void assertTransfersIntact(final ConsoleRingWriter writer, final ConsoleRingReader reader) throws Exception
    {
        final CompletableFuture<Long> produced = CompletableFuture.supplyAsync(() ->
        {
            long position = 0;
            int round = 0;
            while (position < TOTAL_BYTES)
            {
                final int patternOffset = (int)(position % PATTERN.length);
                final int length = (int)Math.min(
                    Math.min(1 + (round * 37) % 701, PATTERN.length - patternOffset), TOTAL_BYTES - position);
                final int written = writer.write(PATTERN, patternOffset, length);
                if (written < 0)
                {
                    throw new IllegalStateException("ring broken at " + position);
                }
                if (written == 0)
                {
                    spinOrStop();
                }
                else
                {
                    round++;
                }
                position += written;
            }
            return position;
        }, threads);

        final CompletableFuture<Long> consumed = CompletableFuture.supplyAsync(() ->
        {
            final byte[] buffer = new byte[523];
            long position = 0;
            while (position < TOTAL_BYTES)
            {
                final int read = reader.read(buffer, 0, buffer.length);
                if (read < 0)
                {
                    throw new IllegalStateException("ring broken at " + position);
                }
                if (read == 0)
                {
                    spinOrStop();
                }
                for (int done = 0; done < read; )
                {
                    final int patternOffset = (int)((position + done) % PATTERN.length);
                    final int span = Math.min(read - done, PATTERN.length - patternOffset);
                    final int mismatch = Arrays.mismatch(buffer, done, done + span, PATTERN, patternOffset, patternOffset + span);
                    if (mismatch >= 0)
                    {
                        return -(position + done + mismatch);
                    }
                    done += span;
                }
                position += read;
            }
            return position;
        }, threads);

        assertEquals(TOTAL_BYTES, consumed.get(30, TimeUnit.SECONDS), "negative: first bad position");
        assertEquals(TOTAL_BYTES, produced.get(30, TimeUnit.SECONDS));
        assertEquals(0, reader.read(new byte[1], 0, 1), "nothing extra");
    }

    /**
     * Wait for the other side; give up once the test has finished (e.g. because the other side failed).
     */
    private static void spinOrStop()
    {
        if (Thread.currentThread().isInterrupted())
        {
            throw new IllegalStateException("stopped: the other side gave up");
        }
        Thread.onSpinWait();
    }
}
