package io.javisor.perf.density;

import io.javisor.perf.report.BenchReport;
import org.HdrHistogram.Histogram;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * The figures of one density run: create and destroy time per guest (HdrHistogram percentiles, each
 * create step too), host memory per guest beyond its guest memory, aggregate IO throughput, and
 * what was left after every guest was destroyed, relative to before the first was created.
 */
record DensityResult(
    DensityBenchmark.Config config,
    Steps create,
    Summary destroy,
    Memory memory,
    GuestFleet.Throughput reads,
    GuestFleet.Throughput frames,
    Leftovers leftovers,
    GcActivity createGc,
    GcActivity destroyGc)
{
    /** Microsecond percentiles of a histogram of nanoseconds. */
    record Summary(long count, double p50, double p99, double max)
    {
        static Summary of(final Histogram nanos)
        {
            return new Summary(nanos.getTotalCount(), micros(nanos.getValueAtPercentile(50)),
                micros(nanos.getValueAtPercentile(99)), micros(nanos.getMaxValue()));
        }

        private static double micros(final long nanos)
        {
            return Math.round(nanos / 100.0) / 10.0;
        }
    }

    /** The whole create, and its steps. */
    record Steps(Summary whole, Summary domain, Summary attachDisk, Summary attachVif, Summary connectDisk,
        Summary connectNic)
    {
        static Steps of(final GuestFleet fleet)
        {
            return new Steps(Summary.of(fleet.create), Summary.of(fleet.createDomain), Summary.of(fleet.attachDisk),
                Summary.of(fleet.attachVif), Summary.of(fleet.connectDisk), Summary.of(fleet.connectNic));
        }
    }

    /**
     * Host bytes per guest beyond its guest memory, with all guests connected, over the footprint
     * before the first was created, and where they are.
     */
    record Memory(long perDomain, long heapPerDomain, long directPerDomain, long framesPerDomain, int threadsAdded)
    {
        static Memory of(final HostFootprint before, final HostFootprint loaded, final int domains)
        {
            final long frames = (loaded.hypervisorFrames() - before.hypervisorFrames()
                + loaded.dom0PagesInUse() - before.dom0PagesInUse()) * io.javisor.memory.PageDescriptor.PAGE_SIZE;
            return new Memory(loaded.bytesBeyond(before) / domains, (loaded.heapBytes() - before.heapBytes()) / domains,
                (loaded.directBytes() - before.directBytes()) / domains, frames / domains,
                loaded.threads() - before.threads());
        }
    }

    /** After destroying every guest, against before creating the first. */
    record Leftovers(int threads, int xenstoreNodes, long machineFrames, long dom0Pages, int domainsNotGone)
    {
        static Leftovers of(final HostFootprint before, final HostFootprint after, final int notGone)
        {
            return new Leftovers(after.threads() - before.threads(), after.xenstoreNodes() - before.xenstoreNodes(),
                before.freeMachineFrames() - after.freeMachineFrames(), after.dom0PagesInUse() - before.dom0PagesInUse(),
                notGone);
        }
    }

    BenchReport toReport()
    {
        final BenchReport report = new BenchReport(DensityBenchmark.NAME);
        report.metric("domains", create.whole().count());
        report.metric("create_p50_us", create.whole().p50());
        report.metric("create_p99_us", create.whole().p99());
        report.metric("create_max_us", create.whole().max());
        report.metric("create_domain_p50_us", create.domain().p50());
        report.metric("attach_disk_p50_us", create.attachDisk().p50());
        report.metric("attach_vif_p50_us", create.attachVif().p50());
        report.metric("connect_disk_p50_us", create.connectDisk().p50());
        report.metric("connect_nic_p50_us", create.connectNic().p50());
        report.metric("host_bytes_per_domain", memory.perDomain());
        report.metric("heap_bytes_per_domain", memory.heapPerDomain());
        report.metric("direct_bytes_per_domain", memory.directPerDomain());
        report.metric("frame_bytes_per_domain", memory.framesPerDomain());
        report.metric("threads_added", memory.threadsAdded());
        report.metric("reads", reads.operations());
        report.metric("read_errors", reads.errors());
        report.metric("aggregate_iops", Math.round(reads.perSecond()));
        report.metric("frames", frames.operations());
        report.metric("frame_drops", frames.errors());
        report.metric("aggregate_frames_per_s", Math.round(frames.perSecond()));
        report.metric("destroy_p50_us", destroy.p50());
        report.metric("destroy_p99_us", destroy.p99());
        report.metric("destroy_max_us", destroy.max());
        report.metric("destroyed", destroy.count());
        report.metric("gc_collections_during_create", createGc.collections());
        report.metric("gc_ms_during_create", createGc.millis());
        report.metric("gc_collections_during_destroy", destroyGc.collections());
        report.metric("gc_ms_during_destroy", destroyGc.millis());
        report.metric("leftover_threads", leftovers.threads());
        report.metric("leftover_xenstore_nodes", leftovers.xenstoreNodes());
        report.metric("leftover_machine_frames", leftovers.machineFrames());
        report.metric("leftover_dom0_pages", leftovers.dom0Pages());
        report.metric("domains_not_gone", leftovers.domainsNotGone());
        report.environment("guest", "java pv, " + GuestFleet.GUEST_MEMORY_MIB + " MiB, " + GuestFleet.GUEST_GRANT_FRAMES
            + " grant frame, " + GuestFleet.GUEST_EVENT_CHANNELS + " event channels");
        report.environment("disk", "format=ram, vdev=xvda, target=" + GuestFleet.DISK_TARGET + " (BlkFront QD1, 1 segment)");
        report.environment("vif", GuestFleet.GUESTS_PER_BRIDGE + " per bridge, " + GuestFleet.NIC_BUFFERS + " tx + "
            + GuestFleet.NIC_BUFFERS + " rx buffers");
        report.environment("backend_threading", "SHARED");
        report.environment("reads_per_domain", config.readsPerDomain());
        report.environment("frames_per_domain", config.framesPerDomain());
        report.environment("warmup_domains", config.warmupDomains());
        return report;
    }

    void print(final PrintWriter out)
    {
        out.printf(Locale.ROOT, "%,d light Java guests (PV, %d MiB, RAM disk xvda %s, vif on a bridge of up to %,d), SHARED back ends%n",
            create.whole().count(), GuestFleet.GUEST_MEMORY_MIB, GuestFleet.DISK_TARGET, GuestFleet.GUESTS_PER_BRIDGE);
        out.printf(Locale.ROOT, "%-36s %10s %10s %10s%n", "time per domain, us", "p50", "p99", "max");
        row(out, "create (all steps)", create.whole());
        row(out, "  domain (createDomain, unpause)", create.domain());
        row(out, "  attach disk (toolstack)", create.attachDisk());
        row(out, "  attach vif (toolstack)", create.attachVif());
        row(out, "  connect BlkFront (xenbus)", create.connectDisk());
        row(out, "  connect NetFront (xenbus)", create.connectNic());
        row(out, "destroy", destroy);
        out.printf(Locale.ROOT, "garbage collection while creating: %d collections, %d ms; while destroying: %d, %d ms%n",
            createGc.collections(), createGc.millis(), destroyGc.collections(), destroyGc.millis());
        out.printf(Locale.ROOT, "host memory per domain beyond guest memory: %,d B (heap %,d B, direct buffers %,d B, "
            + "hypervisor frames and dom0 pages %,d B); threads added %d%n", memory.perDomain(), memory.heapPerDomain(),
            memory.directPerDomain(), memory.framesPerDomain(), memory.threadsAdded());
        out.printf(Locale.ROOT, "IO, every domain at once: %,d 4 KiB reads in %.1f ms = %,.0f reads/s (%d errors); "
            + "%,d frames of %d B in %.1f ms = %,.0f frames/s (%d dropped)%n",
            reads.operations(), reads.elapsedNanos() / 1e6, reads.perSecond(), reads.errors(),
            frames.operations(), GuestFleet.FRAME_LENGTH, frames.elapsedNanos() / 1e6, frames.perSecond(), frames.errors());
        out.printf(Locale.ROOT, "after destroying all: threads %+d, xenstore nodes %+d, machine frames in use %+d, "
            + "dom0 pages in use %+d, domains not gone %d%n", leftovers.threads(), leftovers.xenstoreNodes(),
            leftovers.machineFrames(), leftovers.dom0Pages(), leftovers.domainsNotGone());
        out.flush();
    }

    private static void row(final PrintWriter out, final String name, final Summary summary)
    {
        out.printf(Locale.ROOT, "%-36s %10.1f %10.1f %10.1f%n", name, summary.p50(), summary.p99(), summary.max());
    }
}
