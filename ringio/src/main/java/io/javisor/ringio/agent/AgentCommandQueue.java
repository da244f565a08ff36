package io.javisor.ringio.agent;

import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The bounded queue through which other threads hand control-plane work (attach, detach, xenbus
 * state changes) to one agent, which runs it in its duty cycle with {@link #drain()}. A full queue is
 * the caller's error, never a spin; a caller that needs the work done waits for the agent's answer
 * with {@link #call}, bounded by a timeout.
 * <p>
 * Thread safety: any number of threads may offer; only the agent's thread drains (Agrona's
 * many-to-one queue). A command runs on the agent thread, so everything it touches keeps that agent
 * as its single writer.
 */
public final class AgentCommandQueue
{
    private final String owner;
    private final int capacity;
    private final long timeoutNanos;
    private final Runnable wake;
    private final ManyToOneConcurrentArrayQueue<Runnable> commands;

    /**
     * @param owner        names the agent in error messages, e.g. {@code blkback dom0}.
     * @param capacity     commands that may wait at once.
     * @param timeoutNanos how long {@link #call} waits for the agent.
     * @param wake         wakes the agent if it sleeps (its idle strategy's waiter).
     */
    public AgentCommandQueue(final String owner, final int capacity, final long timeoutNanos, final Runnable wake)
    {
        this.owner = owner;
        this.capacity = capacity;
        this.timeoutNanos = timeoutNanos;
        this.wake = wake;
        this.commands = new ManyToOneConcurrentArrayQueue<>(capacity);
    }

    /**
     * Queues a command and wakes the agent.
     *
     * @return false, with nothing queued, when the queue is full.
     */
    public boolean offer(final Runnable command)
    {
        if (!commands.offer(command))
        {
            return false;
        }
        wake.run();
        return true;
    }

    /**
     * Queues a command whose answer the caller does not wait for.
     *
     * @throws IllegalStateException (one line) when the queue is full.
     */
    public void submit(final Runnable command)
    {
        if (!offer(command))
        {
            throw new IllegalStateException(owner + ": command queue full (" + capacity +
                " pending); the agent is stopped or overloaded");
        }
    }

    /**
     * Runs {@code work} on the agent thread and waits until it has run. Never call it from the agent
     * thread itself: it would wait for the very duty cycle it holds up.
     *
     * @param what names the work in error messages, e.g. {@code detach of vif1.0}.
     * @throws IllegalStateException when the queue is full, the agent does not answer in time, or is
     *                               interrupted; the work's own RuntimeException as it was thrown.
     */
    public void call(final Runnable work, final String what)
    {
        final CompletableFuture<Void> answer = new CompletableFuture<>();
        submit(() ->
        {
            try
            {
                work.run();
                answer.complete(null);
            }
            catch (final RuntimeException ex)
            {
                answer.completeExceptionally(ex);
            }
        });
        try
        {
            answer.get(timeoutNanos, TimeUnit.NANOSECONDS);
        }
        catch (final TimeoutException ex)
        {
            throw new IllegalStateException(owner + ": " + what + " not done within " +
                TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms (agent stopped or stuck)");
        }
        catch (final ExecutionException ex)
        {
            throw ex.getCause() instanceof RuntimeException runtime ? runtime : new IllegalStateException(ex.getCause());
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(owner + ": interrupted waiting for " + what);
        }
    }

    /**
     * On the agent thread: runs every queued command.
     *
     * @return how many ran.
     */
    public int drain()
    {
        return commands.drain(Runnable::run);
    }

    public boolean isEmpty()
    {
        return commands.isEmpty();
    }
}
