package io.javisor.core.sched;

import io.javisor.memory.blocking.BlockingSection;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Test work: a vCPU whose one run blocks its worker until released, as a disk read from a slow file
 * does; inside a {@link BlockingSection} or, to show what that section is for, outside one.
 */
final class BlockingWork implements VcpuWork
{
    private final boolean announced;
    private final CountDownLatch entered = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private volatile Thread blockedThread;

    BlockingWork(final boolean announced)
    {
        this.announced = announced;
    }

    @Override
    public Step run(final long maxNanos)
    {
        final BlockingSection.Compensator blocking = announced ? BlockingSection.begin() : null;
        try
        {
            blockedThread = Thread.currentThread();
            entered.countDown();
            if (!release.await(30, TimeUnit.SECONDS))
            {
                throw new IllegalStateException("never released");
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        finally
        {
            BlockingSection.end(blocking);
        }
        return Step.DONE;
    }

    @Override
    public long wakeDeadline()
    {
        return NO_DEADLINE;
    }

    @Override
    public void preempt()
    {
    }

    void awaitBlocked() throws InterruptedException
    {
        if (!entered.await(10, TimeUnit.SECONDS))
        {
            throw new AssertionError("the blocking vCPU never ran");
        }
    }

    Thread blockedThread()
    {
        return blockedThread;
    }

    void release()
    {
        release.countDown();
    }
}
