package io.javisor.core;

import io.javisor.memory.AnonymousMemory;
import io.javisor.netback.bridge.Bridge;
import io.javisor.ringio.event.EventChannelHub;
import io.javisor.ringio.event.EventChannelStatus;
import io.javisor.ringio.event.EventChannels;
import io.javisor.ringio.xenstore.XenStore;
import io.javisor.ringio.xenstore.XenStoreException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Everything a destroyed domain could leave behind, counted across the hypervisor and the process:
 * machine frames, dom0's pages, javisor's anonymous mappings (RAM disks), direct buffers, the
 * hypervisor's tables of domains, grant tables and event channels, dom0's open event channel ports,
 * dom0's grant mappings and the grant pins held on live domains, xenstore's nodes (all, dom0's back-end
 * directories, domain homes) and watches, devices, bridge ports, open file descriptors and threads by
 * what runs on them. Two censuses taken with the same domains alive are equal.
 * <p>
 * Left out, because they only grow or move with the JVM's own timing, not with what a domain holds:
 * loaded classes (the translator's hidden classes stay until a GC unloads them, and its shared
 * templates are kept up to their capacity), heap and metaspace use (the leak tests check instead that
 * every destroyed domain, device and machine object can be collected), and resident memory (glibc and
 * the GC keep what they freed). Process-wide threads that start on first use and stay by design
 * ({@link #PROCESS_THREADS}), and the scheduler's spare workers ({@link #SCHEDULER_SPARE_PREFIX}), are
 * not counted either.
 * <p>
 * Taken on the test's thread while nothing else changes the hypervisor; {@link #settled} waits for
 * what finishes asynchronously (agents and vCPU threads exiting, direct buffers freed after a GC).
 */
record LeakCensus(
    long machineFreeFrames,
    int dom0FreePages,
    long anonymousMappedBytes,
    long directBuffers,
    long directBytes,
    int liveDomains,
    int grantTables,
    int eventChannelTables,
    int dom0OpenPorts,
    int dom0GrantMappings,
    long grantPins,
    int xenstoreNodes,
    int backendNodes,
    int domainHomes,
    int dom0OwnedNodes,
    int watches,
    int disks,
    int vifs,
    int bridgePorts,
    long openFiles,
    int vcpuThreads,
    int blockAgentThreads,
    int imageIoThreads,
    int netAgentThreads,
    int xenstoredThreads,
    int otherThreads)
{
    /** Threads of the whole process that start on first use and live on (the translator's compiler, the host log). */
    static final Set<String> PROCESS_THREADS = Set.of("javisor-jit-compiler", "javisor-hostlog");
    /**
     * The credit scheduler's spare workers: started the first time a worker stays blocked in file IO, they
     * stay with the pool until the hypervisor closes, as its workers do (CreditSchedulerTest checks close).
     */
    static final String SCHEDULER_SPARE_PREFIX = "credit-spare-";

    private static final long SETTLE_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final int STABLE_SAMPLES = 2;
    private static final long SETTLE_PAUSE_MILLIS = 20;

    /**
     * A census once every object in {@code destroyed} has been collected (a destroyed device may be
     * held for a few milliseconds more by an agent thread that is still exiting) and
     * {@value #STABLE_SAMPLES} censuses taken one pause apart agree, with a GC before each so that
     * direct buffers nothing references are freed (their cleaner runs on its own thread, late when
     * the machine is busy).
     */
    static LeakCensus settled(final Hypervisor hypervisor, final Collection<? extends Reference<?>> destroyed)
        throws InterruptedException
    {
        return settled(hypervisor, destroyed, null);
    }

    /**
     * As {@link #settled(Hypervisor, Collection)}, waiting also for the census to equal {@code expected}
     * (what finishes asynchronously may still be finishing); gives up after a few seconds and returns
     * the last census, whose differences to {@code expected} then name what stayed.
     */
    static LeakCensus settled(
        final Hypervisor hypervisor, final Collection<? extends Reference<?>> destroyed, final LeakCensus expected)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + SETTLE_TIMEOUT_NANOS;
        while (stillReachable(destroyed) > 0 && System.nanoTime() < deadline)
        {
            System.gc();
            Thread.sleep(SETTLE_PAUSE_MILLIS);
        }
        LeakCensus previous = take(hypervisor);
        int agreeing = 1;
        while (System.nanoTime() < deadline)
        {
            if (agreeing >= STABLE_SAMPLES && (expected == null || expected.equals(previous)))
            {
                break;
            }
            Thread.sleep(SETTLE_PAUSE_MILLIS);
            final LeakCensus now = take(hypervisor);
            agreeing = now.equals(previous) ? agreeing + 1 : 1;
            previous = now;
        }
        return previous;
    }

    /** @return how many of the references still reach their object */
    static long stillReachable(final Collection<? extends Reference<?>> references)
    {
        return references.stream().filter(ref -> ref.get() != null).count();
    }

    /** One census, now (after a GC). */
    static LeakCensus take(final Hypervisor hypervisor)
    {
        System.gc();
        final BufferPoolMXBean direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
            .filter(pool -> pool.getName().equals("direct")).findFirst().orElseThrow();
        final XenStore store = hypervisor.xenStore();
        final ThreadCounts threads = ThreadCounts.now();
        return new LeakCensus(
            hypervisor.freeFrames(),
            hypervisor.dom0().resources().pages().freeFrames(),
            AnonymousMemory.mappedBytes(),
            direct.getCount(),
            direct.getMemoryUsed(),
            hypervisor.domains().size(),
            grantTables(hypervisor),
            eventChannelTables(hypervisor.eventChannelHub()),
            openPorts(hypervisor.dom0().eventChannels()),
            hypervisor.dom0().grantMapper().liveMappings(),
            grantPins(hypervisor),
            nodes(store, "/"),
            nodes(store, "/local/domain/" + Hypervisor.DOM0 + "/backend"),
            children(store, "/local/domain"),
            store.ownedNodeCount(Hypervisor.DOM0),
            watches(store),
            hypervisor.domains().stream().mapToInt(d -> hypervisor.backends().disks(d).size()).sum(),
            hypervisor.domains().stream().mapToInt(d -> hypervisor.backends().vifs(d).size()).sum(),
            bridgePorts(hypervisor),
            countOpenFiles(),
            threads.vcpu,
            threads.blockAgent,
            threads.imageIo,
            threads.netAgent,
            threads.xenstored,
            threads.other);
    }

    /** @return "name: before -> after" for every count that differs, or an empty list. */
    List<String> differencesTo(final LeakCensus after)
    {
        final List<String> differences = new ArrayList<>();
        for (final RecordComponent component : LeakCensus.class.getRecordComponents())
        {
            try
            {
                final Object was = component.getAccessor().invoke(this);
                final Object is = component.getAccessor().invoke(after);
                if (!Objects.equals(was, is))
                {
                    differences.add(component.getName() + ": " + was + " -> " + is);
                }
            }
            catch (final ReflectiveOperationException ex)
            {
                throw new IllegalStateException(ex);
            }
        }
        return differences;
    }

    private static int grantTables(final Hypervisor hypervisor)
    {
        int count = 0;
        for (int domid = 0; domid <= Hypervisor.MAX_DOMID; domid++)
        {
            if (hypervisor.grantTables().lookup(domid) != null)
            {
                count++;
            }
        }
        return count;
    }

    /** Pins (grants mapped or being copied) held on the grant tables of every domain still registered. */
    private static long grantPins(final Hypervisor hypervisor)
    {
        long pins = 0;
        for (final Domain domain : hypervisor.domains())
        {
            pins += domain.grantTable().activePins();
        }
        return pins;
    }

    private static int eventChannelTables(final EventChannelHub hub)
    {
        int count = 0;
        for (int domid = 0; domid < EventChannelHub.MAX_DOMAINS; domid++)
        {
            if (hub.lookup(domid) != null)
            {
                count++;
            }
        }
        return count;
    }

    /** Ports that are not closed: unbound ones waiting for a peer count too, as Xen's lsevtchn lists them. */
    private static int openPorts(final EventChannels channels)
    {
        int count = 0;
        for (int port = 1; port < channels.maxPorts(); port++)
        {
            if (channels.status(port) != EventChannelStatus.CLOSED)
            {
                count++;
            }
        }
        return count;
    }

    /** Nodes in the subtree at {@code path}, itself included; 0 when there is no such node. */
    private static int nodes(final XenStore store, final String path)
    {
        final List<String> children;
        try
        {
            children = store.directory(Hypervisor.DOM0, path);
        }
        catch (final XenStoreException ex)
        {
            return 0;
        }
        int count = 1;
        for (final String child : children)
        {
            count += nodes(store, ("/".equals(path) ? "" : path) + "/" + child);
        }
        return count;
    }

    private static int children(final XenStore store, final String path)
    {
        try
        {
            return store.directory(Hypervisor.DOM0, path).size();
        }
        catch (final XenStoreException ex)
        {
            return 0;
        }
    }

    /** Watches of every domain id, live or not: a dead domain's watch is a leak too. */
    private static int watches(final XenStore store)
    {
        int count = 0;
        for (int domid = 0; domid <= Hypervisor.MAX_DOMID; domid++)
        {
            count += store.watchCount(domid);
        }
        return count;
    }

    private static int bridgePorts(final Hypervisor hypervisor)
    {
        int count = 0;
        for (final String name : hypervisor.backends().bridges().names())
        {
            final Bridge bridge = hypervisor.backends().bridges().get(name);
            count += bridge == null ? 0 : bridge.portCount();
        }
        return count;
    }

    private static long countOpenFiles()
    {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd")))
        {
            return fds.count();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /** Live threads by what runs on them, from their names (see {@link BackendThreading}). */
    private static final class ThreadCounts
    {
        int vcpu;
        int blockAgent;
        int imageIo;
        int netAgent;
        int xenstored;
        int other;

        static ThreadCounts now()
        {
            final ThreadCounts counts = new ThreadCounts();
            for (final Thread thread : Thread.getAllStackTraces().keySet())
            {
                if (!thread.isAlive())
                {
                    continue;
                }
                final String name = thread.getName();
                if (name.startsWith("hvm-vcpu"))
                {
                    counts.vcpu++;
                }
                else if (name.startsWith("blkback-io-"))
                {
                    counts.imageIo++;
                }
                else if (name.startsWith("blkback-"))
                {
                    counts.blockAgent++;
                }
                else if (name.startsWith("netback-"))
                {
                    counts.netAgent++;
                }
                else if (name.equals("dom0-xenstored"))
                {
                    counts.xenstored++;
                }
                else if (!PROCESS_THREADS.contains(name) && !name.startsWith(SCHEDULER_SPARE_PREFIX))
                {
                    counts.other++;
                }
            }
            return counts;
        }
    }
}
