package io.javisor.core.sched;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The credit scheduler on test work (no guest code): waiting vCPUs run only when woken or due and cost
 * nothing meanwhile; busy ones share a worker by weight and within their cap (coarse bounds over a
 * couple of seconds: the exact figures are {@code bench sched}'s); a busy vCPU does not hold up a woken
 * one; the pool's threads go with {@link CreditScheduler#close()}.
 */
class CreditSchedulerTest
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
    void aWaitingVcpuRunsWhenWokenAndNotBefore() throws Exception
    {
        scheduler = new CreditScheduler(SchedulerConfig.defaults().withWorkers(2));
        final WaitingWork work = new WaitingWork();
        final Vcpu vcpu = scheduler.register(1, 0, work);
        Thread.sleep(20);
        assertEquals(0, work.runs(), "registered: not started");
        vcpu.wake();
        awaitTrue(() -> work.runs() == 1, "its first wake starts it");
        Thread.sleep(50);
        assertEquals(1, work.runs(), "it waits until woken");
        assertEquals(VcpuState.BLOCKED, vcpu.view().state());
        vcpu.wake();
        awaitTrue(() -> work.runs() == 2, "woken again");
        assertEquals(2, vcpu.view().wakes());
    }

    @Test
    void aWaitingVcpuRunsAgainAtItsDeadline() throws Exception
    {
        scheduler = new CreditScheduler(SchedulerConfig.defaults().withWorkers(1));
        final WaitingWork work = new WaitingWork();
        final Vcpu vcpu = scheduler.register(1, 0, work);
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(30);
        work.nextDeadline(deadline);
        vcpu.wake();
        awaitTrue(() -> work.runs() == 2, "its deadline woke it");
        assertTrue(work.lastRunNanos() - deadline >= 0, "not before its deadline");
    }

    @Test
    void waitingVcpusCostTheWorkersNothing() throws Exception
    {
        scheduler = new CreditScheduler(SchedulerConfig.defaults().withWorkers(2));
        final List<WaitingWork> works = new ArrayList<>();
        for (int i = 0; i < 100; i++)
        {
            final WaitingWork work = new WaitingWork();
            works.add(work);
            scheduler.register(1 + i, 0, work).wake();
        }
        awaitTrue(() -> works.stream().allMatch(w -> w.runs() == 1), "every vCPU ran once and waits");
        Thread.sleep(1000); // their unused credit outgrows a period and the accounting stops
        final long before = poolCpuNanos();
        Thread.sleep(1000);
        final long used = poolCpuNanos() - before;
        assertTrue(used < TimeUnit.MILLISECONDS.toNanos(20), "the pool used " + used / 1000 + " us of CPU in a second");
        assertTrue(works.stream().allMatch(w -> w.runs() == 1), "nobody ran");
    }

    @Test
    void busyVcpusShareOneWorkerByWeight() throws Exception
    {
        scheduler = new CreditScheduler(SchedulerConfig.defaults().withWorkers(1));
        scheduler.setParams(1, new CreditParams(256, 0));
        scheduler.setParams(2, new CreditParams(512, 0));
        final Vcpu light = start(1, new SpinningWork());
        final Vcpu heavy = start(2, new SpinningWork());
        Thread.sleep(300);
        final long lightBefore = light.runNanos();
        final long heavyBefore = heavy.runNanos();
        Thread.sleep(2000);
        final double ratio = (double)(heavy.runNanos() - heavyBefore) / (light.runNanos() - lightBefore);
        assertTrue(ratio > 1.5 && ratio < 2.6, "weights 512:256 ran " + ratio + ":1");
    }

    @Test
    void aCapHoldsEvenWhenTheWorkerWouldOtherwiseIdle() throws Exception
    {
        scheduler = new CreditScheduler(SchedulerConfig.defaults().withWorkers(1));
        scheduler.setParams(1, new CreditParams(256, 25));
        final Vcpu capped = start(1, new SpinningWork());
        Thread.sleep(300);
        final long before = capped.runNanos();
        final long start = System.nanoTime();
        Thread.sleep(2000);
        final double share = (double)(capped.runNanos() - before) / (System.nanoTime() - start);
        assertTrue(share > 0.15 && share < 0.35, "a cap of 25% ran " + share);
    }

    @Test
    void aWokenVcpuPreemptsABusyOneAfterTheRateLimit() throws Exception
    {
        scheduler = new CreditScheduler(SchedulerConfig.defaults().withWorkers(1));
        start(1, new SpinningWork());
        final WaitingWork waker = new WaitingWork();
        final Vcpu vcpu = start(2, waker);
        awaitTrue(() -> waker.runs() == 1, "it started");
        final long[] waits = new long[51];
        for (int i = 0; i < waits.length; i++)
        {
            Thread.sleep(3); // the spinner has had the worker for more than the rate limit
            final long runs = waker.runs();
            final long woken = System.nanoTime();
            vcpu.wake();
            awaitTrue(() -> waker.runs() == runs + 1, "woken");
            waits[i] = waker.lastRunNanos() - woken;
        }
        Arrays.sort(waits);
        // Boosted, it has the spinner end its run at once; without preemption it would wait out the
        // spinner's 10 ms slice. The bound is five rate limits, for a noisy host.
        assertTrue(waits[waits.length / 2] < TimeUnit.MILLISECONDS.toNanos(5),
            "a wake waited " + waits[waits.length / 2] / 1000 + " us (median) for the worker");
    }

    @Test
    void aVcpuItsCapHoldsBackStillEndsAtOnceWhenToldTo() throws Exception
    {
        scheduler = new CreditScheduler(SchedulerConfig.defaults().withWorkers(1));
        scheduler.setParams(1, new CreditParams(256, 1));
        final SpinningWork work = new SpinningWork();
        final Vcpu vcpu = start(1, work);
        awaitTrue(() -> vcpu.view().state() == VcpuState.CAPPED, "its 1% cap parks it");
        work.finish();
        final long start = System.nanoTime();
        vcpu.wakeForExit();
        awaitTrue(() -> scheduler.vcpus().isEmpty(), "it ran to its end");
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(1), "without waiting for its credit");
    }

    @Test
    void aWorkerBlockedInABlockingSectionLendsItsPlaceToASpareAndTheOtherVcpusRunMeanwhile() throws Exception
    {
        scheduler = new CreditScheduler(SchedulerConfig.defaults().withWorkers(1));
        final SpinningWork spinner = new SpinningWork();
        start(1, spinner);
        final BlockingWork reader = new BlockingWork(true);
        start(2, reader);
        reader.awaitBlocked();
        final long before = spinner.runs();
        Thread.sleep(100);
        assertTrue(spinner.runs() > before, "the spinner ran while the only worker was blocked: " + before + " -> " + spinner.runs());
        assertEquals(1, scheduler.blockingSections());
        assertEquals(1, scheduler.handOffs(), "the section lasted past the hand-off time");
        final Thread spare = scheduler.threads().stream().filter(t -> t.getName().equals("credit-spare-0")).findFirst()
            .orElseThrow(() -> new AssertionError("no spare started: " + scheduler.threads()));

        reader.release();
        awaitTrue(() -> scheduler.vcpus().size() == 1, "the reader's vCPU is done");
        awaitTrue(() -> spare.getState() == Thread.State.WAITING, "the spare stands by once nothing is blocked");
        final long later = spinner.runs();
        awaitTrue(() -> spinner.runs() > later + 2, "the spinner runs on, on the worker");
        assertTrue(spare.getState() == Thread.State.WAITING, "and not on the spare");
        scheduler.close();
        assertFalse(spare.isAlive(), "close stops the spares with the workers");
    }

    @Test
    void shortBlockingSectionsAreNotHandedOffAndStartNoSpare() throws Exception
    {
        scheduler = new CreditScheduler(SchedulerConfig.defaults().withWorkers(1));
        final ShortSectionsWork reads = new ShortSectionsWork(200, 20_000);
        start(1, reads);
        awaitTrue(() -> scheduler.vcpus().isEmpty(), "the 200 short sections ran");
        assertEquals(200, scheduler.blockingSections());
        // A 20 us section is a page-cache read, not a slow disk: handed off only when the host itself takes the
        // worker's thread away for a millisecond in the middle of one (this 2-core host, loaded, does now and then).
        assertTrue(scheduler.handOffs() <= 10, "hand-offs: " + scheduler.handOffs() + " of 200");
        if (scheduler.handOffs() == 0)
        {
            assertTrue(scheduler.threads().stream().noneMatch(t -> t.getName().startsWith("credit-spare-")),
                "no spare started: " + scheduler.threads());
        }
    }

    /** Work whose one run makes {@code count} blocking sections of about {@code nanos} each, then ends. */
    private static final class ShortSectionsWork implements VcpuWork
    {
        private final int count;
        private final long nanos;

        ShortSectionsWork(final int count, final long nanos)
        {
            this.count = count;
            this.nanos = nanos;
        }

        @Override
        public Step run(final long maxNanos)
        {
            for (int i = 0; i < count; i++)
            {
                final io.javisor.memory.blocking.BlockingSection.Compensator blocking =
                    io.javisor.memory.blocking.BlockingSection.begin();
                final long end = System.nanoTime() + nanos;
                while (System.nanoTime() - end < 0)
                {
                    Thread.onSpinWait(); // spinning stands for the wait: a sleep could overshoot past the hand-off time
                }
                io.javisor.memory.blocking.BlockingSection.end(blocking);
            }
            return Step.DONE;
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

    @Test
    void aWorkerBlockedOutsideABlockingSectionHoldsItsPlace() throws Exception
    {
        // What the section is for: the same block, unannounced, stops every vCPU of a one-worker pool.
        scheduler = new CreditScheduler(SchedulerConfig.defaults().withWorkers(1));
        final SpinningWork spinner = new SpinningWork();
        start(1, spinner);
        final BlockingWork reader = new BlockingWork(false);
        start(2, reader);
        reader.awaitBlocked();
        final long before = spinner.runs();
        Thread.sleep(100);
        assertEquals(before, spinner.runs(), "nothing ran while the worker was blocked");
        assertEquals(0, scheduler.blockingSections());
        reader.release();
        awaitTrue(() -> spinner.runs() > before, "the spinner runs once the worker is back");
    }

    @Test
    void closeStopsEveryPoolThread() throws Exception
    {
        final long before = poolThreadsAlive();
        scheduler = new CreditScheduler(SchedulerConfig.defaults().withWorkers(3));
        start(1, new SpinningWork());
        start(2, new WaitingWork());
        assertEquals(before + 4, poolThreadsAlive(), "three workers and the ticker");
        scheduler.close();
        assertEquals(before, poolThreadsAlive());
        assertThrows(IllegalStateException.class, () -> scheduler.register(3, 0, new WaitingWork()));
    }

    @Test
    void theScheduler_sLimitsAreOneLineErrors()
    {
        assertEquals("weight: 0 is out of range (1-65535)",
            assertThrows(IllegalArgumentException.class, () -> new CreditParams(0, 0)).getMessage());
        assertEquals("cap: -1 is out of range (0-65535, percent of one CPU; 0 for none)",
            assertThrows(IllegalArgumentException.class, () -> new CreditParams(256, -1)).getMessage());
        assertEquals("scheduler workers: 0 is out of range (1-4096)",
            assertThrows(IllegalArgumentException.class, () -> SchedulerConfig.defaults().withWorkers(0).validate())
                .getMessage());
        scheduler = new CreditScheduler(SchedulerConfig.defaults().withWorkers(1).withMaxVcpus(2));
        scheduler.register(1, 0, new WaitingWork());
        scheduler.register(2, 0, new WaitingWork());
        assertEquals("the credit scheduler holds its maximum of 2 vCPUs",
            assertThrows(IllegalStateException.class, () -> scheduler.register(3, 0, new WaitingWork())).getMessage());
    }

    private Vcpu start(final int domid, final VcpuWork work)
    {
        final Vcpu vcpu = scheduler.register(domid, 0, work);
        vcpu.wake();
        return vcpu;
    }

    private long poolCpuNanos()
    {
        final ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (final Thread thread : scheduler.threads())
        {
            sum += mx.getThreadCpuTime(thread.threadId());
        }
        return sum;
    }

    private static long poolThreadsAlive()
    {
        return Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.isAlive() && t.getName().startsWith("credit-")).count();
    }

    private static void awaitTrue(final BooleanSupplier condition, final String what) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean())
        {
            assertTrue(System.nanoTime() - deadline < 0, "timed out waiting: " + what);
            Thread.sleep(1);
        }
    }
}
