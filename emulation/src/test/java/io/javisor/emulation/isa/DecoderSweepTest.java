package io.javisor.emulation.isa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;

import io.javisor.memory.testing.Seed;
import io.javisor.memory.testing.Seeded;
import org.junit.jupiter.api.Test;

/**
 * Sweeps: every halfword and ten million pseudo-random words must decode without throwing,
 * to well-formed results, and without allocating on the decoding thread.
 */
@Seeded
class DecoderSweepTest
{
    private static final int RANDOM_WORDS = 10_000_000;
    /** Slack for the measurement calls themselves; decoding must contribute nothing. */
    private static final long ALLOCATION_SLACK_BYTES = 4096;

    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();

    @Test
    void everyHalfwordDecodesToLengthTwo()
    {
        int legal = 0;
        for (int c = 0; c < 0x10000; c++)
        {
            final long decoded = CompressedDecoder.decodeCompressed((short)c);
            assertEquals(2, Decoded.length(decoded));
            final int opcode = Decoded.opcode(decoded);
            assertTrue(opcode >= 0 && opcode < Opcode.COUNT);
            if ((c & 3) == 3)
            {
                assertEquals(Decoded.ILLEGAL_COMPRESSED, decoded);
            }
            else if (opcode != Opcode.ILLEGAL)
            {
                legal++;
                assertEquals(decoded, Decoder.decodeAny(c));
            }
        }
        // 3 quadrants x 2^14 = 49152 candidates, minus the illegal ones counted from the spec:
        // C.FLD, reserved Q0 funct3 4, C.FSD, C.FLDSP, C.FSDSP (5 x 2048); C.ADDI4SPN imm 0 (8);
        // C.ADDIW rd 0 (64); C.ADDI16SP imm 0 (1); C.LUI imm 0 (31); reserved CA ops (128);
        // C.LWSP and C.LDSP rd 0 (2 x 64); C.JR rs1 0 (1).
        assertEquals(49152 - (5 * 2048 + 8 + 64 + 1 + 31 + 128 + 2 * 64 + 1), legal);
    }

    @Test
    void everyLegalHalfwordMatchesALegalWordForm()
    {
        for (int c = 0; c < 0x10000; c++)
        {
            final long decoded = CompressedDecoder.decodeCompressed((short)c);
            if (Decoded.opcode(decoded) != Opcode.ILLEGAL)
            {
                // The compressed bit is the only thing separating it from a 32-bit decoding.
                assertNotEquals(Decoded.ILLEGAL, decoded & ~(1L << Decoded.COMPRESSED_BIT));
            }
        }
    }

    @Test
    void randomWordsDecodeWithoutThrowingOrAllocating(final Seed seed)
    {
        // Warm up so that the measured loop runs compiled code (compilation happens elsewhere).
        long checksum = sweep(0x9E3779B9, 200_000);
        checksum += sweepCompressed(200_000);

        final int start = seed.nonZeroInt();
        final long threadId = Thread.currentThread().threadId();
        final long before = THREADS.getThreadAllocatedBytes(threadId);
        checksum += sweep(start, RANDOM_WORDS);
        checksum += sweepCompressed(0x10000 * 16);
        final long allocated = THREADS.getThreadAllocatedBytes(threadId) - before;

        assertTrue(allocated < ALLOCATION_SLACK_BYTES, "allocated " + allocated + " bytes");
        assertNotEquals(0, checksum);
    }

    private static long sweep(final int seed, final int count)
    {
        long checksum = 0;
        int x = seed;
        for (int k = 0; k < count; k++)
        {
            // xorshift32: a full-period generator needing no objects.
            x ^= x << 13;
            x ^= x >>> 17;
            x ^= x << 5;
            final long decoded = Decoder.decode(x);
            if (Decoded.length(decoded) != 4 || Decoded.opcode(decoded) >= Opcode.COUNT)
            {
                throw new AssertionError("bad decoding of " + Integer.toHexString(x));
            }
            checksum += decoded;
        }
        return checksum;
    }

    private static long sweepCompressed(final int count)
    {
        long checksum = 0;
        for (int k = 0; k < count; k++)
        {
            checksum += CompressedDecoder.decodeCompressed((short)k);
        }
        return checksum;
    }

    @Test
    void everyLegalHalfwordExpandsToAnEncodableCanonicalWord()
    {
        for (int c = 0; c < 0x10000; c++)
        {
            final long decoded = CompressedDecoder.decodeCompressed((short)c);
            if (Decoded.opcode(decoded) != Opcode.ILLEGAL)
            {
                final long base = decoded & ~(1L << Decoded.COMPRESSED_BIT);
                assertEquals(base, Decoder.decode(Asm.encode(decoded)), Integer.toHexString(c));
            }
        }
    }

    @Test
    void legalRandomWordsReencodeToTheSameDecoding(final Seed seed)
    {
        int x = seed.nonZeroInt();
        int legal = 0;
        for (int k = 0; k < 1_000_000; k++)
        {
            x ^= x << 13;
            x ^= x >>> 17;
            x ^= x << 5;
            final long decoded = Decoder.decode(x);
            if (Decoded.opcode(decoded) != Opcode.ILLEGAL)
            {
                legal++;
                assertEquals(decoded, Decoder.decode(Asm.encode(decoded)), Integer.toHexString(x));
            }
        }
        assertTrue(legal > 10_000, "legal words: " + legal);
    }
}
