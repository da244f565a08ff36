package io.javisor.core.sched;

import io.javisor.memory.blocking.BlockingSection;
import io.javisor.memory.log.HostLog;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Xen's credit scheduler for javisor's vCPUs: a bounded pool of worker threads (Xen's physical CPUs)
 * runs every registered vCPU, each domain getting CPU in proportion to its weight (default 256) and
 * never more than its cap (percent of one CPU), with credits refilled every accounting period, UNDER
 * and OVER priorities by credit, and BOOST for a vCPU woken from a wait so that IO-bound guests
 * answer quickly without taking more than their share. A waiting vCPU costs nothing until a
 * {@link Vcpu#wake()} or its deadline. See {@link SchedulerConfig} for the periods.
 * <p>
 * Threading. Life cycle ({@link #register}, {@link #setParams}, {@link #forgetDomain}, {@link #close})
 * is the control plane's, serialised by this object's monitor; {@link Vcpu#wake()} and the views
 * are any thread's; the rest runs on the pool: workers {@code credit-worker-N} (see
 * {@link SchedWorker}) and one clock thread {@code credit-ticker} (timers and accounting, see
 * {@link SchedTicker}), started with the first vCPU and stopped by {@link #close()}. Each vCPU field has
 * one writer (see {@link Vcpu}); the run queues and the ticker's inbox are lock-free queues.
 * <p>
 * Blocking. A vCPU's work must not block its worker, except in a {@link BlockingSection} (a disk image's
 * file IO): a worker in one for longer than {@link #HAND_OFF_NANOS} is handed off by the ticker, and a
 * spare worker ({@code credit-spare-N}, started the first time it is needed) runs in its place, so that
 * the pool keeps as many threads running guests as it has workers, as Go's runtime hands a processor on
 * when a system call lasts. Short sections (a read from the page cache) cost a few counter updates and
 * wake no thread. Spare N runs while more than N workers are handed off; when fewer are, it ends its
 * turn at the next slice boundary and stands by.
 */
public final class CreditScheduler implements AutoCloseable
{
    /**
     * How long a worker may stay in a blocking section before a spare takes its place: far above a
     * page-cache hit (microseconds), below a slow disk's or a stalled terminal's wait, and a tenth of a
     * time slice, so that the other vCPUs lose little of their slice to it.
     */
    static final long HAND_OFF_NANOS = 1_000_000L;

    private final SchedulerConfig config;
    private final RunQueues queues;
    private final SchedTicker ticker;
    private final SchedWorker[] workers;
    /** Spares by rank, each created the first time that many workers are blocked at once; guarded by {@link #spareLock}. */
    private final SchedWorker[] spares;
    private final Object spareLock = new Object();
    /** Blocking sections open on the pool's threads now: while any is, the ticker looks every half hand-off time. */
    private final AtomicInteger inSection = new AtomicInteger();
    /** Workers handed off (in a section past {@link #HAND_OFF_NANOS}): spares of lower rank run. */
    private final AtomicInteger blocked = new AtomicInteger();
    private final LongAdder blockingSections = new LongAdder();
    /** Written by the ticker only. */
    private volatile long handOffs;
    /** Workers in (or entering) their idle park: dispatchers skip the scan when none is. */
    private final AtomicInteger parkedWorkers = new AtomicInteger();
    private final ConcurrentMap<Integer, SchedDomain> domains = new ConcurrentHashMap<>();
    /** Every registered vCPU not yet done, for the views; added by the control plane, removed by a worker. */
    private final Set<Vcpu> vcpus = ConcurrentHashMap.newKeySet();
    /** Guarded by this object's monitor. */
    private boolean started;
    /** Guarded by this object's monitor. */
    private Thread tickerThread;
    private volatile boolean closed;

    public CreditScheduler(final SchedulerConfig config)
    {
        this.config = config.validate();
        this.queues = new RunQueues(config.maxVcpus());
        this.ticker = new SchedTicker(this, config);
        this.workers = new SchedWorker[config.workers()];
        for (int i = 0; i < workers.length; i++)
        {
            workers[i] = new SchedWorker(i, SchedWorker.PRIMARY, this, queues, ticker, config);
        }
        this.spares = new SchedWorker[config.workers()];
    }

    public SchedulerConfig config()
    {
        return config;
    }

    /**
     * Add a vCPU of domain {@code domid}, waiting: its first {@link Vcpu#wake()} starts it, so that its
     * owner can hand the vCPU to whatever wakes it before it ever runs. Starts the pool with the first.
     *
     * @throws IllegalStateException when the scheduler is closed or holds {@link SchedulerConfig#maxVcpus()} already
     */
    public synchronized Vcpu register(final int domid, final int vcpuId, final VcpuWork work)
    {
        if (closed)
        {
            throw new IllegalStateException("the credit scheduler is shut down");
        }
        if (vcpus.size() >= config.maxVcpus())
        {
            throw new IllegalStateException("the credit scheduler holds its maximum of " + config.maxVcpus() + " vCPUs");
        }
        final Vcpu vcpu = newVcpu(domid, vcpuId, work);
        vcpus.add(vcpu);
        startPool();
        return vcpu;
    }

    /** A vCPU of this scheduler that nobody runs until the pool is started (tests of the parts use this). */
    Vcpu newVcpu(final int domid, final int vcpuId, final VcpuWork work)
    {
        return new Vcpu(this, domain(domid), vcpuId, work);
    }

    /** @return the domain's parameters ({@link CreditParams#DEFAULTS} until set) */
    public CreditParams params(final int domid)
    {
        final SchedDomain domain = domains.get(domid);
        return domain == null ? CreditParams.DEFAULTS : domain.params();
    }

    /** Set the domain's weight and cap, in force from the next accounting period. */
    public synchronized void setParams(final int domid, final CreditParams params)
    {
        domain(domid).params(params);
    }

    /** Drop what is kept about a domain whose vCPUs are all done (its parameters). */
    public synchronized void forgetDomain(final int domid)
    {
        domains.remove(domid);
    }

    /** @return every vCPU not yet done, by domain and number (read racily) */
    public List<VcpuView> vcpus()
    {
        final List<VcpuView> views = new ArrayList<>();
        for (final Vcpu vcpu : vcpus)
        {
            final VcpuView view = vcpu.view();
            if (view.state() != VcpuState.DONE) // its guest has ended; its worker forgets it in a moment
            {
                views.add(view);
            }
        }
        views.sort(Comparator.comparingInt(VcpuView::domid).thenComparingInt(VcpuView::vcpu));
        return views;
    }

    /** @return the pool's threads (workers and ticker) once started, e.g. to read their CPU time; empty before */
    public synchronized List<Thread> threads()
    {
        final List<Thread> threads = new ArrayList<>();
        if (started)
        {
            for (final SchedWorker worker : workers)
            {
                threads.add(worker.thread());
            }
            addSpareThreads(threads);
            threads.add(tickerThread);
        }
        return threads;
    }

    /** @return the scheduler's counters (read racily) */
    public SchedulerStatistics statistics()
    {
        long turns = 0;
        long parks = 0;
        for (final SchedWorker worker : workers)
        {
            turns += worker.turns();
            parks += worker.parks();
        }
        synchronized (spareLock)
        {
            for (final SchedWorker spare : spares)
            {
                if (spare != null)
                {
                    turns += spare.turns();
                    parks += spare.parks();
                }
            }
        }
        return new SchedulerStatistics(workers.length, vcpus.size(), queues.size(), turns, parks,
            ticker.accountingPasses(), ticker.timersFired());
    }

    /** @return the pool's worker threads once started (not the ticker), e.g. to read their CPU time; empty before */
    public synchronized List<Thread> workerThreads()
    {
        final List<Thread> threads = new ArrayList<>();
        if (started)
        {
            for (final SchedWorker worker : workers)
            {
                threads.add(worker.thread());
            }
            addSpareThreads(threads);
        }
        return threads;
    }

    private void addSpareThreads(final List<Thread> threads)
    {
        synchronized (spareLock)
        {
            for (final SchedWorker spare : spares)
            {
                if (spare != null)
                {
                    threads.add(spare.thread());
                }
            }
        }
    }

    /** @return blocking sections entered on the pool's threads so far (a disk image's file IO, each call) */
    public long blockingSections()
    {
        return blockingSections.sum();
    }

    /** @return blocking sections that lasted long enough for a spare to take the worker's place */
    public long handOffs()
    {
        return handOffs;
    }

    /**
     * Stop the pool: workers finish the run they are in and exit, and this waits for every pool thread.
     * vCPUs still registered are not run any more. Idempotent.
     */
    @Override
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        if (!started)
        {
            return;
        }
        ticker.nudge();
        for (final SchedWorker worker : workers)
        {
            worker.unparkToStop();
        }
        synchronized (spareLock) // no spare is created once closed is set: this sees every one
        {
            for (final SchedWorker spare : spares)
            {
                if (spare != null)
                {
                    spare.unparkToStop();
                }
            }
        }
        boolean interrupted = false;
        for (final Thread thread : threads())
        {
            while (true)
            {
                try
                {
                    thread.join();
                    break;
                }
                catch (final InterruptedException ex)
                {
                    interrupted = true;
                }
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
    }

    // ---------------------------------------------------------------- the pool's side

    private void startPool()
    {
        if (started)
        {
            return;
        }
        started = true;
        tickerThread = Thread.ofPlatform().name("credit-ticker").daemon().unstarted(ticker);
        for (final SchedWorker worker : workers)
        {
            final Thread thread = Thread.ofPlatform().name("credit-worker-" + indexOf(worker)).daemon().unstarted(worker);
            worker.thread(thread);
        }
        ticker.start(tickerThread, workers);
        tickerThread.start();
        for (final SchedWorker worker : workers)
        {
            worker.thread().start();
        }
    }

    /**
     * The spare of {@code rank}, started now if it never was; null once the pool is closed. On the
     * blocking worker's thread: the lock is the spares' own, never the control plane's monitor (which
     * {@link #close()} holds while it joins the workers).
     */
    private SchedWorker spare(final int rank)
    {
        synchronized (spareLock)
        {
            if (closed)
            {
                return null;
            }
            SchedWorker spare = spares[rank];
            if (spare == null)
            {
                spare = new SchedWorker(rank, rank, this, queues, ticker, config);
                spare.thread(Thread.ofPlatform().name("credit-spare-" + rank).daemon().unstarted(spare));
                spares[rank] = spare;
                spare.thread().start();
            }
            return spare;
        }
    }

    /** A pool thread enters a blocking section: the ticker, if it sleeps, is told to look by the hand-off time. */
    void blockingBegun(final long now)
    {
        blockingSections.increment();
        inSection.incrementAndGet();
        ticker.lookBy(now + HAND_OFF_NANOS);
    }

    /** A pool thread leaves a blocking section; {@code handedOff}: a spare had taken its place. */
    void blockingEnded(final boolean handedOff)
    {
        if (handedOff)
        {
            blocked.decrementAndGet();
        }
        inSection.decrementAndGet();
    }

    /** @return whether any pool thread is in a blocking section (the ticker then looks every half hand-off time) */
    boolean anyBlocking()
    {
        return inSection.get() > 0;
    }

    /**
     * The ticker: hand off every worker in a section that began at or before {@code before}, each to
     * the next spare.
     */
    void handOffBlockedSince(final long before)
    {
        for (final SchedWorker worker : workers)
        {
            handOff(worker, before);
        }
        for (int rank = 0; rank < spares.length; rank++)
        {
            final SchedWorker spare = spares[rank]; // racy read: one being created is not blocked yet
            if (spare != null)
            {
                handOff(spare, before);
            }
        }
    }

    private void handOff(final SchedWorker worker, final long before)
    {
        if (!worker.blockedSince(before))
        {
            return;
        }
        // Counted before the worker is marked, so that its end never takes the count below zero.
        final int now = blocked.incrementAndGet();
        if (!worker.markHandedOff(before))
        {
            blocked.decrementAndGet();
            return;
        }
        handOffs = handOffs + 1;
        final SchedWorker spare = now <= spares.length ? spare(now - 1) : null;
        if (spare != null)
        {
            spare.wakeSpare();
        }
    }

    /** @return workers handed off now */
    int blocked()
    {
        return blocked.get();
    }

    private int indexOf(final SchedWorker worker)
    {
        for (int i = 0; i < workers.length; i++)
        {
            if (workers[i] == worker)
            {
                return i;
            }
        }
        return -1;
    }

    private SchedDomain domain(final int domid)
    {
        return domains.computeIfAbsent(domid, SchedDomain::new);
    }

    boolean isClosed()
    {
        return closed;
    }

    /** Whoever took {@code vcpu} out of a wait: queue it, boosted when it has credit left, as Xen boosts. */
    void queueWoken(final Vcpu vcpu)
    {
        queue(vcpu, vcpu.credit() >= 0 ? RunQueues.BOOST : RunQueues.OVER);
    }

    /** Queue {@code vcpu} (its owner has put it in state QUEUED) and find it a worker. */
    void queue(final Vcpu vcpu, final int priority)
    {
        queues.offer(vcpu, priority);
        dispatch(priority);
    }

    /** A worker puts its vCPU back at the end of a run; that worker polls next, so no one else is asked. */
    void requeue(final Vcpu vcpu, final int priority)
    {
        queues.offer(vcpu, priority);
    }

    /**
     * Finish a vCPU whose work has been told to stop (a destroy): on the caller's thread when no worker
     * runs it now, so that the destroy does not wait for its turn behind every busy guest on the queues
     * (1,000 spinning guests on two workers made each such wait seconds long); else the worker running
     * it finishes it at its next step. The work's {@link VcpuWork#retired()} is called either way.
     */
    public void finishStopped(final Vcpu vcpu)
    {
        if (!vcpu.claimForExit())
        {
            vcpu.wakeForExit(); // a capped one runs now, to end
            return;
        }
        // The caller is the vCPU's worker from here: the claim's compare-and-set ordered it after the last one.
        VcpuWork.Step step;
        do
        {
            try
            {
                step = vcpu.work().run(config.timeSliceNanos());
            }
            catch (final Throwable ex)
            {
                HostLog.log("credit-scheduler", "vCPU " + vcpu + " failed as it was stopped; it is dropped", ex);
                step = VcpuWork.Step.DONE;
            }
        }
        while (step != VcpuWork.Step.DONE); // a stopped machine ends at its next instruction boundary
        vcpu.finish();
        retire(vcpu);
        ticker.post(vcpu, System.nanoTime()); // its timer and accounting entries go (the ticker drops a done vCPU)
        vcpu.work().retired();
    }

    /** A worker: its vCPU is done. */
    void retire(final Vcpu vcpu)
    {
        vcpus.remove(vcpu);
    }

    /**
     * Something of {@code priority} was queued: wake a parked worker, or else (Xen's tickle) ask one
     * running a lower priority, the lowest found, to end its run.
     */
    private void dispatch(final int priority)
    {
        if (signalParkedWorker())
        {
            return;
        }
        SchedWorker lowest = null;
        int lowestPriority = priority;
        for (final SchedWorker worker : workers)
        {
            final int p = worker.currentPriority();
            if (p < lowestPriority)
            {
                lowest = worker;
                lowestPriority = p;
            }
        }
        for (int rank = 0; rank < spares.length && rank < blocked.get(); rank++)
        {
            final SchedWorker spare = spares[rank]; // racy read: a spare being created is not running yet
            final int p = spare == null ? Integer.MAX_VALUE : spare.currentPriority();
            if (p < lowestPriority)
            {
                lowest = spare;
                lowestPriority = p;
            }
        }
        if (lowest != null)
        {
            lowest.preemptBelow(priority);
        }
    }

    /** @return whether a parked worker was woken */
    boolean signalParkedWorker()
    {
        if (parkedWorkers.get() == 0)
        {
            return false;
        }
        for (final SchedWorker worker : workers)
        {
            if (worker.signal())
            {
                return true;
            }
        }
        for (int rank = 0; rank < spares.length && rank < blocked.get(); rank++)
        {
            final SchedWorker spare = spares[rank];
            if (spare != null && spare.signal())
            {
                return true;
            }
        }
        return false;
    }

    void workerParking()
    {
        parkedWorkers.incrementAndGet();
    }

    void workerUnparked()
    {
        parkedWorkers.decrementAndGet();
    }
}
