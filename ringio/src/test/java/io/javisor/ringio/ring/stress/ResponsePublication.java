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
 * A response is visible to the front end only together with its whole payload.
 * <p>
 * Before the actors start, the front end has sent one request and the back end has copied it
 * out. The response goes into the same slot, which therefore still holds the request's bytes:
 * a front end that counts the response but copies the slot before the back end's stores land
 * reports the request payload, a forbidden outcome.
 * <p>
 * Result: r1 = responses the front end counted, r2/r3 = first and last payload word it copied
 * (0 when it counted none).
 */
@JCStressTest
@Description("Response entry stores are ordered before the rsp_prod that publishes them.")
@Outcome(id = "0, 0, 0", expect = ACCEPTABLE, desc = "The front end polled before the response was published.")
@Outcome(id = "1, " + RESPONSE_FIRST + ", " + RESPONSE_LAST, expect = ACCEPTABLE,
    desc = "The front end saw the response and all of its payload.")
@Outcome(id = "1, " + REQUEST_FIRST + ", " + REQUEST_LAST, expect = FORBIDDEN,
    desc = "Response counted but the slot still held the request it answers.")
@Outcome(expect = FORBIDDEN, desc = "Response counted with a torn payload, or a broken ring.")
@State
public class ResponsePublication
{
    private final RingFixture ring = new RingFixture();

    public ResponsePublication()
    {
        writeEntry(ring.shared, ring.front.claimRequest(), REQUEST_FIRST, REQUEST_LAST);
        ring.front.pushRequests();
        require(ring.back.unconsumedRequests() == 1, "back end did not see the request");
        require(ring.back.copyRequest(ring.backCopy, 0), "back end could not copy the request");
    }

    @Actor
    public void backEnd()
    {
        writeEntry(ring.shared, ring.back.claimResponse(), RESPONSE_FIRST, RESPONSE_LAST);
        ring.back.pushResponses();
    }

    @Actor
    public void frontEnd(final IJJ_Result r)
    {
        final int counted = ring.front.responsesAvailable();
        r.r1 = counted;
        if (counted == 1)
        {
            ring.front.copyResponse(ring.frontCopy, 0);
            r.r2 = ring.frontCopy.getLong(FIRST_WORD);
            r.r3 = ring.frontCopy.getLong(LAST_WORD);
        }
    }
}
