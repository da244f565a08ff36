package io.javisor.core.sched;

import io.javisor.core.Domain;
import io.javisor.core.DomainConfig;
import io.javisor.core.HvmGuest;
import io.javisor.core.Hypervisor;
import io.javisor.core.HypervisorConfig;
import io.javisor.core.hypercall.HypercallStatistics;
import io.javisor.emulation.guests.GuestImages;
import io.javisor.emulation.machine.BootMode;
import io.javisor.emulation.machine.CpuTier;
import io.javisor.emulation.machine.MachineConfig;
import io.javisor.emulation.machine.MachineExit;
import io.javisor.emulation.machine.RecordingConsole;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Guest code on the credit scheduler, through the hypervisor: weights and caps hold between real
 * guests (coarse bounds over two seconds; {@code bench sched} measures them over ten), a hundred guests
 * blocked in {@code sched block} cost the pool nothing, a trap-storming and a spinning guest do not
 * keep a well-behaved guest's PV disk from finishing on a single worker, and the pool outlives its
 * domains but not the hypervisor.
 */
class GuestSchedulingTest
{
    private Hypervisor hypervisor;

    @AfterEach
    void close()
    {
        if (hypervisor != null)
        {
            hypervisor.close();
        }
    }

    @Test
    void spinningGuestsShareOneWorkerByTheirDomainsWeights() throws Exception
    {
        hypervisor = onWorkers(1);
        final Domain light = hypervisor.createDomain(DomainConfig.pv("light", 8));
        final Domain heavy = hypervisor.createDomain(DomainConfig.pv("heavy", 8));
        hypervisor.setCreditParams(light, new CreditParams(256, 0));
        hypervisor.setCreditParams(heavy, new CreditParams(512, 0));
        final HvmGuest lightGuest = SpinningGuest.start(hypervisor, light);
        final HvmGuest heavyGuest = SpinningGuest.start(hypervisor, heavy);
        Thread.sleep(300);
        final long lightBefore = lightGuest.runNanos();
        final long heavyBefore = heavyGuest.runNanos();
        final long lightInsns = lightGuest.instructionsRetired();
        final long heavyInsns = heavyGuest.instructionsRetired();
        Thread.sleep(2000);
        final double ratio = (double)(heavyGuest.runNanos() - heavyBefore) / (lightGuest.runNanos() - lightBefore);
        final double insnRatio = (double)(heavyGuest.instructionsRetired() - heavyInsns) /
            (lightGuest.instructionsRetired() - lightInsns);
        assertTrue(ratio > 1.5 && ratio < 2.6, "weights 512:256 ran " + ratio + ":1 (instructions " + insnRatio + ":1)");
    }

    @Test
    void aCappedGuestGetsItsCapOfAWorkerThatWouldOtherwiseIdle() throws Exception
    {
        hypervisor = onWorkers(1);
        final Domain capped = hypervisor.createDomain(DomainConfig.pv("capped", 8));
        hypervisor.setCreditParams(capped, new CreditParams(256, 25));
        final HvmGuest guest = SpinningGuest.start(hypervisor, capped);
        Thread.sleep(300);
        final long before = guest.runNanos();
        final long start = System.nanoTime();
        Thread.sleep(2000);
        final double share = (double)(guest.runNanos() - before) / (System.nanoTime() - start);
        assertTrue(share > 0.15 && share < 0.35, "a cap of 25% ran " + share);
        assertEquals(new CreditParams(256, 25), hypervisor.creditParams(capped));
    }

