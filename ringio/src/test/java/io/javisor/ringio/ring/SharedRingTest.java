package io.javisor.ringio.ring;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static io.javisor.ringio.ring.SharedRingDescriptor.*;
import static org.junit.jupiter.api.Assertions.*;

class SharedRingTest
{
    private static final int ENTRY = 16;

    private final UnsafeBuffer page = new UnsafeBuffer(ByteBuffer.allocateDirect(4096));
    private final FrontRing front = new FrontRing(page, ENTRY).initialise();
    private final BackRing back = new BackRing(page, ENTRY).attach();
    private final UnsafeBuffer copy = new UnsafeBuffer(new byte[ENTRY]);

    @Test
    void entryCountsMatchXenForBlkifAndNetif()
    {
        assertEquals(32, entryCount(4096, 112), "blkif");
        assertEquals(256, entryCount(4096, 12), "netif tx");
        assertEquals(256, entryCount(4096, 8), "netif rx");
        assertEquals(128, entryCount(4096 * 4, 112), "blkif with ring-page-order 2");
        assertThrows(IllegalArgumentException.class, () -> entryCount(64, 8));
    }

    @Test
    void initialisationSetsProducersToZeroAndEventsToOne()
    {
        page.setMemory(0, 64, (byte)0xAA);
        new FrontRing(page, ENTRY).initialise();
        assertEquals(0, page.getInt(REQ_PROD_OFFSET));
        assertEquals(1, page.getInt(REQ_EVENT_OFFSET));
        assertEquals(0, page.getInt(RSP_PROD_OFFSET));
        assertEquals(1, page.getInt(RSP_EVENT_OFFSET));
        for (int i = 16; i < 64; i++)
        {
            assertEquals(0, page.getByte(i), "padding byte " + i);
        }
    }

    @Test
    void theNotifyRuleWakesOnlyWhenTheEventIndexIsCrossed()
    {
        assertTrue(needsNotify(0, 1, 1));
        assertFalse(needsNotify(1, 2, 1), "event already passed");
        assertTrue(needsNotify(0, 5, 3));
        assertFalse(needsNotify(0, 5, 6), "batching: event set further ahead");
        assertTrue(needsNotify(-2, 2, 0), "indices wrap as u32");
        assertFalse(needsNotify(5, 5, 5), "nothing pushed");
    }

    @Test
    void aRequestTravelsToTheBackEndAndItsResponseComesBackInTheSameSlot()
    {
        final int offset = front.claimRequest();
        page.putLong(offset, 0x1111L);
        page.putLong(offset + 8, 0x2222L);
        assertTrue(front.pushRequests(), "req_event starts at 1: the first request notifies");

        assertEquals(1, back.unconsumedRequests());
        assertTrue(back.copyRequest(copy, 0));
        assertEquals(0x1111L, copy.getLong(0));
        assertEquals(0x2222L, copy.getLong(8));
        assertFalse(back.copyRequest(copy, 0), "only what was counted");

        final int responseOffset = back.claimResponse();
        assertEquals(offset, responseOffset);
        page.putLong(responseOffset, 0x3333L);
        assertTrue(back.pushResponses());
        assertEquals(-1, back.claimResponse(), "no request waits for a response");

        assertEquals(1, front.responsesAvailable());
        front.copyResponse(copy, 0);
        assertEquals(0x3333L, copy.getLong(0));
        assertEquals(0, front.responsesAvailable());
    }

    @Test
    void theFrontEndNeverOverrunsUnansweredSlots()
    {
        for (int i = 0; i < front.size(); i++)
        {
            assertTrue(front.claimRequest() >= 0);
        }
        assertEquals(-1, front.claimRequest());
        assertTrue(front.isFull());
        front.pushRequests();
        assertEquals(front.size(), back.unconsumedRequests());
    }

    @Test
    void notificationSuppressionSendsOneEventPerArmedWait()
    {
        // The back end is asleep after its final check: the first push notifies.
        assertFalse(back.finalCheckForRequests());
        front.claimRequest();
        assertTrue(front.pushRequests());
        // The back end has not re-armed: more requests go without notification.
        front.claimRequest();
        assertFalse(front.pushRequests());
        assertEquals(2, back.unconsumedRequests());
        back.copyRequest(copy, 0);
        back.copyRequest(copy, 0);
        assertFalse(back.finalCheckForRequests(), "empty: re-armed at req_cons + 1");
        assertEquals(3, page.getInt(REQ_EVENT_OFFSET));
        front.claimRequest();
        assertTrue(front.pushRequests(), "armed again: notify");
    }

    @Test
    void theFinalCheckSeesARequestThatArrivesBeforeItArms()
    {
        front.claimRequest();
        front.pushRequests();
        assertTrue(back.finalCheckForRequests(), "must not sleep with a request pending");
    }

    @Test
    void responseBatchingDelaysTheFrontEndNotification()
    {
        for (int i = 0; i < 4; i++)
        {
            front.claimRequest();
        }
        front.pushRequests();
        front.armResponseEvent(4);
        assertEquals(4, back.unconsumedRequests());
        for (int i = 0; i < 4; i++)
        {
            back.copyRequest(copy, 0);
            back.claimResponse();
            assertEquals(i == 3, back.pushResponses(), "notify only on the 4th response");
        }
    }

    @Test
    void aMultiSlotPacketCanBeReadAheadWholeBeforeAnySlotIsConsumed()
    {
        for (int i = 0; i < 3; i++)
        {
            page.putLong(front.claimRequest(), 100 + i);
        }
        front.pushRequests();
        assertEquals(3, back.unconsumedRequests());
        assertTrue(back.copyRequestAhead(2, copy, 0));
        assertEquals(102, copy.getLong(0));
        assertFalse(back.copyRequestAhead(3, copy, 0), "only what was counted");
        assertEquals(3, back.counted(), "looking ahead consumes nothing");
        back.skipRequests(2);
        assertEquals(1, back.counted());
        assertTrue(back.copyRequest(copy, 0));
        assertEquals(102, copy.getLong(0));
        assertThrows(IllegalArgumentException.class, () -> back.skipRequests(1));
    }

    @Test
    void indicesRunFreeAcrossTheU32Wrap()
    {
        // Start both sides just before the wrap, as after 4 billion requests.
        final FrontRing wrappedFront = new FrontRing(page, ENTRY).initialiseAt(-3);
        final BackRing wrappedBack = new BackRing(page, ENTRY).attachAt(-3);
        for (int i = 0; i < 3 + 5; i++)
        {
            final int off = wrappedFront.claimRequest();
            page.putInt(off, i);
            wrappedFront.pushRequests();
            assertEquals(1, wrappedBack.unconsumedRequests());
            wrappedBack.copyRequest(copy, 0);
            assertEquals(i, copy.getInt(0));
            wrappedBack.claimResponse();
            wrappedBack.pushResponses();
            assertEquals(1, wrappedFront.responsesAvailable());
            wrappedFront.consumeResponse();
        }
        assertFalse(wrappedBack.isBroken());
    }
}
