package io.javisor.ringio.ring.stress;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.ZZZ_Result;

import static io.javisor.ringio.ring.stress.RingFixture.*;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * The event-index handshake never lets both ends go to sleep with an entry pending.
 * <p>
 * This is a Dekker pattern. The producer stores its prod index, then (after a full fence) reads
 * the consumer's event index to decide whether to notify. The consumer, about to sleep, stores its
 * event index, then (after a full fence) reads the prod index again. Sequential consistency of
 * those two store-then-load pairs guarantees at least one side sees the other's store: either
 * the producer notifies, or the consumer's final check finds the entry. Without either fence
 * (or with a release store where a full fence is needed) store-load reordering allows
 * "no notify" and "no work" at once: a lost wakeup, and a ring that stalls forever.
 * <p>
 * Before the actors start, one request/response exchange has completed and no one has re-armed
 * an event index, so both event indices are stale (1) and only the racing final check can move
 * them; a producer that reads the stale value does not notify.
 * <p>
 * Result: r1 = producer's notify decision, r2 = consumer's final-check result, r3 (arbiter) = the
 * consumer counts the entry once both actors are done (always true: confirms the entry really
 * was published, so "false, false" is a real lost wakeup).
 */
public final class NoLostWakeup
{
    private NoLostWakeup()
    {
    }

    @JCStressTest
    @Description("pushRequests against finalCheckForRequests: no request left unnoticed.")
    @Outcome(id = "true, false, true", expect = ACCEPTABLE,
        desc = "The back end armed req_event first; the front end saw it and notifies.")
    @Outcome(id = "false, true, true", expect = ACCEPTABLE,
        desc = "The front end read the stale req_event; the back end's re-check found the request.")
    @Outcome(id = "true, true, true", expect = ACCEPTABLE,
        desc = "Both saw each other: a notify and a busy back end (a harmless spurious event).")
    @Outcome(id = "false, false, true", expect = FORBIDDEN,
        desc = "Lost wakeup: no notify and the back end sleeps with a request pending.")
    @Outcome(expect = FORBIDDEN, desc = "The request was not published, or the ring broke.")
    @State
    public static class Requests
    {
        private final RingFixture ring = new RingFixture().completeOneRoundTrip();

        public Requests()
        {
            // The back end's work loop has drained the ring and is about to decide to sleep.
            require(ring.back.unconsumedRequests() == 0, "ring not empty at start");
        }

        @Actor
        public void frontEnd(final ZZZ_Result r)
        {
            writeEntry(ring.shared, ring.front.claimRequest(), REQUEST_FIRST, REQUEST_LAST);
            r.r1 = ring.front.pushRequests();
        }

        @Actor
        public void backEnd(final ZZZ_Result r)
        {
            r.r2 = ring.back.finalCheckForRequests();
        }

        @Arbiter
        public void settled(final ZZZ_Result r)
        {
            r.r3 = ring.back.unconsumedRequests() == 1;
        }
    }

    @JCStressTest
    @Description("pushResponses against finalCheckForResponses: no response left unnoticed.")
    @Outcome(id = "true, false, true", expect = ACCEPTABLE,
        desc = "The front end armed rsp_event first; the back end saw it and notifies.")
    @Outcome(id = "false, true, true", expect = ACCEPTABLE,
        desc = "The back end read the stale rsp_event; the front end's re-check found the response.")
    @Outcome(id = "true, true, true", expect = ACCEPTABLE,
        desc = "Both saw each other: a notify and a busy front end (a harmless spurious event).")
    @Outcome(id = "false, false, true", expect = FORBIDDEN,
        desc = "Lost wakeup: no notify and the front end sleeps with a response pending.")
    @Outcome(expect = FORBIDDEN, desc = "The response was not published, or the ring broke.")
    @State
    public static class Responses
    {
        private final RingFixture ring = new RingFixture().completeOneRoundTrip();

        public Responses()
        {
            // A second request is in flight and the back end has taken it; the front end has
            // polled, found no response yet and is about to decide to sleep.
            writeEntry(ring.shared, ring.front.claimRequest(), REQUEST_FIRST, REQUEST_LAST);
            ring.front.pushRequests();
            require(ring.back.unconsumedRequests() == 1, "back end did not see the request");
            require(ring.back.copyRequest(ring.backCopy, 0), "back end could not copy the request");
            require(ring.front.responsesAvailable() == 0, "a response was pending at start");
        }

        @Actor
        public void backEnd(final ZZZ_Result r)
        {
            writeEntry(ring.shared, ring.back.claimResponse(), RESPONSE_FIRST, RESPONSE_LAST);
            r.r1 = ring.back.pushResponses();
        }

        @Actor
        public void frontEnd(final ZZZ_Result r)
        {
            r.r2 = ring.front.finalCheckForResponses();
        }

        @Arbiter
        public void settled(final ZZZ_Result r)
        {
            r.r3 = ring.front.responsesAvailable() == 1;
        }
    }
}
