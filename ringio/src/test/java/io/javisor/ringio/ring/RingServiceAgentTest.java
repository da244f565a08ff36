package io.javisor.ringio.ring;

import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.javisor.ringio.ring.SharedRingDescriptor.REQ_PROD_OFFSET;
import static org.junit.jupiter.api.Assertions.*;

class RingServiceAgentTest
{
    private static final int ENTRY = 16;

    @Test
    void hostileRingsAreStoppedWithAReasonWhileTheAgentKeepsServingTheOthers() throws Exception
    {
        final UnsafeBuffer goodPage = page();
        final UnsafeBuffer overflowPage = page();
        final UnsafeBuffer poisonPage = page();
        final FrontRing good = new FrontRing(goodPage, ENTRY).initialise();
        new FrontRing(overflowPage, ENTRY).initialise();
        final FrontRing poison = new FrontRing(poisonPage, ENTRY).initialise();

        final Map<String, String> stopped = new ConcurrentHashMap<>();
        final AtomicInteger agentErrors = new AtomicInteger();
        final RingServiceAgent agent = new RingServiceAgent("test-backend", false, stopped::put);
        final RequestHandler echo = (request, ring, offset) ->
        {
            if (request.getLong(0) == -1)
            {
                throw new IllegalArgumentException("operation -1 is not a thing");
            }
            ring.putLong(offset, request.getLong(0));
            ring.putLong(offset + 8, 0);
        };
        agent.addRing("good", new BackRing(goodPage, ENTRY).attach(), null, 0, echo);
        agent.addRing("overflow", new BackRing(overflowPage, ENTRY).attach(), null, 0, echo);
        agent.addRing("poison", new BackRing(poisonPage, ENTRY).attach(), null, 0, echo);

        try (AgentRunner runner = new AgentRunner(new BusySpinIdleStrategy(), t -> agentErrors.incrementAndGet(), null, agent))
        {
            AgentRunner.startOnThread(runner);
            overflowPage.putIntRelease(REQ_PROD_OFFSET, 1_000_000);
            poisonPage.putLong(poison.claimRequest(), -1);
            poison.pushRequests();

            final UnsafeBuffer response = new UnsafeBuffer(new byte[ENTRY]);
            for (long i = 0; i < 100_000; i++)
            {
                goodPage.putLong(good.claimRequest(), i);
                good.pushRequests();
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (good.responsesAvailable() == 0)
                {
                    assertTrue(System.nanoTime() < deadline, "the good ring stalled at " + i);
                }
                good.copyResponse(response, 0);
                assertEquals(i, response.getLong(0));
            }
        }
        assertEquals(0, agentErrors.get(), "nothing was thrown out of the agent");
        assertEquals(BackRing.REASON_PROD_OVERFLOW, stopped.get("overflow"));
        assertTrue(stopped.get("poison").contains("operation -1"), stopped.get("poison"));
        assertFalse(stopped.containsKey("good"));
        assertEquals(100_000, agent.served("good"));
        assertEquals(0, poison.responsesAvailable(), "no response for the poisoned request");
    }

    private static UnsafeBuffer page()
    {
        return new UnsafeBuffer(ByteBuffer.allocateDirect(4096));
    }
}
