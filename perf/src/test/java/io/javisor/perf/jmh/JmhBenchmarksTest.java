package io.javisor.perf.jmh;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The JMH benchmark bodies, run plainly for many laps of their rings: each round trip returns
 * the sequence number it sent.
 */
class JmhBenchmarksTest
{
    @Test
    void sharedRingRoundTripEchoes()
    {
        final SharedRingBenchmark benchmark = new SharedRingBenchmark();
        benchmark.payload = 64;
        benchmark.setUp();
        try
        {
            for (long seq = 1; seq <= 10_000; seq++)
            {
                assertEquals(seq, benchmark.roundTrip());
            }
        }
        finally
        {
            benchmark.tearDown();
        }
    }

    @Test
    void agronaRoundTripEchoes()
    {
        final AgronaRingBufferBenchmark benchmark = new AgronaRingBufferBenchmark();
        benchmark.payload = 64;
        benchmark.setUp();
        try
        {
            for (long seq = 1; seq <= 10_000; seq++)
            {
                assertEquals(seq, benchmark.roundTrip());
            }
        }
        finally
        {
            benchmark.tearDown();
        }
    }
}
