package io.javisor.netback.bridge;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.javisor.netback.bridge.Frames.BROADCAST;
import static io.javisor.netback.bridge.Frames.frame;
import static io.javisor.netback.bridge.Frames.mac;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The forwarding role: the thread that serves a bridge switches every frame and runs every command;
 * other threads hand frames over and wait for acknowledgements, bounded in space and time.
 */
class BridgeForwardingRoleTest
{
    @Test
    @Timeout(10)
    void framesFromAnotherThreadAreSwitchedByTheServingThread() throws Exception
    {
        final Bridge bridge = new Bridge("xenbr0");
        final TestPort a = new TestPort("a");
        final TestPort b = new TestPort("b");
        final int aNo = bridge.attach(a);
        bridge.attach(b);
        bridge.serve(0); // the test thread takes the role and keeps it
        assertTrue(bridge.isForwardingThread());

        final UnsafeBuffer broadcast = frame(BROADCAST, mac(1));
        final int accepted = CompletableFuture.supplyAsync(
            () -> bridge.forward(aNo, broadcast, 0, Frames.LENGTH, 0)).get(5, TimeUnit.SECONDS);
        assertEquals(0, accepted, "queued for the forwarding thread, not switched by the sender");
        assertEquals(0, b.offered);
        assertTrue(bridge.hasPendingWork());

        assertEquals(1, bridge.serve(1));
        assertEquals(1, b.accepted, "switched on the serving thread");
        assertEquals(1, bridge.statistics().flooded());
        assertFalse(bridge.hasPendingWork());
    }

    @Test
    @Timeout(10)
    void aFrameQueuedFromAnotherThreadWakesTheHolderThatParksBetweenDutyCycles() throws Exception
    {
        final Bridge bridge = new Bridge("xenbr0");
        final int aNo = bridge.attach(new TestPort("a"));
        bridge.attach(new TestPort("b"));
        final java.util.concurrent.atomic.AtomicInteger wakeUps = new java.util.concurrent.atomic.AtomicInteger();
        bridge.serve(0, wakeUps::incrementAndGet); // the test thread holds the role and would park now
        assertEquals(0, wakeUps.get());

        final UnsafeBuffer broadcast = frame(BROADCAST, mac(1));
        assertEquals(0, (int)CompletableFuture.supplyAsync(
            () -> bridge.forward(aNo, broadcast, 0, Frames.LENGTH, 0)).get(5, TimeUnit.SECONDS));
        assertEquals(1, wakeUps.get(), "the sender woke the holder: an HVM NIC's frame no longer waits for the holder's next park timeout");
        assertEquals(1, bridge.serve(1, wakeUps::incrementAndGet));

        bridge.releaseForwarding();
        CompletableFuture.runAsync(() -> bridge.forward(aNo, broadcast, 0, Frames.LENGTH, 0)).get(5, TimeUnit.SECONDS);
        assertEquals(1, wakeUps.get(), "a released role wakes nobody");
    }

    @Test
    @Timeout(30)
    void aDetachTheForwardingThreadNeverAcknowledgesFailsWithOneLineAfterTheTimeout() throws Exception
    {
        final Bridge bridge = new Bridge("xenbr0");
        final int number = bridge.attach(new TestPort("a"));
        bridge.serve(0);
        final Future<?> detach = CompletableFuture.runAsync(() -> bridge.detach(number));
        final ExecutionException failure = assertThrows(ExecutionException.class, () -> detach.get(20, TimeUnit.SECONDS));
        final Throwable cause = failure.getCause();
        assertInstanceOf(IllegalStateException.class, cause);
        assertTrue(cause.getMessage().contains("not acknowledged"), cause.getMessage());
        assertFalse(cause.getMessage().contains("\n"), cause.getMessage());
        assertEquals(1, bridge.portCount(), "not detached until the forwarding thread runs the command");
        bridge.serve(1);
        assertEquals(0, bridge.portCount(), "the queued detach runs on the next duty cycle");
    }

    @Test
    @Timeout(30)
    void aFullCommandQueueIsAnErrorForTheCallerNotASpin() throws Exception
    {
        final Bridge bridge = new Bridge("xenbr0");
        bridge.serve(0);
        final int callers = Bridge.COMMAND_QUEUE_CAPACITY + 8;
        final List<Future<Integer>> attaches = new ArrayList<>();
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor())
        {
            for (int i = 0; i < callers; i++)
            {
                final TestPort port = new TestPort("p" + i);
                attaches.add(executor.submit(() -> bridge.attach(port)));
            }
            // The callers that found the queue full fail at once; the others wait for us.
            int refused = 0;
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
            while (refused < callers - Bridge.COMMAND_QUEUE_CAPACITY && System.nanoTime() < deadline)
            {
                refused = 0;
                for (final Future<Integer> attach : attaches)
                {
                    if (attach.isDone() && attach.state() == Future.State.FAILED)
                    {
                        refused++;
                    }
                }
                Thread.sleep(1);
            }
            assertEquals(callers - Bridge.COMMAND_QUEUE_CAPACITY, refused);
            while (bridge.serve(1) > 0)
            {
                // run the queued attaches
            }
            int attached = 0;
            for (final Future<Integer> attach : attaches)
            {
                try
                {
                    assertTrue(attach.get(5, TimeUnit.SECONDS) > 0);
                    attached++;
                }
                catch (final ExecutionException ex)
                {
                    assertInstanceOf(IllegalStateException.class, ex.getCause());
                    assertTrue(ex.getCause().getMessage().contains("command queue full"), ex.getCause().getMessage());
                }
            }
            assertEquals(Bridge.COMMAND_QUEUE_CAPACITY, attached);
            assertEquals(Bridge.COMMAND_QUEUE_CAPACITY, bridge.portCount());
        }
    }

    @Test
    @Timeout(10)
    void theRolePassesToTheNextServerWhenItsHolderReleasesIt() throws Exception
    {
        final Bridge bridge = new Bridge("xenbr0");
        final int aNo = bridge.attach(new TestPort("a"));
        final TestPort b = new TestPort("b");
        bridge.attach(b);
        bridge.serve(0);
        final UnsafeBuffer broadcast = frame(BROADCAST, mac(1));
        assertEquals(0, (int)CompletableFuture.supplyAsync(() -> bridge.serve(0)).get(5, TimeUnit.SECONDS),
            "another thread does not forward while the role is held");
        bridge.releaseForwarding();
        assertFalse(bridge.isForwardingThread());
        final int forwardedByOther = CompletableFuture.supplyAsync(() ->
        {
            bridge.serve(0);
            return bridge.forward(aNo, broadcast, 0, Frames.LENGTH, 0);
        }).get(5, TimeUnit.SECONDS);
        assertEquals(1, forwardedByOther, "the new holder switches its own frames inline");
        assertEquals(0, bridge.serve(1), "the role stays with the thread that took it");
    }
}
