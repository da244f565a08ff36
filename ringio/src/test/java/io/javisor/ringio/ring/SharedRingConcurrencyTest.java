package io.javisor.ringio.ring;

import io.javisor.ringio.event.EventChannelHub;
import io.javisor.ringio.event.EventChannels;
import io.javisor.ringio.event.EventWaiter;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The ring under two real threads: every request reaches the back end exactly once and in order,
 * and every response comes back exactly once and in order, with busy polling and with
 * notification suppression over event channels (where a lost wake-up would hang the test).
 */
class SharedRingConcurrencyTest
{
    private static final int ENTRY = 16;
    private static final long SEED = 0x9E3779B97F4A7C15L;

    @Test
    void fourMillionRequestsBusyPolledNoneLostDuplicatedOrReordered() throws Exception
    {
        run(4_000_000, false);
    }

    @Test
    void twoMillionRequestsWithNotificationSuppressionNoneLostAndNoWakeupLost() throws Exception
    {
        final long[] counts = run(2_000_000, true);
        final long requestNotifications = counts[0];
        final long responseNotifications = counts[1];
        assertTrue(requestNotifications > 0 && requestNotifications < 2_000_000,
            "suppression: " + requestNotifications + " request notifications for 2,000,000 requests");
        assertTrue(responseNotifications < 2_000_000,
            "suppression: " + responseNotifications + " response notifications");
    }

    private static long[] run(final long total, final boolean useEvents) throws Exception
    {
        final UnsafeBuffer page = new UnsafeBuffer(ByteBuffer.allocateDirect(4096));
        final FrontRing front = new FrontRing(page, ENTRY).initialise();
        final BackRing back = new BackRing(page, ENTRY).attach();

        final EventChannelHub hub = new EventChannelHub();
        final EventChannels frontEvents = new EventChannels(1, hub, new UnsafeBuffer(ByteBuffer.allocateDirect(4096)), 64);
        final EventChannels backEvents = new EventChannels(0, hub, new UnsafeBuffer(ByteBuffer.allocateDirect(4096)), 64);
        final int frontPort = frontEvents.allocUnbound(0);
        final int backPort = backEvents.bindInterdomain(1, frontPort);
        final EventWaiter frontWaiter = new EventWaiter();
        final EventWaiter backWaiter = new EventWaiter();
        frontEvents.setWaiter(frontPort, frontWaiter);
        backEvents.setWaiter(backPort, backWaiter);

        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final AtomicLong responseNotifications = new AtomicLong();
        final Thread backThread = new Thread(() ->
        {
            final UnsafeBuffer request = new UnsafeBuffer(new byte[ENTRY]);
            long expected = 0;
            try
            {
                while (expected < total)
                {
                    int available = back.unconsumedRequests();
                    if (available == 0 && useEvents)
                    {
                        backEvents.clearPending(backPort);
                        if (!back.finalCheckForRequests())
                        {
                            backWaiter.await(TimeUnit.MILLISECONDS.toNanos(100), () -> backEvents.isPending(backPort));
                        }
                        continue;
                    }
                    assertTrue(available >= 0, "ring broke: " + back.brokenReason());
                    while (available-- > 0)
                    {
                        back.copyRequest(request, 0);
                        final long sequence = request.getLong(0);
                        if (sequence != expected || request.getLong(8) != sequence * SEED)
                        {
                            throw new AssertionError("request " + sequence + " where " + expected + " was due");
                        }
                        expected++;
                        final int offset = back.claimResponse();
                        page.putLong(offset, sequence);
                        page.putLong(offset + 8, ~sequence);
                    }
                    if (back.pushResponses() && useEvents)
                    {
                        responseNotifications.incrementAndGet();
                        backEvents.send(backPort);
                    }
                }
            }
            catch (final Throwable t)
            {
                failure.set(t);
            }
        }, "back-end");
        backThread.start();

        final UnsafeBuffer response = new UnsafeBuffer(new byte[ENTRY]);
        long sent = 0;
        long received = 0;
        long requestNotifications = 0;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (received < total && failure.get() == null)
        {
            assertTrue(System.nanoTime() < deadline, "stalled at " + received + " of " + total);
            int claimed = 0;
            while (sent < total && !front.isFull() && claimed < 8)
            {
                final int offset = front.claimRequest();
                page.putLong(offset, sent);
                page.putLong(offset + 8, sent * SEED);
                sent++;
                claimed++;
            }
            if (claimed > 0 && front.pushRequests() && useEvents)
            {
                requestNotifications++;
                frontEvents.send(frontPort);
            }
            int available = front.responsesAvailable();
            assertTrue(available >= 0, "ring broke: " + front.brokenReason());
            if (available == 0 && useEvents && (front.isFull() || sent == total))
            {
                frontEvents.clearPending(frontPort);
                if (!front.finalCheckForResponses())
                {
                    frontWaiter.await(TimeUnit.MILLISECONDS.toNanos(100), () -> frontEvents.isPending(frontPort));
                }
                continue;
            }
            while (available-- > 0)
            {
                front.copyResponse(response, 0);
                assertEquals(received, response.getLong(0), "response order");
                assertEquals(~received, response.getLong(8));
                received++;
            }
        }
        backThread.join(10_000);
        if (failure.get() != null)
        {
            throw new AssertionError("back end failed", failure.get());
        }
        assertEquals(total, received);
        assertEquals(0, back.unconsumedRequests(), "nothing left over");
        return new long[]{ requestNotifications, responseNotifications.get() };
    }
}
