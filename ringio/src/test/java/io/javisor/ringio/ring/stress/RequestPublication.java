package io.javisor.ringio.ring.stress;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IJJ_Result;

import static io.javisor.ringio.ring.stress.RingFixture.*;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * A request is visible to the back end only together with its whole payload.
 * <p>
 * The front end writes an entry with plain stores and publishes it by advancing req_prod with a
 * release store; the back end reads req_prod once with acquire and then copies the entry. The slot
 * starts out holding a stale pattern (an earlier lap's request), so a back end that counts the new
 * request but copies old or half-written bytes reports something other than the two accepted
 * outcomes.
 * <p>
 * Result: r1 = requests the back end counted, r2/r3 = first and last payload word it copied
 * (0 when it counted none).
 */
@JCStressTest
@Description("Request entry stores are ordered before the req_prod that publishes them.")
@Outcome(id = "0, 0, 0", expect = ACCEPTABLE, desc = "The back end polled before the request was published.")
@Outcome(id = "1, " + REQUEST_FIRST + ", " + REQUEST_LAST, expect = ACCEPTABLE,
    desc = "The back end saw the request and all of its payload.")
@Outcome(id = "1, " + STALE_FIRST + ", " + STALE_LAST, expect = FORBIDDEN,
    desc = "Request counted but the slot still held the previous lap's bytes.")
@Outcome(expect = FORBIDDEN, desc = "Request counted with a torn payload, or a broken ring.")
@State
public class RequestPublication
{
    private final RingFixture ring = new RingFixture().fillSlotsWithStalePattern();

    @Actor
    public void frontEnd()
    {
        writeEntry(ring.shared, ring.front.claimRequest(), REQUEST_FIRST, REQUEST_LAST);
        ring.front.pushRequests();
    }

    @Actor
    public void backEnd(final IJJ_Result r)
    {
        final int counted = ring.back.unconsumedRequests();
        r.r1 = counted;
        if (counted == 1 && ring.back.copyRequest(ring.backCopy, 0))
        {
            r.r2 = ring.backCopy.getLong(FIRST_WORD);
            r.r3 = ring.backCopy.getLong(LAST_WORD);
        }
    }
}