    @Test
    void aHundredGuestsBlockedInSchedBlockCostThePoolNothing() throws Exception
    {
        hypervisor = new Hypervisor(HypervisorConfig.defaults().withMachineMemoryMiB(1024));
        final List<RecordingConsole> consoles = new ArrayList<>();
        for (int i = 0; i < 100; i++)
        {
            final Domain domain = hypervisor.createDomain(DomainConfig.pv("blocked-" + i, 8));
            final RecordingConsole console = new RecordingConsole();
            consoles.add(console);
            hypervisor.startPv(domain, new MachineConfig().kernel(GuestImages.load("pv-block")).console(console));
        }
        final String blocking = GuestImages.expectedOutput("pv-block");
        awaitTrue(() -> consoles.stream().allMatch(c -> c.text().equals(blocking)), "every guest blocks");
        Thread.sleep(500); // the accounting lets idle vCPUs go and stops
        assertTrue(hypervisor.vcpus().stream().allMatch(v -> v.state() == VcpuState.BLOCKED), "all blocked");
        final long before = poolCpuNanos();
        Thread.sleep(1000);
        final long used = poolCpuNanos() - before;
        assertTrue(used < TimeUnit.MILLISECONDS.toNanos(30), "the pool used " + used / 1000 + " us of CPU in a second");
        System.out.println("100 guests in sched block: the pool used " + used / 1000 + " us of CPU in a second");
    }

    @Test
    void aTrapStormAndASpinnerDoNotKeepAWellBehavedGuestsDiskFromFinishingOnOneWorker() throws Exception
    {
        hypervisor = onWorkers(1);
        final Domain bystander = hypervisor.createDomain(DomainConfig.pv("bystander", 16));
        hypervisor.backends().attachDisk(bystander, "format=ram, vdev=xvda, target=1M");
        final Domain flooder = hypervisor.createDomain(DomainConfig.pv("flooder", 8));
        final Domain spinner = hypervisor.createDomain(DomainConfig.pv("spinner", 8));
        final HvmGuest flood = hypervisor.startPv(flooder, new MachineConfig().kernel(GuestImages.load("pv-flood"))
            .console(new RecordingConsole()));
        final HvmGuest spin = SpinningGuest.start(hypervisor, spinner);
        final HypercallStatistics calls = flood.hypercallStatistics();
        final long floodBefore = calls.total();
        final long spinBefore = spin.instructionsRetired();

        final RecordingConsole console = new RecordingConsole();
        final long start = System.nanoTime();
        final HvmGuest disk = hypervisor.startPv(bystander, new MachineConfig().kernel(GuestImages.load("pv-disk"))
            .console(console).maxInstructions(2_000_000_000L));
        final MachineExit exit = disk.awaitExit(60, TimeUnit.SECONDS);
        assertNotNull(exit, "pv-disk ended within a minute\n" + console.text());
        assertEquals(MachineExit.Kind.SHUTDOWN, exit.kind(), exit + "\n" + console.text());
        assertEquals(GuestImages.expectedOutput("pv-disk"), console.text());
        final long tookMillis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(calls.total() - floodBefore > 10_000, "the flood went on meanwhile");
        assertTrue(spin.instructionsRetired() > spinBefore, "and the spinner");
        System.out.println("pv-disk beside a trap storm and a spinner on one worker: " + tookMillis + " ms");
    }

    @Test
    void destroyedDomainsLeaveNoThreadsAndThePoolGoesWithTheHypervisor() throws Exception
    {
        hypervisor = onWorkers(2);
        cycle(1); // starts what lives on by design: the pool, dom0's xenstored
        final long before = settledThreadCount();
        for (int round = 0; round < 3; round++)
        {
            cycle(3);
        }
        assertEquals(before, settledThreadCount(), "threads after three rounds of three domains");
        assertEquals(3, poolThreadsAlive(), "two workers and the ticker stay for the next domain");
        hypervisor.close();
        hypervisor = null;
        assertEquals(0, poolThreadsAlive(), "and go with the hypervisor");
    }

    private void cycle(final int domains)
    {
        final List<Domain> started = new ArrayList<>();
        for (int i = 0; i < domains; i++)
        {
            final Domain domain = hypervisor.createDomain(DomainConfig.pv("spinner-" + i, 8));
            // Interpreted: the JIT's compiler thread, started once something is hot, would count as one more.
            SpinningGuest.start(hypervisor, domain, CpuTier.INTERPRETER);
            started.add(domain);
        }
        assertEquals(domains, hypervisor.vcpus().size());
        for (final Domain domain : started)
        {
            assertTrue(hypervisor.destroyDomain(domain.id()));
        }
        assertEquals(0, hypervisor.vcpus().size());
    }

