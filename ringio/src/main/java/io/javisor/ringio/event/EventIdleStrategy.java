package io.javisor.ringio.event;

import org.agrona.concurrent.IdleStrategy;

import java.util.function.BooleanSupplier;

/**
 * An Agrona {@link IdleStrategy} for back-end agents that serve density rather than latency:
 * after {@code spins} idle duty cycles it parks the agent thread on an {@link EventWaiter} until
 * an event arrives (the sender unparks it, without a lock) or {@code maxParkNs} passes.
 * <p>
 * The agent must arm its rings' event indices (the final check) before it reports zero work, so
 * that a front end that pushes after the check notifies, and {@code ready} must report the
 * pending bits of the agent's ports.
 */
public final class EventIdleStrategy implements IdleStrategy
{
    private final EventWaiter waiter;
    private final BooleanSupplier ready;
    private final int spins;
    private final long maxParkNs;
    private int idleCycles;

    public EventIdleStrategy(final EventWaiter waiter, final BooleanSupplier ready, final int spins, final long maxParkNs)
    {
        this.waiter = waiter;
        this.ready = ready;
        this.spins = spins;
        this.maxParkNs = maxParkNs;
    }

    @Override
    public void idle(final int workCount)
    {
        if (workCount > 0)
        {
            reset();
            return;
        }
        idle();
    }

    @Override
    public void idle()
    {
        if (idleCycles < spins)
        {
            idleCycles++;
            Thread.onSpinWait();
            return;
        }
        waiter.await(maxParkNs, ready);
    }

    @Override
    public void reset()
    {
        idleCycles = 0;
    }

    @Override
    public String alias()
    {
        return "event";
    }
}
