package io.javisor.perf.ring;

import org.agrona.concurrent.Agent;

/**
 * The back end of a {@link RoundTripChannel} as an Agrona agent: every duty cycle answers what
 * is waiting. It sets up its private state on its own thread ({@link #onStart}) and does nothing
 * else: no event re-arming, no notifications, since its idle strategy busy-spins.
 */
final class EchoAgent implements Agent
{
    private final RoundTripChannel channel;
    private final String roleName;

    EchoAgent(final RoundTripChannel channel, final String roleName)
    {
        this.channel = channel;
        this.roleName = roleName;
    }

    @Override
    public void onStart()
    {
        channel.attachBackEnd();
    }

    @Override
    public int doWork()
    {
        return channel.serveRequests();
    }

    @Override
    public String roleName()
    {
        return roleName;
    }
}
