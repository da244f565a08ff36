package io.javisor.perf.ring;

import org.HdrHistogram.Histogram;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BusySpinIdleStrategy;

import java.util.concurrent.TimeUnit;

/**
 * Measures round trips over one {@link RoundTripChannel}: the calling thread is the front end,
 * an {@link EchoAgent} run by an {@link AgentRunner} with a {@link BusySpinIdleStrategy} on its
 * own (daemon) thread is the back end. Each {@link #measure} call is one round: it starts the
 * back end, does a few unrecorded round trips so that the thread is up, records every round trip
 * for the given time, then stops the back end and waits for its thread to end. Between rounds
 * no thread of this channel spins, so that two channels measured in turn never compete for cores.
 * <p>
 * The recording loop allocates nothing: two {@link System#nanoTime()} reads and one
 * {@link Histogram#recordValue} per round trip.
 */
public final class PingPong
{
    /** Values above this are recorded as this (a minute: a stall, reported as the max). */
    public static final long HIGHEST_TRACKABLE_NS = TimeUnit.SECONDS.toNanos(60);
    private static final int SETTLE_ROUND_TRIPS = 1_000;
    private static final int STALL_CHECK_SPINS = 1 << 20;
    private static final long STALL_LIMIT_NS = TimeUnit.SECONDS.toNanos(10);

    private final RoundTripChannel channel;
    private final String threadName;
    private volatile Throwable backEndError;
    private long nextSeq = 1;
    private long mismatches;

    public PingPong(final RoundTripChannel channel)
    {
        this.channel = channel;
        this.threadName = "javisor-bench-" + channel.name() + "-back";
    }

    public RoundTripChannel channel()
    {
        return channel;
    }

    /**
     * A histogram for round-trip times in ns (3 significant digits, up to {@link #HIGHEST_TRACKABLE_NS}),
     * padded so that the front end's writes to it share no cache line with the back end's objects.
     */
    public static Histogram newHistogram()
    {
        Padding.block();
        final Histogram histogram = new Histogram(1, HIGHEST_TRACKABLE_NS, 3);
        Padding.block();
        return histogram;
    }

    /**
     * Round trips whose response carried another sequence number than its request (must be 0).
     */
    public long mismatches()
    {
        return mismatches;
    }

    /**
     * One round: records every round trip made in {@code durationNs} into {@code histogram}.
     *
     * @return the number of round trips recorded.
     */
    public long measure(final long durationNs, final Histogram histogram)
    {
        channel.prepareRound();
        backEndError = null;
        final AgentRunner runner = new AgentRunner(
            new BusySpinIdleStrategy(), this::onBackEndError, null, new EchoAgent(channel, threadName));
        AgentRunner.startOnThread(runner, task ->
        {
            final Thread thread = new Thread(task, threadName);
            thread.setDaemon(true);
            return thread;
        });
        try
        {
            long seq = nextSeq;
            for (int i = 0; i < SETTLE_ROUND_TRIPS; i++)
            {
                roundTrip(seq++);
            }
            final long count = recordRoundTrips(durationNs, histogram, seq);
            nextSeq = seq + count;
            return count;
        }
        finally
        {
            runner.close();
        }
    }

    private long recordRoundTrips(final long durationNs, final Histogram histogram, final long firstSeq)
    {
        final RoundTripChannel channel = this.channel;
        final long deadline = System.nanoTime() + durationNs;
        long seq = firstSeq;
        long bad = 0;
        long end;
        do
        {
            final long start = System.nanoTime();
            channel.sendRequest(seq);
            int spins = 0;
            while (!channel.pollResponse())
            {
                Thread.onSpinWait();
                if (++spins == STALL_CHECK_SPINS)
                {
                    spins = 0;
                    checkBackEnd(start);
                }
            }
            end = System.nanoTime();
            histogram.recordValue(Math.min(end - start, HIGHEST_TRACKABLE_NS));
            if (channel.responseSeq() != seq)
            {
                bad++;
            }
            seq++;
        }
        while (end < deadline);
        mismatches += bad;
        return seq - firstSeq;
    }

    private void roundTrip(final long seq)
    {
        final long start = System.nanoTime();
        channel.sendRequest(seq);
        int spins = 0;
        while (!channel.pollResponse())
        {
            Thread.onSpinWait();
            if (++spins == STALL_CHECK_SPINS)
            {
                spins = 0;
                checkBackEnd(start);
            }
        }
        if (channel.responseSeq() != seq)
        {
            mismatches++;
        }
    }

    /**
     * Off the hot path: called after a long spin without a response.
     */
    private void checkBackEnd(final long requestSentAt)
    {
        final Throwable error = backEndError;
        if (error != null)
        {
            throw new IllegalStateException(channel.name() + " back end failed: " + error, error);
        }
        final String fault = channel.backEndFault();
        if (fault != null)
        {
            throw new IllegalStateException(channel.name() + " back end stopped the ring: " + fault);
        }
        final long waited = System.nanoTime() - requestSentAt;
        if (waited > STALL_LIMIT_NS)
        {
            throw new IllegalStateException(channel.name() + ": no response for "
                + TimeUnit.NANOSECONDS.toSeconds(waited) + " s");
        }
    }

    private void onBackEndError(final Throwable error)
    {
        if (backEndError == null)
        {
            backEndError = error;
        }
    }
}
