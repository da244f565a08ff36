package io.javisor.core;

import io.javisor.core.hypercall.HypercallStatistics;
import io.javisor.emulation.guests.GuestImages;
import io.javisor.emulation.machine.MachineConfig;
import io.javisor.emulation.machine.MachineExit;
import io.javisor.emulation.machine.RecordingConsole;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile PV guests in guest code next to a well-behaved one: a guest blocked forever costs no CPU
 * and goes promptly when destroyed; a guest that floods event channels (dom0's xenstored among them)
 * and grant copies does not stop another domain's PV disk (pv-disk, through xenstore, blkback and
 * its own events) from completing; afterwards every frame is back in the pool.
 */
class HostilePvGuestsTest
{
    private final Hypervisor hypervisor = new Hypervisor(HypervisorConfig.defaults().withMachineMemoryMiB(256));

    @AfterEach
    void close()
    {
        hypervisor.close();
    }

    @Test
    void aGuestBlockedForeverCostsNoCpuAndGoesPromptlyWhenDestroyed() throws Exception
    {
        final long freeBefore = hypervisor.freeFrames();
        final Domain bystander = bystander();
        final Domain blocked = hypervisor.createDomain(DomainConfig.pv("blocked", 8));
        final RecordingConsole console = new RecordingConsole();
        final HvmGuest vcpu = hypervisor.startPv(blocked, new MachineConfig().kernel(GuestImages.load("pv-block")).console(console));
        awaitOutput(console, GuestImages.expectedOutput("pv-block"));

        final long cpuBefore = vcpu.runNanos();
        runPvDisk(bystander);
        Thread.sleep(500);
        final long cpuUsed = vcpu.runNanos() - cpuBefore;
        assertTrue(cpuUsed < TimeUnit.MILLISECONDS.toNanos(100),
            "the blocked vCPU used " + cpuUsed / 1000 + " us of CPU while another domain did its IO");
        assertTrue(vcpu.hypercallStatistics().blocks() >= 1);
        assertEquals(null, vcpu.exit(), "it still blocks");

        final long start = System.nanoTime();
        assertTrue(hypervisor.destroyDomain(blocked.id()));
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(2), "destroyed promptly");
        assertEquals(DomainState.GONE, blocked.state());
        assertTrue(hypervisor.destroyDomain(bystander.id()));
        assertEquals(freeBefore, hypervisor.freeFrames(), "every frame came back");
    }

    @Test
    void aFloodingGuestDoesNotHoldUpAnotherDomainsPvDisk() throws Exception
    {
        final long freeBefore = hypervisor.freeFrames();
        final Domain bystander = bystander();
        final Domain flooder = hypervisor.createDomain(DomainConfig.pv("flooder", 8));
        final RecordingConsole console = new RecordingConsole();
        final HvmGuest vcpu = hypervisor.startPv(flooder, new MachineConfig().kernel(GuestImages.load("pv-flood")).console(console));
        awaitOutput(console, GuestImages.expectedOutput("pv-flood"));
        final HypercallStatistics calls = vcpu.hypercallStatistics();
        final long before = calls.total();

        runPvDisk(bystander);
        assertTrue(calls.total() - before > 10_000, "the flood went on meanwhile: " + (calls.total() - before) + " hypercalls");
        assertEquals(null, vcpu.exit(), "and goes on");
        assertTrue(hypervisor.destroyDomain(flooder.id()));
        assertTrue(hypervisor.destroyDomain(bystander.id()));
        assertEquals(freeBefore, hypervisor.freeFrames(), "every frame came back");
    }

    /** The well-behaved domain, created first so that it is domain 1 (pv-disk prints its back-end path). */
    private Domain bystander()
    {
        final Domain domain = hypervisor.createDomain(DomainConfig.pv("bystander", 16));
        hypervisor.backends().attachDisk(domain, "format=ram, vdev=xvda, target=1M");
        assertEquals(1, domain.id());
        return domain;
    }

    private void runPvDisk(final Domain domain) throws Exception
    {
        final RecordingConsole console = new RecordingConsole();
        final HvmGuest vcpu = hypervisor.startPv(domain, new MachineConfig().kernel(GuestImages.load("pv-disk"))
            .console(console).maxInstructions(2_000_000_000L));
        final MachineExit exit = vcpu.awaitExit(60, TimeUnit.SECONDS);
        assertNotNull(exit, "pv-disk ended within a minute\n" + console.text());
        assertEquals(MachineExit.Kind.SHUTDOWN, exit.kind(), exit + "\n" + console.text());
        assertEquals(GuestImages.expectedOutput("pv-disk"), console.text());
    }

    private static void awaitOutput(final RecordingConsole console, final String text) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!console.text().equals(text))
        {
            assertTrue(System.nanoTime() < deadline, "expected '" + text + "', got '" + console.text() + "'");
            Thread.sleep(10);
        }
    }
}
