package io.javisor.memory.testing;

import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The seed of a randomized test: {@code -Djavisor.seed=N} (decimal or 0x hex) when given, else
 * drawn at random. A test gets one as a parameter through {@link Seeded}, which puts
 * {@code seed=N} into the failure message of a failing test, so that the failure can be replayed.
 */
public record Seed(long value)
{
    public static final String PROPERTY = "javisor.seed";

    /** The seed the property gives, else a random one. */
    public static Seed fromPropertyOrRandom()
    {
        final String property = System.getProperty(PROPERTY);
        if (property != null && !property.isBlank())
        {
            return new Seed(Long.decode(property.strip()));
        }
        return new Seed(ThreadLocalRandom.current().nextLong());
    }

    public SplittableRandom splittableRandom()
    {
        return new SplittableRandom(value);
    }

    public Random random()
    {
        return new Random(value);
    }

    /** An independent seed for stream {@code stream} (another thread, another process) of this test. */
    public long derive(final long stream)
    {
        return mix(value ^ mix(stream + 0x9E37_79B9_7F4A_7C15L));
    }

    /** For xorshift32 generators, whose state must not be zero. */
    public int nonZeroInt()
    {
        final int folded = (int)(value ^ (value >>> 32));
        return folded == 0 ? 1 : folded;
    }

    /** How to replay: {@code seed=N (rerun with -Djavisor.seed=N)}. */
    @Override
    public String toString()
    {
        return "seed=" + value + " (rerun with -D" + PROPERTY + "=" + value + ")";
    }

    private static long mix(final long z0)
    {
        long z = (z0 ^ (z0 >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
        return z ^ (z >>> 31);
    }
}
