package io.javisor.ringio.ring;

import io.javisor.memory.testing.Seed;
import io.javisor.memory.testing.Seeded;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.javisor.ringio.ring.SharedRingDescriptor.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A front end is a guest: it may write anything into the ring page at any time. The back end
 * reads each index once, never consumes more than a ring, works only on its private copy of a
 * request, and stops a broken ring with a reason instead of throwing.
 */
@Seeded
class HostileFrontEndTest
{
    private static final int ENTRY = 16;

    private final UnsafeBuffer page = new UnsafeBuffer(ByteBuffer.allocateDirect(4096));
    private final FrontRing front = new FrontRing(page, ENTRY).initialise();
    private final BackRing back = new BackRing(page, ENTRY).attach();
    private final UnsafeBuffer copy = new UnsafeBuffer(new byte[ENTRY]);

    @Test
    void aProducerMoreThanARingAheadBreaksTheRingWithAReason()
    {
        page.putIntRelease(REQ_PROD_OFFSET, back.size() + 1);
        assertEquals(-1, back.unconsumedRequests());
        assertTrue(back.isBroken());
        assertEquals(BackRing.REASON_PROD_OVERFLOW, back.brokenReason());
        assertFalse(back.copyRequest(copy, 0));
        page.putIntRelease(REQ_PROD_OFFSET, 1);
        assertEquals(-1, back.unconsumedRequests(), "a broken ring stays stopped");
    }

    @Test
    void aProducerExactlyOneRingAheadIsLegal()
    {
        page.putIntRelease(REQ_PROD_OFFSET, back.size());
        assertEquals(back.size(), back.unconsumedRequests());
        assertFalse(back.isBroken());
    }

    @Test
    void aProducerMovedBackwardsYieldsNothing()
    {
        page.putIntRelease(REQ_PROD_OFFSET, 4);
        assertEquals(4, back.unconsumedRequests());
        for (int i = 0; i < 4; i++)
        {
            back.copyRequest(copy, 0);
        }
        page.putIntRelease(REQ_PROD_OFFSET, 2);
        assertEquals(0, back.unconsumedRequests());
        assertFalse(back.copyRequest(copy, 0));
    }

    @Test
    void theBackEndNeverConsumesSlotsWhoseResponsesAreOutstanding()
    {
        page.putIntRelease(REQ_PROD_OFFSET, back.size());
        assertEquals(back.size(), back.unconsumedRequests());
        for (int i = 0; i < back.size(); i++)
        {
            assertTrue(back.copyRequest(copy, 0));
        }
        // All slots hold unanswered requests: nothing more may be read until responses free them.
        assertEquals(0, back.unconsumedRequests());
        back.claimResponse();
        back.claimResponse();
        page.putIntRelease(REQ_PROD_OFFSET, back.size() + 2);
        assertEquals(2, back.unconsumedRequests());
    }

    @Test
    void randomProducerIndicesNeverYieldMoreThanTheRoomLeft(final Seed seed)
    {
        final SplittableRandom random = seed.splittableRandom();
        for (int trial = 0; trial < 100_000; trial++)
        {
            final BackRing ring = new BackRing(page, ENTRY).attachAt(random.nextInt());
            final int start = ring.reqCons();
            final int prod = switch (random.nextInt(4))
            {
                case 0 -> random.nextInt();
                case 1 -> start + random.nextInt(-3, ring.size() + 4);
                case 2 -> start + ring.size() + 1 + random.nextInt(1 << 20);
                default -> start - 1 - random.nextInt(1 << 20);
            };
            page.putIntRelease(REQ_PROD_OFFSET, prod);
            final int available = ring.unconsumedRequests();
            final int ahead = prod - start;
            if (Integer.compareUnsigned(ahead, ring.size()) > 0)
            {
                assertEquals(-1, available, "prod " + ahead + " ahead must break the ring");
                assertTrue(ring.isBroken());
            }
            else
            {
                assertEquals(ahead, available);
            }
        }
    }

    @Test
    void aRequestChangedInSharedMemoryAfterItWasReadDoesNotChangeTheCopy()
    {
        final int offset = front.claimRequest();
        page.putLong(offset, 7);
        front.pushRequests();
        back.unconsumedRequests();
        back.copyRequest(copy, 0);
        page.putLong(offset, 0xBAD); // the guest rewrites the slot after the back end read it
        assertEquals(7, copy.getLong(0), "validation and use both see the single copy");
    }

    @Test
    void aGuestScribblingOverTheWholePageNeverMakesTheBackEndThrow(final Seed seed) throws Exception
    {
        final AtomicBoolean stop = new AtomicBoolean();
        final Thread scribbler = new Thread(() ->
        {
            final SplittableRandom random = new SplittableRandom(seed.derive(1));
            while (!stop.get())
            {
                page.putInt(random.nextInt(0, 4096 / 4) * 4, random.nextInt());
            }
        });
        scribbler.start();
        try
        {
            for (int round = 0; round < 200; round++)
            {
                final BackRing ring = new BackRing(page, ENTRY).attach();
                for (int i = 0; i < 1_000 && !ring.isBroken(); i++)
                {
                    final int available = ring.unconsumedRequests();
                    assertTrue(available <= ring.size());
                    for (int n = 0; n < available; n++)
                    {
                        assertTrue(ring.copyRequest(copy, 0));
                        assertTrue(ring.claimResponse() >= HEADER_LENGTH);
                    }
                    ring.pushResponses();
                    assertTrue(ring.requestsPending() >= 0 && ring.requestsPending() <= ring.size());
                }
            }
        }
        finally
        {
            stop.set(true);
            scribbler.join();
        }
    }

    @Test
    void aBrokenRingDoesNotStopTheOtherRingsOfTheSameBackEnd()
    {
        final UnsafeBuffer goodPage = new UnsafeBuffer(ByteBuffer.allocateDirect(4096));
        final FrontRing goodFront = new FrontRing(goodPage, ENTRY).initialise();
        final BackRing[] rings = { back, new BackRing(goodPage, ENTRY).attach() };

        page.putIntRelease(REQ_PROD_OFFSET, -100); // hostile ring
        long served = 0;
        for (int i = 0; i < 1000; i++)
        {
            final int offset = goodFront.claimRequest();
            goodPage.putLong(offset, i);
            goodFront.pushRequests();
            // One duty cycle over every ring, as a back-end agent serving several devices does.
            for (final BackRing ring : rings)
            {
                final int available = ring.unconsumedRequests();
                for (int n = 0; n < available; n++)
                {
                    ring.copyRequest(copy, 0);
                    ring.buffer().putLong(ring.claimResponse(), copy.getLong(0));
                    served++;
                }
                ring.pushResponses();
            }
            assertEquals(1, goodFront.responsesAvailable());
            goodFront.copyResponse(copy, 0);
            assertEquals(i, copy.getLong(0));
        }
        assertEquals(1000, served);
        assertTrue(back.isBroken());
    }

    @Test
    void aBackEndThatClaimsMoreResponsesThanRequestsBreaksTheFrontRing()
    {
        front.claimRequest();
        front.pushRequests();
        page.putIntRelease(RSP_PROD_OFFSET, 2);
        assertEquals(-1, front.responsesAvailable());
        assertTrue(front.isBroken());
    }
}
