package io.javisor.core.driver;

import io.javisor.core.Hypervisor;
import io.javisor.ringio.DomainResources;
import io.javisor.ringio.event.EventChannelStatus;
import io.javisor.ringio.event.EventChannels;
import io.javisor.ringio.xenstore.XenStoreException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * What a driver domain holds for the devices it serves, counted from both sides: the device
 * threads of its serving process (a disk's thread is named {@code ddom-vbd-...}; Linux keeps the first
 * 15 characters), and in the hypervisor the grant mappings, the interdomain event channels and the
 * xenstore watches of the driver domain.
 */
record DriverDomainCensus(long diskThreads, int grantMappings, int boundPorts, int watches)
{
    static DriverDomainCensus of(final Hypervisor hypervisor, final DriverDomain driver, final Process process)
    {
        final DomainResources resources = hypervisor.domain(driver.domid()).resources();
        final EventChannels events = resources.eventChannels();
        int bound = 0;
        for (int port = 1; port < events.maxPorts(); port++)
        {
            bound += events.status(port) == EventChannelStatus.INTERDOMAIN ? 1 : 0;
        }
        return new DriverDomainCensus(threadsNamed(process, "ddom-vbd-"), resources.grantMapper().liveMappings(), bound,
            hypervisor.xenStore().watchCount(driver.domid()));
    }

    /**
     * The threads of {@code process} whose name starts with {@code prefix}.
     */
    static long threadsNamed(final Process process, final String prefix)
    {
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(process.pid()), "task")))
        {
            return tasks.filter(task ->
            {
                try
                {
                    return Files.readString(task.resolve("comm")).startsWith(prefix);
                }
                catch (final IOException ex)
                {
                    return false; // the thread ended meanwhile
                }
            }).count();
        }
        catch (final IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    /**
     * Whether xenstore has a node at {@code path}.
     */
    static boolean exists(final Hypervisor hypervisor, final String path)
    {
        try
        {
            hypervisor.xenStore().read(Hypervisor.DOM0, path);
            return true;
        }
        catch (final XenStoreException ex)
        {
            return false;
        }
    }

    /**
     * A census once it equals {@code expected}, or the last one after a few seconds (threads end
     * and mappings go a moment after the confirmations that precede them).
     */
    static DriverDomainCensus settled(final Hypervisor hypervisor, final DriverDomain driver, final Process process,
        final DriverDomainCensus expected) throws InterruptedException
    {
        final long deadline = System.nanoTime() + 5_000_000_000L;
        DriverDomainCensus now = of(hypervisor, driver, process);
        while (!now.equals(expected) && System.nanoTime() < deadline)
        {
            Thread.sleep(10);
            now = of(hypervisor, driver, process);
        }
        return now;
    }
}
