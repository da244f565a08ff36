package io.javisor.perf.density;

import io.javisor.core.Hypervisor;
import io.javisor.memory.FrameAllocator;
import io.javisor.memory.PageDescriptor;
import io.javisor.ringio.xenstore.XenStore;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;

/**
 * What the host spends on a hypervisor at one moment, beyond guest memory: the Java heap in use
 * after a full collection, direct byte buffers, the machine frames the hypervisor keeps for itself
 * (grant tables, shared-info pages: {@link FrameAllocator#DOMID_XEN}), dom0's pages in use (back-end
 * buffers), and the counts a destroy must bring back: live threads, xenstore nodes, free machine
 * frames.
 *
 * @param heapBytes         heap used after {@link System#gc()}.
 * @param directBytes       memory of the JVM's direct buffer pool.
 * @param hypervisorFrames  machine frames owned by the hypervisor itself.
 * @param dom0PagesInUse    dom0's guest pages handed out (back-end buffers).
 * @param threads           live threads.
 * @param xenstoreNodes     nodes in the store.
 * @param freeMachineFrames machine frames free in the pool.
 */
record HostFootprint(long heapBytes, long directBytes, long hypervisorFrames, long dom0PagesInUse, int threads,
    int xenstoreNodes, long freeMachineFrames)
{
    /**
     * Collects garbage, then takes the figures. Call from the thread that owns the guests, with
     * the hypervisor quiet.
     */
    static HostFootprint measure(final Hypervisor hypervisor)
    {
        final long heap = heapAfterGc();
        final var dom0Pages = hypervisor.dom0().resources().pages();
        return new HostFootprint(
            heap,
            directBufferBytes(),
            hypervisor.frameAllocator().framesOwnedBy(FrameAllocator.DOMID_XEN),
            hypervisor.dom0().memory().frameCount() - dom0Pages.freeFrames(),
            settledThreadCount(),
            nodes(hypervisor.xenStore(), "/"),
            hypervisor.freeFrames());
    }

    /**
     * Host bytes this footprint holds beyond {@code base}: heap, direct buffers, hypervisor frames
     * and dom0 pages.
     */
    long bytesBeyond(final HostFootprint base)
    {
        return heapBytes - base.heapBytes + directBytes - base.directBytes
            + (hypervisorFrames - base.hypervisorFrames + dom0PagesInUse - base.dom0PagesInUse) * PageDescriptor.PAGE_SIZE;
    }

    private static long heapAfterGc()
    {
        final var memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        // Two collections: the first may leave objects whose finalisation or reference processing
        // the second reclaims; take the smaller reading.
        for (int i = 0; i < 2; i++)
        {
            System.gc();
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    private static long directBufferBytes()
    {
        final List<BufferPoolMXBean> pools = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class);
        for (final BufferPoolMXBean pool : pools)
        {
            if ("direct".equals(pool.getName()))
            {
                return pool.getMemoryUsed();
            }
        }
        return 0;
    }

    /** Live threads, once threads that are exiting have had a moment to go. */
    private static int settledThreadCount()
    {
        final var threads = ManagementFactory.getThreadMXBean();
        int count = threads.getThreadCount();
        for (int i = 0; i < 50; i++)
        {
            try
            {
                Thread.sleep(10);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return count;
            }
            final int now = threads.getThreadCount();
            if (now == count)
            {
                return now;
            }
            count = now;
        }
        return count;
    }

    private static int nodes(final XenStore store, final String path)
    {
        int count = 1;
        for (final String child : store.directory(Hypervisor.DOM0, path))
        {
            count += nodes(store, ("/".equals(path) ? "" : path) + "/" + child);
        }
        return count;
    }
}
