package io.javisor.ringio.event;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.*;

class EventIdleStrategyTest
{
    @Test
    void anIdleAgentSleepsUntilAnEventWakesItWithoutBurningTheCore() throws Exception
    {
        final EventChannelHub hub = new EventChannelHub();
        final EventChannels back = new EventChannels(0, hub, new UnsafeBuffer(ByteBuffer.allocateDirect(4096)), 16);
        final EventChannels front = new EventChannels(1, hub, new UnsafeBuffer(ByteBuffer.allocateDirect(4096)), 16);
        final int frontPort = front.allocUnbound(0);
        final int backPort = back.bindInterdomain(1, frontPort);
        back.clearPending(backPort);
        final EventWaiter waiter = new EventWaiter();
        back.setWaiter(backPort, waiter);

        final AtomicLong handled = new AtomicLong();
        final AtomicLong dutyCycles = new AtomicLong();
        final Agent agent = new Agent()
        {
            public int doWork()
            {
                dutyCycles.incrementAndGet();
                if (back.clearPending(backPort))
                {
                    handled.incrementAndGet();
                    return 1;
                }
                return 0;
            }

            public String roleName()
            {
                return "event-agent";
            }
        };
        final EventIdleStrategy idle = new EventIdleStrategy(
            waiter, () -> back.isPending(backPort), 10, TimeUnit.SECONDS.toNanos(1));
        try (AgentRunner runner = new AgentRunner(idle, Throwable::printStackTrace, null, agent))
        {
            AgentRunner.startOnThread(runner);
            Thread.sleep(200);
            final long cyclesWhileIdle = dutyCycles.get();
            assertTrue(cyclesWhileIdle < 100, "parked, not spinning: " + cyclesWhileIdle + " duty cycles in 200 ms");
            for (int i = 1; i <= 1000; i++)
            {
                front.send(frontPort);
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (handled.get() < i)
                {
                    assertTrue(System.nanoTime() < deadline, "event " + i + " did not wake the agent");
                    Thread.onSpinWait();
                }
            }
        }
        assertEquals(1000, handled.get());
    }
}
