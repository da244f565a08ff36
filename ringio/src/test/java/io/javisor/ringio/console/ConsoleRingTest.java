package io.javisor.ringio.console;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.javisor.ringio.console.ConsoleRingDescriptor.IN_CONS_OFFSET;
import static io.javisor.ringio.console.ConsoleRingDescriptor.IN_PROD_OFFSET;
import static io.javisor.ringio.console.ConsoleRingDescriptor.OUT_CONS_OFFSET;
import static io.javisor.ringio.console.ConsoleRingDescriptor.OUT_PROD_OFFSET;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConsoleRingTest
{
    private final UnsafeBuffer page = new UnsafeBuffer(
        BufferUtil.allocateDirectAligned(ConsoleRingDescriptor.PAGE_SIZE, ConsoleRingDescriptor.PAGE_SIZE));

    @BeforeEach
    void initialisePage()
    {
        ConsoleRing.initialise(page);
    }

    @Test
    void layoutMatchesXenconsInterface()
    {
        assertEquals(0, ConsoleRingDescriptor.IN_OFFSET);
        assertEquals(1024, ConsoleRingDescriptor.IN_CAPACITY);
        assertEquals(1024, ConsoleRingDescriptor.OUT_OFFSET);
        assertEquals(2048, ConsoleRingDescriptor.OUT_CAPACITY);
        assertEquals(3072, IN_CONS_OFFSET);
        assertEquals(3076, IN_PROD_OFFSET);
        assertEquals(3080, OUT_CONS_OFFSET);
        assertEquals(3084, OUT_PROD_OFFSET);
        assertEquals(3088, ConsoleRingDescriptor.LENGTH);
    }

    @Test
    void whatTheGuestPrintsTheBackendReadsFromOut()
    {
        final byte[] hello = "hello, console\n".getBytes(StandardCharsets.US_ASCII);

        assertEquals(hello.length, ConsoleRing.guestEnd(page).out().write(hello, 0, hello.length));

        assertEquals(hello.length, page.getInt(OUT_PROD_OFFSET));
        assertEquals(hello[0], page.getByte(ConsoleRingDescriptor.OUT_OFFSET));
        final byte[] read = new byte[64];
        final int count = ConsoleRing.backendEnd(page).out().read(read, 0, read.length);
        assertEquals(hello.length, count);
        assertArrayEquals(hello, Arrays.copyOf(read, count));
        assertEquals(hello.length, page.getInt(OUT_CONS_OFFSET));
    }

    @Test
    void whatTheBackendTypesTheGuestReadsFromIn()
    {
        final byte[] keys = "ls -l\r".getBytes(StandardCharsets.US_ASCII);

        assertEquals(keys.length, ConsoleRing.backendEnd(page).in().write(keys, 0, keys.length));

        assertEquals(keys[0], page.getByte(ConsoleRingDescriptor.IN_OFFSET));
        assertEquals(keys.length, page.getInt(IN_PROD_OFFSET));
        final byte[] read = new byte[16];
        assertEquals(keys.length, ConsoleRing.guestEnd(page).in().read(read, 0, read.length));
        assertArrayEquals(keys, Arrays.copyOf(read, keys.length));
    }

    @Test
    void agronaBuffersWorkAsSourceAndDestination()
    {
        final UnsafeBuffer source = new UnsafeBuffer("boot: ok\n".getBytes(StandardCharsets.US_ASCII));
        final UnsafeBuffer destination = new UnsafeBuffer(new byte[32]);

        assertEquals(source.capacity(), ConsoleRing.guestEnd(page).out().write(source, 0, source.capacity()));
        assertEquals(source.capacity(), ConsoleRing.backendEnd(page).out().read(destination, 4, 28));

        assertEquals("boot: ok\n", destination.getStringWithoutLengthAscii(4, source.capacity()));
    }

    @Test
    void negativeLengthsAreRejectedRatherThanMistakenForABrokenRing()
    {
        assertThrows(IllegalArgumentException.class, () -> ConsoleRing.guestEnd(page).out().write(new byte[1], 0, -1));
        assertThrows(IllegalArgumentException.class, () -> ConsoleRing.backendEnd(page).out().read(new byte[1], 0, -1));
    }

    @Test
    void aWriterFillsTheRingAndNoMoreUntilTheReaderFreesSpace()
    {
        final ConsoleRingWriter guestOut = ConsoleRing.guestEnd(page).out();
        final ConsoleRingReader backendOut = ConsoleRing.backendEnd(page).out();
        final byte[] lots = new byte[3000];

        assertEquals(2048, guestOut.write(lots, 0, lots.length));
        assertEquals(0, guestOut.write(lots, 0, 1));
        assertEquals(100, backendOut.read(new byte[100], 0, 100));
        assertEquals(100, guestOut.write(lots, 0, lots.length));
        assertEquals(0, ConsoleRing.guestEnd(page).in().read(new byte[10], 0, 10), "in is empty");
    }

    @Test
    void indicesRunFreelyAcrossTheU32Wrap()
    {
        final int nearWrap = 0xFFFF_FF00;
        page.putInt(OUT_CONS_OFFSET, nearWrap);
        page.putInt(OUT_PROD_OFFSET, nearWrap);
        final ConsoleRingWriter guestOut = ConsoleRing.guestEnd(page).out();
        final ConsoleRingReader backendOut = ConsoleRing.backendEnd(page).out();
        final byte[] sent = new byte[1500];
        for (int i = 0; i < sent.length; i++)
        {
            sent[i] = (byte)(i * 7);
        }

        final byte[] received = new byte[sent.length];
        int total = 0;
        for (int chunk = 0; chunk < sent.length; chunk += 300)
        {
            assertEquals(300, guestOut.write(sent, chunk, 300));
            total += backendOut.read(received, total, received.length - total);
        }

        assertEquals(sent.length, total);
        assertArrayEquals(sent, received);
        assertEquals(nearWrap + sent.length, page.getInt(OUT_PROD_OFFSET));
        assertTrue(Integer.compareUnsigned(page.getInt(OUT_PROD_OFFSET), nearWrap) < 0, "wrapped past 2^32");
    }

    @Test
    void aProducerIndexMoreThanARingAheadBreaksTheRing()
    {
        final ConsoleRingReader backendOut = ConsoleRing.backendEnd(page).out();
        page.putIntVolatile(OUT_PROD_OFFSET, ConsoleRingDescriptor.OUT_CAPACITY + 1);
        final byte[] destination = new byte[4096];
        Arrays.fill(destination, (byte)0x5A);

        assertEquals(ConsoleRingReader.BROKEN, backendOut.read(destination, 0, destination.length));

        assertTrue(backendOut.isBroken());
        assertTrue(allEqual(destination, (byte)0x5A), "nothing copied");
        assertEquals(0, page.getInt(OUT_CONS_OFFSET), "consumer index untouched");

        page.putIntVolatile(OUT_PROD_OFFSET, 10);
        assertEquals(ConsoleRingReader.BROKEN, backendOut.read(destination, 0, destination.length), "stays broken");
    }

    @Test
    void aProducerIndexBehindTheConsumerBreaksTheRing()
    {
        page.putInt(OUT_CONS_OFFSET, 1000);
        page.putInt(OUT_PROD_OFFSET, 1000);
        final ConsoleRingReader backendOut = ConsoleRing.backendEnd(page).out();
        page.putIntVolatile(OUT_PROD_OFFSET, 999);

        assertEquals(ConsoleRingReader.BROKEN, backendOut.read(new byte[16], 0, 16));
    }

    @Test
    void aProducerIndexExactlyARingAheadIsAFullRingNotABrokenOne()
    {
        final ConsoleRingReader backendOut = ConsoleRing.backendEnd(page).out();
        page.putIntVolatile(OUT_PROD_OFFSET, ConsoleRingDescriptor.OUT_CAPACITY);

        assertEquals(ConsoleRingDescriptor.OUT_CAPACITY, backendOut.read(new byte[4096], 0, 4096));
        assertFalse(backendOut.isBroken());
    }

    @Test
    void theBackendKeepsItsOwnConsumerIndexWhateverTheGuestWritesThere()
    {
        final ConsoleRingWriter guestOut = ConsoleRing.guestEnd(page).out();
        final ConsoleRingReader backendOut = ConsoleRing.backendEnd(page).out();
        final byte[] digits = "0123456789".getBytes(StandardCharsets.US_ASCII);
        guestOut.write(digits, 0, digits.length);
        final byte[] first = new byte[5];
        assertEquals(5, backendOut.read(first, 0, 5));

        page.putIntVolatile(OUT_CONS_OFFSET, 0);

        final byte[] rest = new byte[10];
        assertEquals(5, backendOut.read(rest, 0, rest.length));
        assertArrayEquals("56789".getBytes(StandardCharsets.US_ASCII), Arrays.copyOf(rest, 5));
    }

    @Test
    void aConsumerIndexOutOfRangeBreaksTheBackendsWriter()
    {
        final ConsoleRingWriter backendIn = ConsoleRing.backendEnd(page).in();
        page.putIntVolatile(IN_CONS_OFFSET, 5000);

        assertEquals(ConsoleRingWriter.BROKEN, backendIn.write(new byte[4], 0, 4));
        assertTrue(backendIn.isBroken());
        assertEquals(0, page.getInt(IN_PROD_OFFSET), "nothing published");
    }

    @Test
    void aPageTooSmallForTheInterfaceIsRejected()
    {
        final UnsafeBuffer small = new UnsafeBuffer(BufferUtil.allocateDirectAligned(2048, 64));

        assertThrows(IllegalArgumentException.class, () -> ConsoleRing.guestEnd(small));
    }

    private static boolean allEqual(final byte[] bytes, final byte value)
    {
        for (final byte b : bytes)
        {
            if (b != value)
            {
                return false;
            }
        }
        return true;
    }
}