    /**
     * A destroy does not wait for the stopped vCPU's turn: with one worker, 1 s time slices and 20
     * spinning guests, a queued guest's turn is up to 19 s away, so 20 destroys that each waited for
     * one would take minutes; the control plane finishes a vCPU no worker runs on its own thread.
     */
    @Test
    void destroyingBusyGuestsDoesNotWaitForTheirTurnsOnTheWorkers() throws Exception
    {
        hypervisor = new Hypervisor(HypervisorConfig.defaults().withMachineMemoryMiB(512)
            .withScheduler(SchedulerConfig.defaults().withWorkers(1).withTimeSliceNanos(1_000_000_000L)));
        final List<Domain> domains = new ArrayList<>();
        final List<HvmGuest> guests = new ArrayList<>();
        for (int i = 0; i < 20; i++)
        {
            final Domain domain = hypervisor.createDomain(DomainConfig.pv("busy-" + i, 8));
            domains.add(domain);
            guests.add(SpinningGuest.start(hypervisor, domain, CpuTier.INTERPRETER));
        }
        awaitTrue(() -> hypervisor.vcpus().stream().anyMatch(v -> v.runs() > 0), "a guest runs");
        final long start = System.nanoTime();
        for (final Domain domain : domains)
        {
            assertTrue(hypervisor.destroyDomain(domain.id()));
        }
        final long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        System.out.println("destroyed 20 spinning guests queued on one worker with 1 s slices in " + millis + " ms");
        assertTrue(millis < 10_000, "20 destroys took " + millis + " ms: they waited for turns on the worker");
        for (final HvmGuest guest : guests)
        {
            assertEquals(io.javisor.emulation.machine.MachineExit.Kind.STOPPED, guest.exit().kind());
        }
        assertEquals(0, hypervisor.vcpus().size());
    }

    private static long poolThreadsAlive()
    {
        return Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.isAlive() && t.getName().startsWith("credit-")).count();
    }

    @Test
    void withAThreadPerVcpuGuestsRunAndWeightsAreRefused() throws Exception
    {
        hypervisor = new Hypervisor(HypervisorConfig.defaults().withMachineMemoryMiB(256).withThreadPerVcpu());
        final Domain domain = hypervisor.createDomain(DomainConfig.hvm("hello", 16));
        final RecordingConsole console = new RecordingConsole();
        final HvmGuest guest = hypervisor.startHvm(domain, new MachineConfig().bootMode(BootMode.BARE)
            .kernel(GuestImages.load("hello")).console(console));
        assertEquals(MachineExit.Kind.FINISHER, guest.awaitExit(30, TimeUnit.SECONDS).kind());
        assertTrue(hypervisor.vcpus().isEmpty());
        assertEquals("this hypervisor gives each vCPU a thread of its own (no credit scheduler): weights and caps " +
            "need HypervisorConfig.withScheduler", assertThrows(IllegalStateException.class,
            () -> hypervisor.setCreditParams(domain, new CreditParams(512, 0))).getMessage());
    }

    private static Hypervisor onWorkers(final int workers)
    {
        return new Hypervisor(HypervisorConfig.defaults().withMachineMemoryMiB(256)
            .withScheduler(SchedulerConfig.defaults().withWorkers(workers)));
    }

    private long poolCpuNanos()
    {
        final ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (final Thread thread : hypervisor.scheduler().threads())
        {
            sum += mx.getThreadCpuTime(thread.threadId());
        }
        return sum;
    }

    /** Live threads, once threads that are exiting have had a moment to go. */
    private static long settledThreadCount() throws InterruptedException
    {
        long count = Thread.getAllStackTraces().size();
        for (int i = 0; i < 100; i++)
        {
            Thread.sleep(10);
            final long now = Thread.getAllStackTraces().size();
            if (now == count)
            {
                return now;
            }
            count = now;
        }
        return count;
    }

    private static void awaitTrue(final java.util.function.BooleanSupplier condition, final String what)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean())
        {
            assertTrue(System.nanoTime() - deadline < 0, "timed out waiting: " + what);
            Thread.sleep(10);
        }
    }
}
