package io.javisor.emulation.fuzz;

import io.javisor.emulation.cpu.StopReason;
import io.javisor.memory.testing.Seed;
import io.javisor.memory.testing.Seeded;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The differential fuzzer: random regions on the interpreter (A) and on tier 1 (B, translation
 * threshold 0) must leave identical architectural state, RAM and device state.
 * <p>
 * {@code -Djavisor.fuzz.regions=N} sets how many regions to run ({@link #CI_REGIONS} by default);
 * {@code -Djavisor.seed=N} replays a run (a failure names the seed, the thread, the image and the region);
 * {@code -Djavisor.fuzz.threads=N} splits the regions between N threads (one per processor by default),
 * each with its own generator, seeded from the seed and its index, and its own two machines, so a
 * thread's regions are the same whatever the others do: a replay needs the same seed, thread count and
 * region count; {@code -Djavisor.fuzz.statesPerRegion=N} runs each piece of generated code from N start
 * states ({@link #STATES} by default); {@code -Djavisor.fuzz.threshold=N} gives B another translation
 * threshold; {@code -Djavisor.fuzz.batches=false} has B translate every entry on demand, one class per
 * region (see {@link DifferentialHarness#runImage}).
 * <p>
 * Two generated idioms ask more than the ISA does: stores into code followed by no FENCE.I (30% of
 * the self-modifying items) and PTE edits followed by no SFENCE.VMA (20% of them). The ISA allows
 * stale instructions or translations there; the translator's contract (the interpreter's result,
 * exactly) does not, and the interpreter keeps its decode cache exact and its TLB as it is.
 */
@Seeded
class DifferentialFuzzTest
{
    /**
     * The suite's count. B's translations dominate: a region meets about 20 entries B has not translated,
     * and a translation costs 30 to 60 microseconds here batched (see {@link DifferentialHarness#runImage}),
     * several times that in a class of its own. Shared by {@link #STATES} start states, translations come
     * to 3.5 a region. Measured on this 2-core host, two threads: 1,000,000 regions in 127 to 129 s when
     * the host was otherwise nearly idle (7,800 a second, 190 to 240 s of CPU), 200 to 260 s while other
     * builds ran; before (a class per region, every restored page invalidating its translations, one
     * thread) 700 a second, 50,000 regions in 71 s.
     */
    static final long CI_REGIONS = 1_000_000;
    /**
     * Start states per piece of generated code. Each is a region of its own (registers, paging, budget,
     * cuts and interrupt drawn afresh, the privilege kept); between them 16 meet a sixth of the new entries
     * per region that one meets alone, and a million regions still hold 62,500 pieces of code.
     */
    static final int STATES = 16;

    @Test
    void randomRegionsEndTheSameOnTheInterpreterAndOnTier1(final Seed seed) throws InterruptedException
    {
        final long target = Long.getLong("javisor.fuzz.regions", CI_REGIONS);
        final int states = Integer.getInteger("javisor.fuzz.statesPerRegion", STATES);
        final int threads = Integer.getInteger("javisor.fuzz.threads", Runtime.getRuntime().availableProcessors());
        System.out.println("differential fuzz: " + target + " regions, " + states + " start states per piece of code, " +
            threads + " threads, " + seed);
        final long started = System.nanoTime();
        final long cpuStarted = processCpuNanos();
        final AtomicBoolean failed = new AtomicBoolean();
        final List<Shard> shards = new ArrayList<>();
        final List<Future<?>> done = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(threads))
        {
            for (int i = 0; i < threads; i++)
            {
                final Shard shard = new Shard(i, threads, seed.derive(i), target / threads + (i == 0 ? target % threads : 0),
                    states, failed);
                shards.add(shard);
                done.add(pool.submit(shard));
            }
            for (final Future<?> f : done)
            {
                try
                {
                    f.get();
                }
                catch (final ExecutionException ex)
                {
                    // The first thread to fail (by index) is the one reported; the others stopped early.
                    throw ex.getCause() instanceof AssertionError e ? e : new AssertionError(ex.getCause());
                }
            }
        }
        final double seconds = (System.nanoTime() - started) / 1e9;
        final FuzzCounts counts = new FuzzCounts();
        final long[] coverage = new long[RandomRegionGenerator.Item.values().length];
        long images = 0;
        double threadCpu = 0;
        for (final Shard s : shards)
        {
            counts.add(s.counts);
            Arrays.setAll(coverage, i -> coverage[i] + s.coverage[i]);
            images += s.images;
            threadCpu += s.cpuSeconds;
        }
        System.out.println("differential fuzz: " + images + " images, " + counts.summary(seconds));
        // CPU time as well as wall time: the host's cores are shared.
        System.out.printf("differential fuzz: %.1f s of CPU (compiler and GC threads included), %.1f s on the fuzzing threads%n",
            (processCpuNanos() - cpuStarted) / 1e9, threadCpu);
        final StringBuilder c = new StringBuilder("differential fuzz coverage (items generated):");
        for (final RandomRegionGenerator.Item item : RandomRegionGenerator.Item.values())
        {
            c.append(' ').append(item).append('=').append(coverage[item.ordinal()]);
        }
        System.out.println(c);

        if (target >= 10_000)
        {
            // Not vacuous: every kind of item was generated, and runs end in every way a region can.
            assertTrue(Arrays.stream(coverage).allMatch(n -> n > 0), c::toString);
            assertTrue(counts.stops.getOrDefault(StopReason.WFI, 0L) > target / 10, counts.stops::toString);
            assertTrue(counts.stops.getOrDefault(StopReason.BUDGET_EXHAUSTED, 0L) > target / 20, counts.stops::toString);
            assertTrue(counts.exceptions > target, "exceptions " + counts.exceptions);
            assertTrue(counts.retired > 10 * target, "retired " + counts.retired);
        }
    }

    /**
     * One thread's share of the regions: its own generator and its own {@link DifferentialHarness}, so that
     * what it runs depends only on its seed and its share. Stops early when another thread has failed.
     */
    private static final class Shard implements Runnable
    {
        private final int index;
        private final int of;
        private final long seed;
        private final long regions;
        private final int states;
        private final AtomicBoolean failed;
        FuzzCounts counts;
        long[] coverage;
        long images;
        double cpuSeconds;

        Shard(final int index, final int of, final long seed, final long regions, final int states,
            final AtomicBoolean failed)
        {
            this.index = index;
            this.of = of;
            this.seed = seed;
            this.regions = regions;
            this.states = states;
            this.failed = failed;
        }

        @Override
        public void run()
        {
            final ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
            final long cpuStarted = cpu.getCurrentThreadCpuTime();
            final RandomRegionGenerator generator = new RandomRegionGenerator(seed).statesPerRegion(states);
            try (DifferentialHarness harness = new DifferentialHarness())
            {
                while (harness.counts.regions < regions && !failed.get())
                {
                    final FuzzImage image = generator.nextImage();
                    images++;
                    harness.load(image);
                    harness.runImage((int)Math.min(image.regions.size(), regions - harness.counts.regions), states);
                }
                counts = harness.counts;
            }
            catch (final AssertionError e)
            {
                failed.set(true);
                throw new AssertionError("thread " + index + " of " + of + " (replay with -Djavisor.fuzz.threads=" + of +
                    " and the same region count): " + e.getMessage(), e);
            }
            catch (final RuntimeException | Error e)
            {
                failed.set(true);
                throw e;
            }
            finally
            {
                coverage = generator.coverage();
                cpuSeconds = (cpu.getCurrentThreadCpuTime() - cpuStarted) / 1e9;
            }
        }
    }

    private static long processCpuNanos()
    {
        return ((com.sun.management.OperatingSystemMXBean)ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }
}
