package io.javisor.core.junit;

import io.javisor.core.Domain;
import io.javisor.core.DomainState;
import io.javisor.core.Hypervisor;
import io.javisor.core.HypervisorConfig;
import io.javisor.core.toolstack.Toolstack;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * What the extension made for one test, or for one class: the hypervisor it uses (its own, or its
 * class's), the {@link Checkpoint} taken when it began, and the toolstack of its xl.cfg domains.
 * {@link #close} destroys every domain made since the checkpoint, closes what the session owns and
 * reports what outlived that. Confined to the thread JUnit runs the test (or the class) on.
 */
final class TestSession
{
    /** How long a destroyed domain may take to be gone (its back ends let go of its grants first). */
    static final long DOMAIN_GONE_WAIT_MS = 2_000;
    /** How long a thread told to stop may take to end. */
    static final long THREAD_SETTLE_MS = 5_000;
    private static final long POLL_MS = 1;

    private final Hypervisor hypervisor;
    private final boolean ownsHypervisor;
    private final Checkpoint checkpoint;
    private Toolstack toolstack;

    private TestSession(final Hypervisor hypervisor, final boolean ownsHypervisor, final Checkpoint checkpoint)
    {
        this.hypervisor = hypervisor;
        this.ownsHypervisor = ownsHypervisor;
        this.checkpoint = checkpoint;
    }

    /** A session with a hypervisor of its own, started here. */
    static TestSession withOwnHypervisor(final JavisorTest config)
    {
        final Set<Thread> threads = JavisorThreads.live();
        final Hypervisor hypervisor = new Hypervisor(HypervisorConfig.defaults()
            .withMachineMemoryMiB(config.machineMemoryMiB()).withBackendThreading(config.backendThreading()));
        return new TestSession(hypervisor, true, Checkpoint.take(hypervisor, threads));
    }

    /** A session on a hypervisor that outlives it (its class's). */
    static TestSession sharing(final Hypervisor hypervisor)
    {
        return new TestSession(hypervisor, false, Checkpoint.take(hypervisor, JavisorThreads.live()));
    }

    Hypervisor hypervisor()
    {
        return hypervisor;
    }

    /** The toolstack of this session's xl.cfg domains, made on first use. */
    Toolstack toolstack()
    {
        if (toolstack == null)
        {
            toolstack = new Toolstack(hypervisor);
        }
        return toolstack;
    }

    /**
     * Destroys the toolstack's domains and every other domain made since the checkpoint, waits for
     * them to be gone, closes the hypervisor when it is this session's, and reports whatever is left:
     * a domain still dying (something maps its memory), machine frames short of the checkpoint's,
     * a javisor thread started since the checkpoint that is still alive.
     */
    void close(final LeakReport report) throws InterruptedException
    {
        // A test may close the hypervisor itself; dom0 is gone then, and so is everything else.
        final boolean open = hypervisor.domain(Hypervisor.DOM0) != null;
        if (toolstack != null)
        {
            try
            {
                toolstack.close();
            }
            catch (final RuntimeException ex)
            {
                report.failed("closing the toolstack", ex);
            }
        }
        if (open)
        {
            final List<Domain> destroyed = destroyDomainsSinceCheckpoint(report);
            awaitGone(destroyed, report);
            final long missing = checkpoint.freeFrames() - hypervisor.freeFrames();
            if (missing > 0)
            {
                report.leak("the machine frame pool has " + missing + " frames (" + missing * 4 + " KiB) fewer free " +
                    "than before");
            }
        }
        if (ownsHypervisor)
        {
            try
            {
                hypervisor.close();
            }
            catch (final RuntimeException ex)
            {
                report.failed("closing the hypervisor", ex);
            }
        }
        final List<String> prefixes = ownsHypervisor ? JavisorThreads.HYPERVISOR_THREADS : JavisorThreads.DOMAIN_THREADS;
        for (final Thread thread : JavisorThreads.survivors(checkpoint.threads(), prefixes, THREAD_SETTLE_MS))
        {
            report.leak("thread '" + thread.getName() + "' is still alive (" + thread.getState() + ") " +
                THREAD_SETTLE_MS + " ms after the teardown");
        }
    }

    private List<Domain> destroyDomainsSinceCheckpoint(final LeakReport report)
    {
        final List<Domain> destroyed = new ArrayList<>();
        for (final Domain domain : hypervisor.domains())
        {
            if (checkpoint.domainIds().contains(domain.id()))
            {
                continue;
            }
            destroyed.add(domain); // a domain already dying is waited for as well
            try
            {
                hypervisor.destroyDomain(domain.id());
            }
            catch (final RuntimeException ex)
            {
                report.failed("destroying domain " + domain.id() + " '" + domain.name() + "'", ex);
            }
        }
        return destroyed;
    }

    private static void awaitGone(final List<Domain> domains, final LeakReport report) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DOMAIN_GONE_WAIT_MS);
        for (final Domain domain : domains)
        {
            while (domain.state() != DomainState.GONE && System.nanoTime() - deadline < 0)
            {
                Thread.sleep(POLL_MS);
            }
            if (domain.state() != DomainState.GONE)
            {
                report.leak("domain " + domain.id() + " '" + domain.name() + "' is still " + domain.state() + " " +
                    DOMAIN_GONE_WAIT_MS + " ms after it was destroyed: another domain still maps its memory " +
                    "(a grant mapped and never unmapped), so its " + domain.memory().frameCount() +
                    " frames cannot go back to the pool");
            }
        }
    }
}
