package io.javisor.core.sched;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One vCPU as the {@link CreditScheduler} holds it: where it is (waiting, queued, running, parked by
 * its cap, done), its credit, and its accounting. {@link #wake()} and {@link #view()} may be called
 * from any thread; the rest is the scheduler's.
 * <p>
 * Threading. The state word moves by compare-and-set only, and whoever moves it out of a state owns
 * the vCPU until it puts it somewhere else: a waker or the ticker that takes it out of IDLE, or the
 * ticker out of PARKED, queues it; the worker that polls it from a queue runs it; only that worker
 * moves it out of RUNNING. The other fields each have one writer:
 * <ul>
 * <li>the worker running it: the run time it consumed, its run count, its last worker, its armed
 *     deadline (with the wait generation that deadline belongs to);</li>
 * <li>the owner that takes it out of IDLE or PARKED: its wake count; whoever queues it: its queued
 *     priority;</li>
 * <li>the ticker: the credit it granted, the cap allowance, whether it is active, its heap and
 *     active-list positions (the last two read by nobody else);</li>
 * <li>the control plane stopping it: {@link #wakeForExit()}'s flag, once.</li>
 * </ul>
 * Its credit is granted minus consumed, each with its own writer, so that the ticker's refills and the
 * workers' debits never race on one field.
 */
public final class Vcpu
{
    /** Waits for a {@link #wake()} or its deadline: not queued and not running. */
    static final int IDLE = 0;
    static final int QUEUED = 1;
    static final int RUNNING = 2;
    /** Running, and woken meanwhile: a wait it decides on now is over before it begins. */
    static final int RUNNING_WOKEN = 3;
    /** Its domain used up its cap: off every queue until the ticker's refill brings its credit back. */
    static final int PARKED = 4;
    static final int DONE = 5;
    /** The state is in the low bits of the state word; the rest counts the waits it began. */
    private static final int STATE_BITS = 3;
    private static final long STATE_MASK = (1L << STATE_BITS) - 1;

    private static final VarHandle STATE_WORD;
    private static final VarHandle TICKER_MAIL;

    static
    {
        try
        {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            STATE_WORD = lookup.findVarHandle(Vcpu.class, "stateWord", long.class);
            TICKER_MAIL = lookup.findVarHandle(Vcpu.class, "tickerMail", int.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final CreditScheduler scheduler;
    private final SchedDomain domain;
    private final int vcpuId;
    private final VcpuWork work;

    /** Starts IDLE in generation 0: registered, and started by its first {@link #wake()}. */
    private volatile long stateWord;
    /** 1 while it sits in the ticker's inbox (it is there at most once). */
    private volatile int tickerMail;

    private volatile long consumedNanos;
    /** Its last run lasted a millisecond or more: its next is charged by the worker's CPU clock. */
    private volatile boolean longRunner;
    private volatile long runs;
    private volatile int lastWorker = -1;
    private volatile long armedDeadline = VcpuWork.NO_DEADLINE;
    private volatile long armedGeneration;

    private volatile long wakes;
    /** The priority it was queued at ({@link RunQueues}), then the one it runs at. */
    private volatile int priority = RunQueues.UNDER;

    private volatile long grantedNanos;
    /** How far below zero its credit may go before it is parked; 0 when its domain has no cap. */
    private volatile long capAllowanceNanos;
    private volatile boolean active;
    /** The ticker's: its slot in the timer heap, or -1. */
    int heapIndex = -1;
    /** The ticker's: its slot in the active list, or -1. */
    int activeIndex = -1;
    /** The ticker's: its run time at the last accounting pass. */
    long accountedNanos;

    private volatile boolean exiting;

    Vcpu(final CreditScheduler scheduler, final SchedDomain domain, final int vcpuId, final VcpuWork work)
    {
        this.scheduler = scheduler;
        this.domain = domain;
        this.vcpuId = vcpuId;
        this.work = work;
    }

    /**
     * Something arrived for the vCPU (an event, an interrupt, console input, a resume): a waiting vCPU
     * is queued, boosted when it has credit left; a running one will not begin a wait it decides on
     * now; a queued, parked or finished one is left as it is. The first wake starts it. Any thread;
     * never blocks.
     */
    public void wake()
    {
        while (true)
        {
            final long word = stateWord;
            switch (state(word))
            {
                case IDLE ->
                {
                    if (STATE_WORD.compareAndSet(this, word, with(word, QUEUED)))
                    {
                        wakes = wakes + 1;
                        scheduler.queueWoken(this);
                        return;
                    }
                }
                case RUNNING ->
                {
                    if (STATE_WORD.compareAndSet(this, word, with(word, RUNNING_WOKEN)))
                    {
                        return;
                    }
                }
                case PARKED ->
                {
                    if (!exiting)
                    {
                        return; // it runs when its credit comes back, and then looks at what arrived
                    }
                    if (STATE_WORD.compareAndSet(this, word, with(word, QUEUED)))
                    {
                        scheduler.queue(this, RunQueues.OVER);
                        return;
                    }
                }
                default ->
                {
                    return;
                }
            }
        }
    }

    /**
     * Wake it to finish (its work has been told to stop): from here on its cap no longer holds it
     * back, so that a destroy does not wait for a refill. Any thread.
     */
    public void wakeForExit()
    {
        exiting = true;
        wake();
    }

    /** @return a snapshot for {@code xl vcpu-list} and {@code xl top}, read racily */
    public VcpuView view()
    {
        final CreditParams params = domain.params();
        return new VcpuView(domain.domid(), vcpuId, VcpuState.of(state(stateWord)), lastWorker, consumedNanos,
            wakes, runs, credit(), params.weight(), params.cap());
    }

    public int domid()
    {
        return domain.domid();
    }

    public int vcpuId()
    {
        return vcpuId;
    }

    /** @return run time so far: nanoseconds its work spent running on workers */
    public long runNanos()
    {
        return consumedNanos;
    }

    // ---------------------------------------------------------------- the scheduler's side

    VcpuWork work()
    {
        return work;
    }

    SchedDomain domain()
    {
        return domain;
    }

    int priority()
    {
        return priority;
    }

    /** Set by whoever queues it, before the queue makes it visible. */
    void priority(final int p)
    {
        priority = p;
    }

    boolean exiting()
    {
        return exiting;
    }

    /** @return credit in nanoseconds: what the ticker granted minus what it ran */
    long credit()
    {
        return grantedNanos - consumedNanos;
    }

    /** Whether its domain's cap holds it now: capped, and its credit below the allowance. */
    boolean overCap()
    {
        final long allowance = capAllowanceNanos;
        return allowance > 0 && !exiting && grantedNanos - consumedNanos < -allowance;
    }

    long capAllowanceNanos()
    {
        return capAllowanceNanos;
    }

    /**
     * The control plane, once its work was told to stop ({@link #wakeForExit()}'s flag set): takes it
     * out of IDLE, QUEUED or PARKED into RUNNING, as a worker polling it would, so that the caller can
     * finish it at once instead of waiting for its turn behind busy guests. A queue entry it leaves
     * behind is skipped by the worker that polls it ({@link #beginRun} fails); a timer or refill of it
     * the ticker holds finds the state moved and does nothing.
     *
     * @return false when a worker runs it now (that worker sees the stop at its next step) or it is done
     */
    boolean claimForExit()
    {
        exiting = true;
        while (true)
        {
            final long word = stateWord;
            final int state = state(word);
            if (state != IDLE && state != QUEUED && state != PARKED)
            {
                return false;
            }
            if (STATE_WORD.compareAndSet(this, word, with(word, RUNNING)))
            {
                return true;
            }
        }
    }

    /** @return whether the control plane has told it to finish */
    boolean isExiting()
    {
        return exiting;
    }

    /**
     * The worker that polled it from a queue: QUEUED to RUNNING.
     *
     * @return false if it was not QUEUED (a bug: whoever queues it sets QUEUED first)
     */
    boolean beginRun(final int worker)
    {
        final long word = stateWord;
        if (state(word) != QUEUED || !STATE_WORD.compareAndSet(this, word, with(word, RUNNING)))
        {
            return false;
        }
        lastWorker = worker;
        return true;
    }

    /** The running worker: charge one run. */
    void charge(final long nanos)
    {
        consumedNanos = consumedNanos + nanos;
        runs = runs + 1;
    }

    boolean longRunner()
    {
        return longRunner;
    }

    /** The running worker. */
    void longRunner(final boolean l)
    {
        longRunner = l;
    }

    /** The ticker: its run time now (read with the pass's other reads). */
    long consumedNanos()
    {
        return consumedNanos;
    }

    /**
     * The running worker: its run ended {@link VcpuWork.Step#WAITING}. Unless it was woken while it ran,
     * it becomes IDLE in the next generation with {@code deadline} armed.
     *
     * @return whether it now waits; false when it was woken meanwhile and is running on
     */
    boolean beginWait(final long deadline)
    {
        while (true)
        {
            final long word = stateWord;
            if (state(word) == RUNNING_WOKEN)
            {
                stateWord = with(word, RUNNING); // only the running worker leaves RUNNING_WOKEN
                return false;
            }
            final long generation = (word >>> STATE_BITS) + 1;
            // Armed before it can be seen IDLE, so that the ticker never reads an older deadline for it.
            armedDeadline = deadline;
            armedGeneration = generation;
            if (STATE_WORD.compareAndSet(this, word, generation << STATE_BITS | IDLE))
            {
                return true;
            }
        }
    }

    /** The running worker: back on a run queue at {@code queuePriority}. */
    void requeue(final int queuePriority)
    {
        while (true)
        {
            final long word = stateWord;
            if (STATE_WORD.compareAndSet(this, word, with(word, QUEUED)))
            {
                scheduler.requeue(this, queuePriority);
                return;
            }
        }
    }

    /**
     * The running worker: its domain's cap holds it, so it leaves the queues until the ticker's refill
     * unparks it. If its credit came back (or it was told to exit) meanwhile, it unparks itself.
     */
    void park()
    {
        while (true)
        {
            final long word = stateWord;
            if (STATE_WORD.compareAndSet(this, word, with(word, PARKED)))
            {
                break;
            }
        }
        if (credit() >= 0 || exiting)
        {
            unpark();
        }
    }

    /** The ticker (its credit is back) or the parking worker: PARKED to queued. */
    void unpark()
    {
        final long word = stateWord;
        if (state(word) == PARKED && STATE_WORD.compareAndSet(this, word, with(word, QUEUED)))
        {
            scheduler.queue(this, credit() >= 0 ? RunQueues.UNDER : RunQueues.OVER);
        }
    }

    /** The ticker: the timer armed for wait {@code generation} is due; wakes it if that wait goes on. */
    void fireTimer(final long generation)
    {
        final long word = generation << STATE_BITS | IDLE;
        if (STATE_WORD.compareAndSet(this, word, with(word, QUEUED)))
        {
            wakes = wakes + 1;
            scheduler.queueWoken(this);
        }
    }

    /** The running worker: its work is finished. */
    void finish()
    {
        while (true)
        {
            final long word = stateWord;
            if (STATE_WORD.compareAndSet(this, word, with(word, DONE)))
            {
                return;
            }
        }
    }

    boolean isDone()
    {
        return state(stateWord) == DONE;
    }

    /** Whether a worker runs it now: its credit then lacks the run in progress (charged when the run ends). */
    boolean isRunning()
    {
        final int state = state(stateWord);
        return state == RUNNING || state == RUNNING_WOKEN;
    }

    boolean isWaiting()
    {
        return state(stateWord) == IDLE;
    }

    boolean isParked()
    {
        return state(stateWord) == PARKED;
    }

    long armedDeadline()
    {
        return armedDeadline;
    }

    long armedGeneration()
    {
        return armedGeneration;
    }

    /** Whoever posts it to the ticker: true when it was not in the inbox already and is to be put there. */
    boolean claimTickerMail()
    {
        return tickerMail == 0 && TICKER_MAIL.compareAndSet(this, 0, 1);
    }

    /** The ticker, taking it from the inbox, before it reads what it was posted for. */
    void releaseTickerMail()
    {
        tickerMail = 0;
    }

    boolean isActive()
    {
        return active;
    }

    /** The ticker. */
    void active(final boolean a)
    {
        active = a;
    }

    /** The ticker: add to its grant. */
    void grant(final long nanos)
    {
        grantedNanos = grantedNanos + nanos;
    }

    /** The ticker: set its credit to {@code credit}, given its run time as read now. */
    void resetCredit(final long credit)
    {
        grantedNanos = consumedNanos + credit;
    }

    /** The ticker. */
    void capAllowanceNanos(final long nanos)
    {
        capAllowanceNanos = nanos;
    }

    private static int state(final long word)
    {
        return (int)(word & STATE_MASK);
    }

    private static long with(final long word, final int state)
    {
        return word & ~STATE_MASK | state;
    }

    @Override
    public String toString()
    {
        return "d" + domain.domid() + "v" + vcpuId;
    }
}
