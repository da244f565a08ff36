package io.javisor.core.sched;

import org.agrona.concurrent.ManyToManyConcurrentArrayQueue;

/**
 * The run queues: one FIFO per credit priority, BOOST (woken with credit left), UNDER (credit left)
 * and OVER (credit used up), polled in that order. Lock-free and allocation-free: any thread that has
 * taken a vCPU out of a state offers it (a waker, the ticker, a worker at the end of a run), workers
 * poll. Each vCPU is on at most one queue at most once (its state word says QUEUED), so a queue sized
 * for every vCPU never fills.
 * <p>
 * Xen keeps one queue per physical CPU and steals between them; one global queue per priority is what
 * that stealing approximates, and with a handful of workers it costs no contention worth the
 * bookkeeping.
 */
final class RunQueues
{
    static final int OVER = 0;
    static final int UNDER = 1;
    static final int BOOST = 2;

    private final ManyToManyConcurrentArrayQueue<Vcpu> boost;
    private final ManyToManyConcurrentArrayQueue<Vcpu> under;
    private final ManyToManyConcurrentArrayQueue<Vcpu> over;

    RunQueues(final int capacity)
    {
        boost = new ManyToManyConcurrentArrayQueue<>(capacity);
        under = new ManyToManyConcurrentArrayQueue<>(capacity);
        over = new ManyToManyConcurrentArrayQueue<>(capacity);
    }

    /** Offer a vCPU its owner has just put in state QUEUED, at {@code priority}. */
    void offer(final Vcpu vcpu, final int priority)
    {
        vcpu.priority(priority);
        final ManyToManyConcurrentArrayQueue<Vcpu> queue = priority == BOOST ? boost : priority == UNDER ? under : over;
        if (!queue.offer(vcpu))
        {
            throw new IllegalStateException("run queue full with vCPU " + vcpu + ": more vCPUs than the scheduler holds");
        }
    }

    /** @return the first vCPU of the highest non-empty priority (its {@link Vcpu#priority()} says which), or null */
    Vcpu poll()
    {
        Vcpu vcpu = boost.poll();
        if (vcpu == null)
        {
            vcpu = under.poll();
            if (vcpu == null)
            {
                vcpu = over.poll();
            }
        }
        return vcpu;
    }

    /** @return whether a vCPU of {@code priority} or higher is queued */
    boolean hasAtLeast(final int priority)
    {
        return !boost.isEmpty() || priority <= UNDER && !under.isEmpty() || priority == OVER && !over.isEmpty();
    }

    boolean isEmpty()
    {
        return boost.isEmpty() && under.isEmpty() && over.isEmpty();
    }

    /** @return vCPUs queued now (racy) */
    int size()
    {
        return boost.size() + under.size() + over.size();
    }
}
