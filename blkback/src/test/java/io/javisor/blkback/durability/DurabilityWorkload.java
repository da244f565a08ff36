package io.javisor.blkback.durability;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;

/**
 * What the crash test writes, shared by the writer (the child JVM) and the checker: which blocks
 * batch number {@code seq} touches, and the exact 4 KiB each block then holds.
 * <p>
 * A block describes itself, so that after a crash each one can be judged on its own:
 * <pre>
 *   0  magic            "JVSRDURA" (8 bytes)
 *   8  run id           random per test run: content left over from another run is recognised
 *  16  block number     where the block was meant to land: a misdirected write is recognised
 *  24  sequence         the batch that wrote it, i.e. its generation
 *  32  payload          4060 pseudo-random bytes derived from (run, block, sequence)
 * 4092 CRC32C          over bytes 0..4091: a torn (half old, half new) or garbage block fails it
 * </pre>
 * All numbers little-endian.
 *
 * @param runId      distinguishes this run's blocks from any others.
 * @param blockCount the disk's size in 4 KiB blocks.
 * @param batchSize  distinct blocks written per batch (≤ the front end's queue depth).
 */
record DurabilityWorkload(long runId, int blockCount, int batchSize)
{
    static final int BLOCK_SIZE = 4096;
    static final int SECTORS_PER_BLOCK = BLOCK_SIZE / 512;
    static final long MAGIC = 0x4152_5544_5253_564AL; // "JVSRDURA" read little-endian
    static final int RUN_OFFSET = 8;
    static final int BLOCK_OFFSET = 16;
    static final int SEQUENCE_OFFSET = 24;
    static final int PAYLOAD_OFFSET = 32;
    static final int CRC_OFFSET = BLOCK_SIZE - 4;

    DurabilityWorkload
    {
        if (blockCount < 1 || batchSize < 1 || batchSize > blockCount)
        {
            throw new IllegalArgumentException("need 1 ≤ batch size ≤ block count: " + batchSize + ", " + blockCount);
        }
    }

    /**
     * The blocks batch {@code seq} writes: {@link #batchSize} distinct block numbers, ascending,
     * a pure function of (run id, seq) so that the checker can tell which blocks the batch that
     * was in flight at the kill may have touched.
     */
    int[] blocksOf(final long seq)
    {
        // Mixed seeds: SplittableRandom seeds a golden-ratio step apart would give overlapping streams.
        final SplittableRandom random = new SplittableRandom(mix(runId ^ mix(seq + 0x632B_E59B_D9B4_E019L)));
        final int[] blocks = new int[batchSize];
        int chosen = 0;
        while (chosen < batchSize)
        {
            final int candidate = random.nextInt(blockCount);
            boolean seen = false;
            for (int i = 0; i < chosen; i++)
            {
                seen |= blocks[i] == candidate;
            }
            if (!seen)
            {
                blocks[chosen++] = candidate;
            }
        }
        Arrays.sort(blocks);
        return blocks;
    }

    /**
     * Fills {@code dst[offset .. offset + 4096)} with block {@code block} as batch {@code seq} writes it.
     */
    void encode(final int block, final long seq, final byte[] dst, final int offset)
    {
        final ByteBuffer out = ByteBuffer.wrap(dst, offset, BLOCK_SIZE).slice().order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(0, MAGIC);
        out.putLong(RUN_OFFSET, runId);
        out.putLong(BLOCK_OFFSET, block);
        out.putLong(SEQUENCE_OFFSET, seq);
        long state = runId ^ (block + 1L) * 0xBF58_476D_1CE4_E5B9L ^ (seq + 1L) * 0x94D0_49BB_1331_11EBL;
        long word = 0;
        for (int i = PAYLOAD_OFFSET; i < CRC_OFFSET; i++)
        {
            final int inWord = (i - PAYLOAD_OFFSET) & 7;
            if (inWord == 0)
            {
                state += 0x9E37_79B9_7F4A_7C15L;
                word = mix(state);
            }
            out.put(i, (byte)(word >>> (inWord * 8)));
        }
        out.putInt(CRC_OFFSET, crc(dst, offset));
    }

    private static long mix(final long z0)
    {
        long z = z0;
        z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
        return z ^ (z >>> 31);
    }

    private static int crc(final byte[] block, final int offset)
    {
        final CRC32C crc = new CRC32C();
        crc.update(block, offset, CRC_OFFSET);
        return (int)crc.getValue();
    }

    /** What one block on the disk turned out to be. */
    sealed interface Seen
    {
    }

    /** Every byte zero: never written (the image starts sparse). */
    record Zero() implements Seen
    {
    }

    /** Exactly what batch {@code seq} wrote to this block. */
    record Intact(long seq) implements Seen
    {
    }

    /** Anything else: torn, garbage, another block's data, another run's data. */
    record Corrupt(String why) implements Seen
    {
    }

    /**
     * Judges the 4 KiB at {@code data[offset ..]} read from block {@code block}.
     */
    Seen inspect(final int block, final byte[] data, final int offset)
    {
        final ByteBuffer in = ByteBuffer.wrap(data, offset, BLOCK_SIZE).slice().order(ByteOrder.LITTLE_ENDIAN);
        boolean allZero = true;
        for (int i = 0; i < BLOCK_SIZE && allZero; i += 8)
        {
            allZero = in.getLong(i) == 0;
        }
        if (allZero)
        {
            return new Zero();
        }
        if (in.getLong(0) != MAGIC)
        {
            return new Corrupt("no header (magic " + Long.toHexString(in.getLong(0)) + "): garbage");
        }
        if (in.getInt(CRC_OFFSET) != crc(data, offset))
        {
            return new Corrupt("checksum mismatch: torn or damaged (header says block " + in.getLong(BLOCK_OFFSET) +
                ", sequence " + in.getLong(SEQUENCE_OFFSET) + ")");
        }
        if (in.getLong(RUN_OFFSET) != runId)
        {
            return new Corrupt("written by another run (" + in.getLong(RUN_OFFSET) + ")");
        }
        if (in.getLong(BLOCK_OFFSET) != block)
        {
            return new Corrupt("holds block " + in.getLong(BLOCK_OFFSET) + "'s data: misdirected write");
        }
        final long seq = in.getLong(SEQUENCE_OFFSET);
        if (seq < 0)
        {
            return new Corrupt("negative sequence " + seq);
        }
        // The checksum could in principle be matched by chance; the exact content cannot.
        final byte[] expected = new byte[BLOCK_SIZE];
        encode(block, seq, expected, 0);
        if (!Arrays.equals(expected, 0, BLOCK_SIZE, data, offset, offset + BLOCK_SIZE))
        {
            return new Corrupt("payload differs from what sequence " + seq + " wrote");
        }
        return new Intact(seq);
    }
}
