package io.javisor.core.junit;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The threads javisor starts, told apart by their names: those that belong to one domain (its vCPU,
 * a Java guest's thread, the toolstack's life-cycle thread) and those of the hypervisor's dom0 (the
 * back-end agents and their disk IO threads, dom0's xenstored). Stateless.
 */
final class JavisorThreads
{
    /** Threads that must end when the domains a test created are destroyed. */
    static final List<String> DOMAIN_THREADS = List.of("hvm-vcpu", "java-guest-", "toolstack-lifecycle");
    /** Threads that must also end when the hypervisor closes. */
    static final List<String> HYPERVISOR_THREADS = List.of("hvm-vcpu", "java-guest-", "toolstack-lifecycle",
        "blkback-", "netback-", "dom0-xenstored");

    private static final long SETTLE_POLL_MS = 10;

    private JavisorThreads()
    {
    }

    /** @return the live threads named as javisor names its threads, as a set of identities */
    static Set<Thread> live()
    {
        final Set<Thread> threads = Collections.newSetFromMap(new IdentityHashMap<>());
        for (final Thread thread : Thread.getAllStackTraces().keySet())
        {
            if (matches(thread.getName(), HYPERVISOR_THREADS))
            {
                threads.add(thread);
            }
        }
        return threads;
    }

    /**
     * Threads named by {@code prefixes} that were not alive in {@code before} and are still alive once
     * {@code settleMs} have passed (a thread that was told to stop may take a moment to end).
     */
    static List<Thread> survivors(final Set<Thread> before, final List<String> prefixes, final long settleMs)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settleMs);
        while (true)
        {
            final List<Thread> survivors = new ArrayList<>();
            for (final Thread thread : live())
            {
                if (!before.contains(thread) && matches(thread.getName(), prefixes))
                {
                    survivors.add(thread);
                }
            }
            if (survivors.isEmpty() || System.nanoTime() - deadline >= 0)
            {
                return survivors;
            }
            Thread.sleep(SETTLE_POLL_MS);
        }
    }

    private static boolean matches(final String name, final List<String> prefixes)
    {
        for (final String prefix : prefixes)
        {
            if (name.startsWith(prefix))
            {
                return true;
            }
        }
        return false;
    }
}
