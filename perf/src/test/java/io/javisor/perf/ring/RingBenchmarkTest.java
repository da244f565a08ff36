package io.javisor.perf.ring;

import io.javisor.perf.report.LatencySummary;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RingBenchmarkTest
{
    @Test
    void shortRunMeasuresBothTransports()
    {
        final RingBenchmark.Result result =
            new RingBenchmark(new RingBenchmark.Config(0.2, 0.1, 64, 1.0)).run(null);

        assertEquals(0, result.mismatches());
        assertEquals(32, result.slots());
        for (final RingBenchmark.KindResult kind : new RingBenchmark.KindResult[]{ result.sharedRing(), result.agrona() })
        {
            final LatencySummary s = kind.summary();
            assertTrue(s.count() > 0, kind.name() + " made round trips");
            assertEquals(s.count(), kind.histogram().getTotalCount());
            assertTrue(s.p50() > 0, kind.name() + " p50 > 0");
            assertTrue(s.p50() <= s.p99() && s.p99() <= s.p999() && s.p999() <= s.max(),
                kind.name() + " percentiles in order: " + s);
        }
        assertTrue(result.ratioP50() > 0);
        final var metrics = result.toReport().metrics();
        for (final String key : new String[]{ "sharedring_p50_ns", "sharedring_p99_ns", "sharedring_p999_ns",
            "agrona_p50_ns", "agrona_p99_ns", "agrona_p999_ns", "ratio_p50",
            "sharedring_round_trips", "agrona_round_trips" })
        {
            assertTrue(metrics.containsKey(key), "metric " + key);
        }
    }

    @Test
    void scheduleSplitsTheTimeIntoAlternatingRounds()
    {
        assertEquals(new RingBenchmark.Schedule(5, 1_000_000_000L), RingBenchmark.Schedule.of(10, 1));
        assertEquals(new RingBenchmark.Schedule(1, 100_000_000L), RingBenchmark.Schedule.of(0.2, 1));
        assertEquals(new RingBenchmark.Schedule(0, 0), RingBenchmark.Schedule.of(0, 1));
        assertEquals(2, RingBenchmark.Schedule.of(3, 1).rounds());
    }

    @Test
    void rejectsBadConfigurations()
    {
        assertThrows(IllegalArgumentException.class, () -> new RingBenchmark.Config(0, 1, 64, 1));
        assertThrows(IllegalArgumentException.class, () -> new RingBenchmark.Config(1, -1, 64, 1));
        assertThrows(IllegalArgumentException.class, () -> new RingBenchmark.Config(1, 1, 4, 1));
        assertThrows(IllegalArgumentException.class, () -> new RingBenchmark.Config(1, 1, 4033, 1));
    }

    @Test
    void channelsEchoOnOneThread()
    {
        try (SharedRingChannel shared = new SharedRingChannel(4032); AgronaRingChannel agrona = new AgronaRingChannel(4032))
        {
            for (final RoundTripChannel channel : new RoundTripChannel[]{ shared, agrona })
            {
                channel.prepareRound();
                channel.attachBackEnd();
                for (long seq = 1; seq <= 100; seq++)
                {
                    channel.sendRequest(seq);
                    // Agrona skips a padding record at the end of its buffer in a read of its own.
                    assertEquals(1, channel.serveRequests() + channel.serveRequests(), channel.name());
                    assertTrue(channel.pollResponse() || channel.pollResponse(), channel.name());
                    assertEquals(seq, channel.responseSeq());
                    assertEquals(false, channel.pollResponse());
                }
            }
            assertEquals(1, shared.slots());
        }
    }
}
