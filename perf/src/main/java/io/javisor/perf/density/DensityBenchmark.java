package io.javisor.perf.density;

import io.javisor.core.BackendThreading;
import io.javisor.core.Hypervisor;
import io.javisor.core.HypervisorConfig;
import io.javisor.memory.PageDescriptor;
import io.javisor.perf.HarnessBenchmark;
import io.javisor.perf.report.BenchReport;

import java.io.PrintWriter;
import java.util.concurrent.TimeUnit;

/**
 * {@code javisor bench density}: how many light Java guests one JVM holds, and what each costs. In
 * one hypervisor with SHARED back-end threading (one block agent and one network agent for every
 * device), N light guests are created one after the other — each a 1 MiB PV domain with a RAM disk
 * and a vif, both Java front ends connected over xenbus — then all of them at once run a small
 * closed loop of 4 KiB reads and frames to a partner, then they are destroyed one after the other.
 * <p>
 * Reported: create time per guest (p50/p99/max, and each step of it) and destroy time, from
 * HdrHistograms of every guest; host memory per guest beyond its guest memory (heap after a full
 * collection, direct buffers, hypervisor frames and dom0 pages, with every guest connected, over
 * the same before the first was created, divided by N); aggregate reads/s and frames/s; and what
 * is left after the destroys (threads, xenstore nodes, machine frames, domains not gone). A
 * warm-up fleet is created, driven and destroyed first, unrecorded, so that the figures are of
 * compiled code.
 */
public final class DensityBenchmark implements HarnessBenchmark
{
    public static final String NAME = "density";
    private static final long SEED = 0x3C6EF372FE94F82BL;
    private static final int DOM0_MEMORY_MIB = 16;
    private static final int SPARE_MIB = 64;

    /**
     * @param domains         guests in the measured fleet (2..{@link #MAX_DOMAINS})
     * @param readsPerDomain  4 KiB reads each guest does in the IO phase
     * @param framesPerDomain frames each guest sends in the IO phase
     * @param warmupDomains   guests of the unrecorded warm-up fleet (0, or 2..domains)
     */
    public record Config(int domains, int readsPerDomain, int framesPerDomain, int warmupDomains)
    {
        public static final int DEFAULT_DOMAINS = 1_000;
        public static final int DEFAULT_READS = 4;
        public static final int DEFAULT_FRAMES = 4;
        public static final int DEFAULT_WARMUP = 200;
        /** Domain ids run out at 32,751; the rest of the machine long before. */
        public static final int MAX_DOMAINS = 30_000;

        public Config
        {
            if (domains < 2 || domains > MAX_DOMAINS)
            {
                throw new IllegalArgumentException("domains must be 2.." + MAX_DOMAINS + ", got " + domains);
            }
            if (readsPerDomain < 0 || readsPerDomain > 1_000_000)
            {
                throw new IllegalArgumentException("reads per domain must be 0..1000000, got " + readsPerDomain);
            }
            if (framesPerDomain < 0 || framesPerDomain > 1_000_000)
            {
                throw new IllegalArgumentException("frames per domain must be 0..1000000, got " + framesPerDomain);
            }
            if (warmupDomains != 0 && (warmupDomains < 2 || warmupDomains > domains))
            {
                throw new IllegalArgumentException("warm-up domains must be 0 or 2.." + domains + ", got " + warmupDomains);
            }
        }

        public static Config defaults()
        {
            return new Config(DEFAULT_DOMAINS, DEFAULT_READS, DEFAULT_FRAMES, DEFAULT_WARMUP);
        }
    }

    private final Config config;

    public DensityBenchmark(final Config config)
    {
        this.config = config;
    }

    @Override
    public String name()
    {
        return NAME;
    }

    @Override
    public String description()
    {
        return "light Java guests in one JVM: create/destroy time, host memory per domain, aggregate IO";
    }

    @Override
    public BenchReport runAndPrint(final PrintWriter out)
    {
        final DensityResult result = run(out);
        result.print(out);
        return result.toReport();
    }

