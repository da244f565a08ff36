package io.javisor.perf.ddom;

import io.javisor.netback.NetFront;
import io.javisor.netback.spec.MacAddress;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;

/**
 * The round trip of a small frame between two guests' vifs across whatever joins them (one bridge
 * in dom0, one in a driver domain, or a bridge shared between the two): one guest sends a numbered
 * frame, the other sends it back with the addresses swapped, and the first records the time from
 * its send to the echo's arrival (HdrHistogram, ns). A frame not back within
 * {@link #TIMEOUT_NANOS} is counted lost and the next one sent.
 * <p>
 * Threads: each front end is used by its own thread only: the caller's (the pinger) and the echo's.
 */
final class FramePingPong
{
    static final int FRAME_BYTES = 64;
    static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final short ETHERTYPE = (short)0x88B5;

    private FramePingPong()
    {
    }

    /**
     * Runs {@code pings} round trips from {@code pinger} to {@code echo} (after {@code warmUp} unrecorded ones).
     *
     * @return the round trips, ns; {@link Histogram#getTotalCount()} short of {@code pings} by the frames lost.
     */
    static Histogram run(final NetFront pinger, final NetFront echo, final int warmUp, final int pings)
        throws InterruptedException
    {
        final Echo echoLoop = new Echo(echo);
        final Thread echoThread = Thread.ofPlatform().name("bench-echo").start(echoLoop);
        final Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        try
        {
            final UnsafeBuffer frame = new UnsafeBuffer(new byte[FRAME_BYTES]);
            MacAddress.write(echo.mac(), frame, 0);
            MacAddress.write(pinger.mac(), frame, 6);
            frame.putShort(12, ETHERTYPE, ByteOrder.BIG_ENDIAN);
            final long[] answered = {-1};
            for (long sequence = 0; sequence < warmUp + pings; sequence++)
            {
                frame.putLong(14, sequence);
                while (!pinger.send(frame, 0, FRAME_BYTES))
                {
                    pinger.poll((buffer, offset, length) -> { });
                }
                final long sent = System.nanoTime();
                pinger.flush();
                while (answered[0] != sequence && System.nanoTime() - sent < TIMEOUT_NANOS)
                {
                    pinger.awaitActivity(TimeUnit.MILLISECONDS.toNanos(1));
                    pinger.poll((buffer, offset, length) -> answered[0] = buffer.getLong(offset + 14));
                }
                if (answered[0] == sequence && sequence >= warmUp)
                {
                    histogram.recordValue(System.nanoTime() - sent);
                }
            }
        }
        finally
        {
            echoLoop.stop = true;
            echoThread.join(TimeUnit.SECONDS.toMillis(10));
        }
        return histogram;
    }

    /** Sends every frame it receives back to its sender. */
    private static final class Echo implements Runnable
    {
        private final NetFront front;
        private final UnsafeBuffer reply = new UnsafeBuffer(new byte[FRAME_BYTES]);
        private volatile boolean stop;
        private int pending;

        Echo(final NetFront front)
        {
            this.front = front;
        }

        @Override
        public void run()
        {
            while (!stop)
            {
                front.awaitActivity(TimeUnit.MILLISECONDS.toNanos(1));
                front.poll((buffer, offset, length) ->
                {
                    if (length == FRAME_BYTES)
                    {
                        reply.putBytes(0, buffer, offset + 6, 6);
                        reply.putBytes(6, buffer, offset, 6);
                        reply.putBytes(12, buffer, offset + 12, FRAME_BYTES - 12);
                        pending = FRAME_BYTES;
                    }
                });
                if (pending > 0)
                {
                    while (!front.send(reply, 0, pending) && !stop)
                    {
                        front.poll((buffer, offset, length) -> { });
                    }
                    front.flush();
                    pending = 0;
                }
            }
        }
    }
}
