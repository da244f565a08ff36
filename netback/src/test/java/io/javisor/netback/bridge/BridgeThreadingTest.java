package io.javisor.netback.bridge;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static io.javisor.netback.bridge.Frames.BROADCAST;
import static io.javisor.netback.bridge.Frames.frame;
import static io.javisor.netback.bridge.Frames.mac;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bridge driven from several threads at once, as DEDICATED back-end threading does (one netback
 * agent per vif, each handing its guest's frames to the bridge): counts stay exact, a detach never
 * returns while a delivery to its port runs, and the MAC table never breaks. Uses only
 * {@link Bridge#forward}, {@link Bridge#attach} and {@link Bridge#detach}, the calls the agents make.
 */
class BridgeThreadingTest
{
    private static final int SENDERS = 4;

    @Test
    @Timeout(60)
    void statisticsAreExactUnderFourSenderThreads() throws Exception
    {
        final int framesPerSender = 200_000;
        final Bridge bridge = new Bridge("xenbr0");
        final CountingPort sink = new CountingPort("sink");
        final int sinkNo = bridge.attach(sink);
        final int[] senderNo = new int[SENDERS];
        for (int t = 0; t < SENDERS; t++)
        {
            senderNo[t] = bridge.attach(new CountingPort("vif" + t));
        }
        runConcurrently(t ->
        {
            // To the sink's MAC, which never sends: unknown, so each frame floods to the 4 other ports.
            final UnsafeBuffer frame = frame(mac(1), mac(10 + t));
            for (int i = 0; i < framesPerSender; i++)
            {
                while (bridge.forward(senderNo[t], frame, 0, Frames.LENGTH, System.nanoTime()) < 0)
                {
                    Thread.onSpinWait(); // hand-over queue full: try again, so every frame counts
                }
            }
        });
        final long sent = (long)SENDERS * framesPerSender;
        final BridgeStatistics statistics = bridge.statistics();
        assertEquals(sent, statistics.flooded(), bridge.toString());
        assertEquals(0, statistics.forwardedUnicast() + statistics.dropped(), bridge.toString());
        assertEquals(sent, sink.accepted.get(), "frames the sink got");
        assertEquals(sent, bridge.portDelivered(sinkNo), "the sink's delivered counter");
        for (int t = 0; t < SENDERS; t++)
        {
            assertEquals(framesPerSender, bridge.portReceived(senderNo[t]), "frames received from sender " + t);
            assertEquals(sent - framesPerSender, bridge.portDelivered(senderNo[t]), "frames delivered to sender " + t);
        }
        assertEquals(SENDERS, statistics.learned(), bridge.toString());
    }

    @Test
    @Timeout(120)
    void detachNeverReturnsWhileADeliveryToThatPortRuns() throws Exception
    {
        final int rounds = 2_000;
        final Bridge bridge = new Bridge("xenbr0");
        final int[] ingressNo = new int[SENDERS];
        for (int t = 0; t < SENDERS; t++)
        {
            ingressNo[t] = bridge.attach(new CountingPort("vif" + t));
        }
        final AtomicLong runningAtReturn = new AtomicLong();
        final AtomicLong lateDeliveries = new AtomicLong();
        final AtomicLong deliveries = new AtomicLong();
        runConcurrently(t ->
        {
            final UnsafeBuffer broadcast = frame(BROADCAST, mac(10 + t));
            for (int round = t; round < rounds; round += SENDERS)
            {
                final GuardedPort port = new GuardedPort(lateDeliveries, deliveries);
                final int number = bridge.attach(port);
                for (int i = 0; i < 4; i++)
                {
                    bridge.forward(ingressNo[t], broadcast, 0, Frames.LENGTH, System.nanoTime());
                }
                bridge.detach(number);
                if (port.inDeliver.get() != 0)
                {
                    runningAtReturn.incrementAndGet();
                }
                port.detachReturned = true;
                bridge.forward(ingressNo[t], broadcast, 0, Frames.LENGTH, System.nanoTime());
            }
        });
        assertEquals(0, runningAtReturn.get(), "detach returned while a delivery to its port was running");
        assertEquals(0, lateDeliveries.get(), "deliveries that started after detach returned");
        assertTrue(deliveries.get() > 0, "the guarded ports never got a frame");
        assertEquals(SENDERS, bridge.portCount());
    }

    @Test
    @Timeout(60)
    void macTableNeverThrowsUnderConcurrentForwarding() throws Exception
    {
        final long seed = Long.getLong("seed", System.nanoTime());
        final int framesPerSender = 200_000;
        final int macs = 512;
        // A small table with a short ageing time: learning, moving, ageing and removal all churn.
        final Bridge bridge = new Bridge("xenbr0", 20_000, 64);
        final int[] ingressNo = new int[SENDERS];
        for (int t = 0; t < SENDERS; t++)
        {
            ingressNo[t] = bridge.attach(new CountingPort("vif" + t));
        }
        final Queue<Throwable> errors = new ConcurrentLinkedQueue<>();
        final AtomicLong sent = new AtomicLong();
        runConcurrently(t ->
        {
            final SplittableRandom random = new SplittableRandom(seed + t);
            final UnsafeBuffer frame = new UnsafeBuffer(new byte[Frames.LENGTH]);
            for (int i = 0; i < framesPerSender; i++)
            {
                final long source = mac(100 + random.nextInt(macs));
                final long destination = random.nextInt(8) == 0 ? BROADCAST : mac(100 + random.nextInt(macs));
                Frames.write(frame, destination, source);
                try
                {
                    // A random ingress: the same address shows up on several ports (moves).
                    while (bridge.forward(ingressNo[random.nextInt(SENDERS)], frame, 0, Frames.LENGTH, System.nanoTime()) < 0)
                    {
                        Thread.onSpinWait();
                    }
                    sent.incrementAndGet();
                }
                catch (final Throwable ex)
                {
                    errors.add(ex);
                    if (errors.size() > 10)
                    {
                        return;
                    }
                }
            }
        });
        assertTrue(errors.isEmpty(), "seed=" + seed + ": " + errors.size() + " exception(s), first: " + errors.peek());
        final BridgeStatistics statistics = bridge.statistics();
        assertEquals(sent.get(), statistics.forwardedUnicast() + statistics.flooded() + statistics.droppedFiltered(),
            "seed=" + seed + ": " + bridge);
        assertEquals(0, statistics.deliveryErrors(), "seed=" + seed + ": " + bridge);
    }

    /**
     * Runs {@code body(t)} on SENDERS threads released together; rethrows the first failure.
     */
    private static void runConcurrently(final ThreadBody body) throws Exception
    {
        final CyclicBarrier start = new CyclicBarrier(SENDERS);
        final Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
        final List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < SENDERS; t++)
        {
            final int index = t;
            final Thread thread = new Thread(() ->
            {
                try
                {
                    start.await();
                    body.run(index);
                }
                catch (final Throwable ex)
                {
                    failures.add(ex);
                }
            }, "sender-" + t);
            threads.add(thread);
            thread.start();
        }
        for (final Thread thread : threads)
        {
            thread.join();
        }
        if (!failures.isEmpty())
        {
            final AssertionErrorWithCause error = new AssertionErrorWithCause(failures.peek());
            failures.forEach(error::addSuppressed);
            throw error;
        }
    }

    @FunctionalInterface
    private interface ThreadBody
    {
        void run(int index) throws Exception;
    }

    private static final class AssertionErrorWithCause extends AssertionError
    {
        AssertionErrorWithCause(final Throwable cause)
        {
            super("a sender thread failed: " + cause, cause);
        }
    }

    /**
     * Counts what it accepts; safe to be delivered to from any thread.
     */
    private static final class CountingPort implements BridgePort
    {
        private final String name;
        final AtomicLong accepted = new AtomicLong();

        CountingPort(final String name)
        {
            this.name = name;
        }

        @Override
        public boolean deliver(final DirectBuffer frame, final int offset, final int length)
        {
            accepted.incrementAndGet();
            return true;
        }

        @Override
        public String name()
        {
            return name;
        }
    }

    /**
     * The test hook: counts deliveries in progress, and flags those that start after the detaching
     * thread set {@code detachReturned} (a delivery that finished before detach returned
     * happens-before that store and cannot see it).
     */
    private static final class GuardedPort implements BridgePort
    {
        final AtomicInteger inDeliver = new AtomicInteger();
        private final AtomicLong late;
        private final AtomicLong deliveries;
        volatile boolean detachReturned;

        GuardedPort(final AtomicLong late, final AtomicLong deliveries)
        {
            this.late = late;
            this.deliveries = deliveries;
        }

        @Override
        public boolean deliver(final DirectBuffer frame, final int offset, final int length)
        {
            inDeliver.incrementAndGet();
            try
            {
                if (detachReturned)
                {
                    late.incrementAndGet();
                }
                deliveries.incrementAndGet();
                for (int i = 0; i < 50; i++)
                {
                    Thread.onSpinWait(); // a delivery that takes a little while, as a grant copy does
                }
                return true;
            }
            finally
            {
                inDeliver.decrementAndGet();
            }
        }

        @Override
        public String name()
        {
            return "guarded";
        }
    }
}
