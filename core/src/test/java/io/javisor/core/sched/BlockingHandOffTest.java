package io.javisor.core.sched;

import io.javisor.memory.blocking.BlockingSection;
import io.javisor.memory.testing.Seed;
import io.javisor.memory.testing.Seeded;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hand-off of blocked workers under real threads: workers enter and leave blocking sections of
 * random lengths on both sides of the hand-off time while the ticker hands them off, spares start,
 * run and stand by again; when every section is over the count of handed-off workers is back at zero
 * (no section's end and the ticker's mark crossed so as to lose or double one), every vCPU finished,
 * and the spares are standing by.
 */
@Seeded
class BlockingHandOffTest
{
    private CreditScheduler scheduler;

    @AfterEach
    void close()
    {
        if (scheduler != null)
        {
            scheduler.close();
        }
    }

    @Test
    void sectionsEndingAsTheTickerHandsThemOffLeaveTheCountsExact(final Seed seed) throws Exception
    {
        scheduler = new CreditScheduler(SchedulerConfig.defaults().withWorkers(2));
        final int vcpus = 6;
        final AtomicInteger finished = new AtomicInteger();
        final AtomicInteger lowest = new AtomicInteger();
        for (int i = 0; i < vcpus; i++)
        {
            final SplittableRandom random = new SplittableRandom(seed.derive(i));
            final Vcpu vcpu = scheduler.register(1 + i, 0, new SectionsWork(random, 150, finished, lowest));
            vcpu.wake();
        }
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (finished.get() < vcpus)
        {
            assertTrue(System.nanoTime() - deadline < 0, "only " + finished.get() + " of " + vcpus + " vCPUs finished");
            Thread.sleep(5);
        }
        assertEquals(0, scheduler.blocked(), "handed-off workers once every section is over");
        assertTrue(lowest.get() >= 0, "the count never went below zero: " + lowest.get());
        assertEquals(vcpus * 150L, scheduler.blockingSections());
        assertTrue(scheduler.handOffs() > 0, "some of the 1-2 ms sections were handed off");
        System.out.println("blocking hand-off: " + scheduler.blockingSections() + " sections, " + scheduler.handOffs() +
            " handed off, " + scheduler.threads().stream().filter(t -> t.getName().startsWith("credit-spare-")).count() +
            " spares started, " + seed);
        final long standBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (scheduler.threads().stream().anyMatch(t -> t.getName().startsWith("credit-spare-") &&
            t.getState() != Thread.State.WAITING))
        {
            assertTrue(System.nanoTime() - standBy < 0, "the spares stand by once nothing is blocked");
            Thread.sleep(1);
        }
    }

    /**
     * Work that runs {@code sections} blocking sections of 0.2 to 2 ms (sleeps: a slow disk), a few per
     * run, and records the lowest count of handed-off workers it saw.
     */
    private final class SectionsWork implements VcpuWork
    {
        private final SplittableRandom random;
        private final AtomicInteger finished;
        private final AtomicInteger lowest;
        private int left;

        SectionsWork(final SplittableRandom random, final int sections, final AtomicInteger finished, final AtomicInteger lowest)
        {
            this.random = random;
            this.left = sections;
            this.finished = finished;
            this.lowest = lowest;
        }

        @Override
        public Step run(final long maxNanos)
        {
            for (int i = random.nextInt(1, 4); i > 0 && left > 0; i--, left--)
            {
                final BlockingSection.Compensator blocking = BlockingSection.begin();
                try
                {
                    TimeUnit.MICROSECONDS.sleep(random.nextInt(200, 2_000));
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
                finally
                {
                    BlockingSection.end(blocking);
                }
                lowest.accumulateAndGet(scheduler.blocked(), Math::min);
            }
            if (left == 0)
            {
                finished.incrementAndGet();
                return Step.DONE;
            }
            return Step.RUNNABLE;
        }

        @Override
        public long wakeDeadline()
        {
            return NO_DEADLINE;
        }

        @Override
        public void preempt()
        {
        }
    }
}