    /**
     * Runs the warm-up fleet, then the measured one.
     *
     * @param progress gets one line per phase.
     */
    public DensityResult run(final PrintWriter progress)
    {
        try (Hypervisor hypervisor = new Hypervisor(HypervisorConfig.defaults()
            .withMachineMemoryMiB(machineMemoryMiB(config.domains()))
            .withDom0MemoryMiB(DOM0_MEMORY_MIB)
            .withDom0EventChannels(dom0EventChannels(config.domains()))
            .withBackendThreading(BackendThreading.SHARED)))
        {
            if (config.warmupDomains() > 0)
            {
                final long start = System.nanoTime();
                final GuestFleet warmup = new GuestFleet(hypervisor, config.warmupDomains());
                try
                {
                    createAll(warmup);
                    warmup.readAll(config.readsPerDomain(), SEED);
                    warmup.sendAll(config.framesPerDomain());
                }
                finally
                {
                    warmup.destroyAll();
                }
                awaitGone(warmup);
                progress.printf("warm-up: %,d guests created, driven and destroyed in %.1f s%n", config.warmupDomains(),
                    (System.nanoTime() - start) / 1e9);
                progress.flush();
            }
            return measure(hypervisor, progress);
        }
    }

    private DensityResult measure(final Hypervisor hypervisor, final PrintWriter progress)
    {
        final HostFootprint before = HostFootprint.measure(hypervisor);
        final GuestFleet fleet = new GuestFleet(hypervisor, config.domains());
        final GuestFleet.Throughput reads;
        final GuestFleet.Throughput frames;
        final HostFootprint loaded;
        final GcActivity createGc;
        GcActivity destroyGc = null;
        try
        {
            final long start = System.nanoTime();
            final GcActivity gcBefore = GcActivity.now();
            createAll(fleet);
            createGc = GcActivity.now().since(gcBefore);
            progress.printf("created %,d guests in %.1f s%n", fleet.created(), (System.nanoTime() - start) / 1e9);
            progress.flush();
            reads = fleet.readAll(config.readsPerDomain(), SEED);
            frames = fleet.sendAll(config.framesPerDomain());
            loaded = HostFootprint.measure(hypervisor);
        }
        finally
        {
            final long start = System.nanoTime();
            final GcActivity gcBefore = GcActivity.now();
            fleet.destroyAll();
            destroyGc = GcActivity.now().since(gcBefore);
            progress.printf("destroyed %,d guests in %.1f s%n", fleet.created(), (System.nanoTime() - start) / 1e9);
            progress.flush();
        }
        final int notGone = awaitGone(fleet);
        final HostFootprint after = HostFootprint.measure(hypervisor);
        return new DensityResult(config, DensityResult.Steps.of(fleet), DensityResult.Summary.of(fleet.destroy),
            DensityResult.Memory.of(before, loaded, fleet.created()), reads, frames,
            DensityResult.Leftovers.of(before, after, notGone), createGc, destroyGc);
    }

    private static void createAll(final GuestFleet fleet)
    {
        for (int i = 0; i < fleet.count(); i++)
        {
            fleet.createNext();
        }
    }

    private static int awaitGone(final GuestFleet fleet)
    {
        try
        {
            return fleet.awaitGone(TimeUnit.SECONDS.toNanos(10));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for destroyed domains to go", ex);
        }
    }

    /** dom0's ports: one per disk and vif of every guest, and room for its own. */
    static int dom0EventChannels(final int domains)
    {
        return 2 * domains + 64;
    }

    /** Machine memory for {@code domains} light guests: their memory, grant tables, shared-info pages, and dom0. */
    static int machineMemoryMiB(final int domains)
    {
        final long framesPerGuest = (long)GuestFleet.GUEST_MEMORY_MIB * (1 << 20) / PageDescriptor.PAGE_SIZE
            + GuestFleet.GUEST_GRANT_FRAMES + 1;
        final long bytes = domains * framesPerGuest * PageDescriptor.PAGE_SIZE;
        return (int)((bytes + (1 << 20) - 1) >> 20) + DOM0_MEMORY_MIB + SPARE_MIB;
    }
}
