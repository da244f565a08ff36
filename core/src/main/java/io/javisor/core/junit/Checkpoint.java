package io.javisor.core.junit;

import io.javisor.core.Domain;
import io.javisor.core.Hypervisor;

import java.util.HashSet;
import java.util.Set;

/**
 * What a hypervisor held when a test (or a class) started, to which its teardown must bring it
 * back: the free machine frames, the domains that were there already, and javisor's live threads.
 * Immutable once taken.
 *
 * @param freeFrames frames free in the machine pool.
 * @param domainIds  ids of the domains alive (dom0 included); the teardown destroys every other.
 * @param threads    javisor's threads alive ({@link JavisorThreads#live()}); any other one must end.
 */
record Checkpoint(long freeFrames, Set<Integer> domainIds, Set<Thread> threads)
{
    /**
     * @param threadsBefore javisor's threads, taken before the hypervisor was made when the
     *                      checkpoint is its first.
     */
    static Checkpoint take(final Hypervisor hypervisor, final Set<Thread> threadsBefore)
    {
        final Set<Integer> ids = new HashSet<>();
        for (final Domain domain : hypervisor.domains())
        {
            ids.add(domain.id());
        }
        return new Checkpoint(hypervisor.freeFrames(), Set.copyOf(ids), threadsBefore);
    }
}
