package io.javisor.ringio.ring.stress;

import io.javisor.ringio.ring.BackRing;
import io.javisor.ringio.ring.FrontRing;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

import static io.javisor.ringio.ring.SharedRingDescriptor.HEADER_LENGTH;

/**
 * Shared set-up for the jcstress ring tests: one 4 KiB ring of 64-byte entries in aligned direct
 * memory, both ends attached, and the payload patterns the actors write and check.
 * <p>
 * Every payload is two longs: the first and the last word of the 64-byte entry, so a reader that
 * sees the first word but not the last (or the reverse) shows up as a distinct, forbidden outcome.
 */
final class RingFixture
{
    static final int RING_BYTES = 4096;
    static final int ENTRY_LENGTH = 64;
    static final int FIRST_WORD = 0;
    static final int LAST_WORD = ENTRY_LENGTH - Long.BYTES;

    /** What a slot holds before the producer under test writes it: left over from an earlier lap. */
    static final long STALE_FIRST = 0x5757_5757_5757_5757L;
    static final long STALE_LAST = 0x5858_5858_5858_5858L;

    /** The request the front end publishes. */
    static final long REQUEST_FIRST = 0x0123_4567_89AB_CDEFL;
    static final long REQUEST_LAST = 0x7EDC_BA98_7654_3210L;

    /** The response the back end publishes. */
    static final long RESPONSE_FIRST = 0x1111_2222_3333_4444L;
    static final long RESPONSE_LAST = 0x5555_6666_7777_0001L;

    final AtomicBuffer shared = new UnsafeBuffer(ByteBuffer.allocateDirect(RING_BYTES));
    final FrontRing front = new FrontRing(shared, ENTRY_LENGTH);
    final BackRing back = new BackRing(shared, ENTRY_LENGTH);
    /** Private copy buffers, one per end, as each end copies entries out of the shared page. */
    final UnsafeBuffer frontCopy = new UnsafeBuffer(new byte[ENTRY_LENGTH]);
    final UnsafeBuffer backCopy = new UnsafeBuffer(new byte[ENTRY_LENGTH]);

    RingFixture()
    {
        front.initialise();
        back.attach();
    }

    /** Fills every entry slot with the stale pattern (header untouched). */
    RingFixture fillSlotsWithStalePattern()
    {
        for (int i = 0; i < front.size(); i++)
        {
            final int offset = HEADER_LENGTH + i * ENTRY_LENGTH;
            writeEntry(shared, offset, STALE_FIRST, STALE_LAST);
        }
        return this;
    }

    /**
     * The front end sends one request, the back end answers it and the front end consumes the
     * answer, with no one arming an event index afterwards: req_event and rsp_event are left at
     * 1, which no longer covers the next index, as after any completed exchange.
     */
    RingFixture completeOneRoundTrip()
    {
        writeEntry(shared, front.claimRequest(), REQUEST_FIRST, REQUEST_LAST);
        front.pushRequests();
        require(back.unconsumedRequests() == 1, "back end did not see the warm-up request");
        require(back.copyRequest(backCopy, 0), "back end could not copy the warm-up request");
        writeEntry(shared, back.claimResponse(), RESPONSE_FIRST, RESPONSE_LAST);
        back.pushResponses();
        require(front.responsesAvailable() == 1, "front end did not see the warm-up response");
        front.copyResponse(frontCopy, 0);
        return this;
    }

    /**
     * Writes a whole entry with plain stores, as a producer does before it publishes: the two
     * payload words and zeroed bytes between them (so no padding is left unwritten).
     */
    static void writeEntry(final AtomicBuffer buffer, final int offset, final long first, final long last)
    {
        require(offset >= 0, "no free slot");
        buffer.putLong(offset + FIRST_WORD, first);
        for (int word = Long.BYTES; word < LAST_WORD; word += Long.BYTES)
        {
            buffer.putLong(offset + word, 0L);
        }
        buffer.putLong(offset + LAST_WORD, last);
    }

    static void require(final boolean condition, final String message)
    {
        if (!condition)
        {
            throw new IllegalStateException(message);
        }
    }
}
