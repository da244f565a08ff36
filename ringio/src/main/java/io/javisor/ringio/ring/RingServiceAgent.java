package io.javisor.ringio.ring;

import io.javisor.ringio.event.EventChannels;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Arrays;
import java.util.function.BiConsumer;

/**
 * An Agrona {@link Agent} that serves the back ends of several shared rings in one duty cycle,
 * each request answered in turn by its ring's {@link RequestHandler}.
 * <p>
 * One misbehaving front end stops only its own ring: a producer index that overflows, or a handler
 * that throws on a request, marks that ring broken, reports the reason once to the fault listener,
 * and the agent goes on with the others. Nothing is thrown out of {@link #doWork()}.
 * <p>
 * Each ring gets at most one ring's worth of requests per duty cycle, so a flooding front end
 * cannot starve the others. With {@code armEvents} the agent runs the final check on every ring
 * when a cycle found no work (so that front ends notify it and an {@code EventIdleStrategy} may
 * park it); a busy-spinning agent leaves the events disarmed and front ends never notify.
 * Single-threaded: rings are added before the agent starts or from its own thread.
 */
public final class RingServiceAgent implements Agent
{
    private final String roleName;
    private final boolean armEvents;
    private final BiConsumer<String, String> faultListener;
    private ServedRing[] rings = new ServedRing[0];

    private static final class ServedRing
    {
        final String name;
        final BackRing ring;
        final EventChannels events;
        final int port;
        final RequestHandler handler;
        final UnsafeBuffer request;
        long served;

        ServedRing(final String name, final BackRing ring, final EventChannels events, final int port, final RequestHandler handler)
        {
            this.name = name;
            this.ring = ring;
            this.events = events;
            this.port = port;
            this.handler = handler;
            this.request = new UnsafeBuffer(new byte[ring.entryLength()]);
        }
    }

    /**
     * @param faultListener told (ring name, reason) once when a ring is stopped.
     */
    public RingServiceAgent(final String roleName, final boolean armEvents, final BiConsumer<String, String> faultListener)
    {
        this.roleName = roleName;
        this.armEvents = armEvents;
        this.faultListener = faultListener;
    }

    /**
     * Serves {@code ring}; responses are notified on {@code port} of {@code events} when the front
     * end asks for it (events may be null for a ring without a channel).
     */
    public void addRing(final String name, final BackRing ring, final EventChannels events, final int port, final RequestHandler handler)
    {
        rings = Arrays.copyOf(rings, rings.length + 1);
        rings[rings.length - 1] = new ServedRing(name, ring, events, port, handler);
    }

    @Override
    public int doWork()
    {
        int work = 0;
        for (final ServedRing served : rings)
        {
            if (!served.ring.isBroken())
            {
                work += serve(served);
            }
        }
        if (work == 0 && armEvents)
        {
            for (final ServedRing served : rings)
            {
                if (!served.ring.isBroken() && served.ring.finalCheckForRequests())
                {
                    work++;
                }
            }
        }
        return work;
    }

    private int serve(final ServedRing served)
    {
        final BackRing ring = served.ring;
        if (served.events != null)
        {
            served.events.clearPending(served.port);
        }
        final int available = ring.unconsumedRequests();
        if (available < 0)
        {
            stop(served, ring.brokenReason());
            return 1;
        }
        int done = 0;
        try
        {
            for (; done < available; done++)
            {
                ring.copyRequest(served.request, 0);
                served.handler.onRequest(served.request, ring.buffer(), ring.claimResponse());
                served.served++;
            }
        }
        catch (final RuntimeException ex)
        {
            ring.markBroken("handler failed: " + ex);
            stop(served, ring.brokenReason());
            return done + 1;
        }
        if (done > 0 && ring.pushResponses() && served.events != null)
        {
            served.events.send(served.port);
        }
        return done;
    }

    private void stop(final ServedRing served, final String reason)
    {
        faultListener.accept(served.name, reason);
    }

    /**
     * Requests served on ring {@code name}, or -1 if there is no such ring.
     */
    public long served(final String name)
    {
        for (final ServedRing served : rings)
        {
            if (served.name.equals(name))
            {
                return served.served;
            }
        }
        return -1;
    }

    @Override
    public String roleName()
    {
        return roleName;
    }
}
