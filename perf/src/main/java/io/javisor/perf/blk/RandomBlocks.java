package io.javisor.perf.blk;

/**
 * Uniformly random 4 KiB block numbers on a disk, from a SplitMix64 sequence: a few arithmetic
 * instructions per draw, no allocation, no shared state (one per driving thread), and the same
 * sequence for the same seed so that runs are comparable.
 */
final class RandomBlocks
{
    private final long blocks;
    private long state;

    RandomBlocks(final long blocks, final long seed)
    {
        if (blocks <= 0 || blocks > 0xFFFF_FFFFL)
        {
            throw new IllegalArgumentException("block count out of range: " + blocks);
        }
        this.blocks = blocks;
        this.state = seed;
    }

    /**
     * The next block number, in [0, blocks).
     */
    long nextBlock()
    {
        state += 0x9E3779B97F4A7C15L;
        // Lemire's multiply-shift: the high 32 bits of a 32 × 32-bit product, no division.
        return ((mix(state) >>> 32) * blocks) >>> 32;
    }

    /**
     * The next block's first 512-byte sector.
     */
    long nextSector()
    {
        return nextBlock() * BlkRig.SECTORS_PER_BLOCK;
    }

    /**
     * The next block's byte offset.
     */
    long nextOffset()
    {
        return nextBlock() * BlkRig.BLOCK_SIZE;
    }

    /**
     * SplitMix64's finaliser.
     */
    static long mix(final long value)
    {
        long z = value;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
