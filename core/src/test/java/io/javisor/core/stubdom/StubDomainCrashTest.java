package io.javisor.core.stubdom;

import io.javisor.core.ProcessCensus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.javisor.core.DomainState;
import io.javisor.core.Hypervisor;
import io.javisor.core.HypervisorConfig;
import io.javisor.emulation.guests.GuestImages;
import io.javisor.emulation.machine.MachineExit;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import io.javisor.emulation.device.remote.StubChannelKind;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stub domain's death crashes its own guest, with the reason recorded, and nothing else: a guest
 * whose disk is served by another stub domain finishes its work, dom0 runs on, and the dead stub's
 * guest is destroyed leaving nothing behind.
 */
@Timeout(180)
class StubDomainCrashTest
{
    @TempDir
    Path dir;

    @Test
    void killingAStubDomainCrashesItsGuestOnlyAndAnotherGuestFinishesItsWork() throws Exception
    {
        try (Hypervisor hypervisor = new Hypervisor(HypervisorConfig.defaults().withMachineMemoryMiB(128)))
        {
            final ProcessCensus before = warmedUpCensus(hypervisor);
            final StubGuests.Started victim = StubGuests.diskReader(hypervisor, "victim", StubGuests.image(dir, "victim.img"),
                true, 50_000);
            victim.awaitLine("disk-io: start");
            final List<ProcessHandle> victimStub = StubGuests.stubProcesses();
            assertEquals(1, victimStub.size(), "the victim's stub domain");
            final StubGuests.Started bystander = StubGuests.ataDisk(hypervisor, "bystander", StubGuests.image(dir, "bystander.img"), true);

            assertTrue(victimStub.get(0).destroyForcibly(), "kill -9 of the victim's stub domain");

            StubGuests.assertCrashedByItsStubsKill(victim);

            final MachineExit finished = bystander.guest().awaitExit(1, TimeUnit.MINUTES);
            assertNotNull(finished, "the bystander finished");
            assertEquals(0, finished.exitCode(), finished + "\n" + bystander.console().text());
            assertEquals(GuestImages.expectedOutput("ata-disk"), bystander.console().text());
            assertEquals(DomainState.SHUTDOWN, bystander.domain().state());
            assertEquals(DomainState.RUNNING, hypervisor.dom0().state(), "dom0 runs on");

            assertTrue(hypervisor.destroyDomain(victim.domain().id()));
            assertTrue(hypervisor.destroyDomain(bystander.domain().id()));
            assertEquals(List.of(), StubGuests.stubProcesses(), "no stub domain outlives its guest");
            StubGuests.CENSUS.settledEqualTo(before).assertSameAs(before);
        }
    }

    @ParameterizedTest
    @EnumSource(StubChannelKind.class)
    void aStubDomainThatNeverAnswersHoldsOnlyItsGuestAndDestroyStillEndsIt(final StubChannelKind kind) throws Exception
    {
        try (Hypervisor hypervisor = new Hypervisor(HypervisorConfig.defaults().withMachineMemoryMiB(128)))
        {
            final ProcessCensus before = warmedUpCensus(hypervisor);
            final var domain = hypervisor.createDomain(io.javisor.core.DomainConfig.hvm("stuck", StubGuests.DOMAIN_MIB));
            try (StubDomain hung = StubDomain.start("stuck", List.of(io.javisor.emulation.device.remote.RemoteDeviceSpec.ata(
                "format=ram, vdev=hda, access=rw, target=1M")), kind, HungStubMain.class.getName()))
            {
                final var guest = hypervisor.startHvm(domain, new io.javisor.emulation.machine.MachineConfig()
                    .kernel(GuestImages.load("ata-disk")).bootMode(io.javisor.emulation.machine.BootMode.BARE)
                    .console(new io.javisor.emulation.machine.RecordingConsole()).remoteDeviceModels(hung.models()));
                assertEquals(null, guest.awaitExit(300, TimeUnit.MILLISECONDS), "the guest waits on its stub");
                assertEquals(DomainState.RUNNING, hypervisor.dom0().state(), "dom0 runs on");

                final long start = System.nanoTime();
                assertTrue(hypervisor.destroyDomain(domain.id()));
                assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10), "the destroy did not wait on the stub");
                assertEquals(DomainState.GONE, awaitGone(domain));
            }
            StubGuests.CENSUS.settledEqualTo(before).assertSameAs(before);
        }
    }

    @Test
    void aStubDomainThatLeavesAnAccessUnansweredPastItsTimeoutIsKilledAndItsGuestCrashes() throws Exception
    {
        try (Hypervisor hypervisor = new Hypervisor(HypervisorConfig.defaults().withMachineMemoryMiB(128)))
        {
            final var domain = hypervisor.createDomain(io.javisor.core.DomainConfig.hvm("slow", StubGuests.DOMAIN_MIB));
            try (StubDomain hung = StubDomain.start("slow", List.of(io.javisor.emulation.device.remote.RemoteDeviceSpec.ata(
                "format=ram, vdev=hda, access=rw, target=1M")), StubChannelKind.SOCKET, HungStubMain.class.getName(), 300))
            {
                final var guest = hypervisor.startHvm(domain, new io.javisor.emulation.machine.MachineConfig()
                    .kernel(GuestImages.load("ata-disk")).bootMode(io.javisor.emulation.machine.BootMode.BARE)
                    .console(new io.javisor.emulation.machine.RecordingConsole()).remoteDeviceModels(hung.models()));
                final MachineExit crashed = guest.awaitExit(30, TimeUnit.SECONDS);
                assertNotNull(crashed, "the watchdog released the vCPU");
                assertEquals(DomainState.CRASHED, domain.state());
                assertTrue(domain.crashReason().endsWith("stub domain of slow did not answer a register access within 300 ms " +
                    "and was disconnected"), domain.crashReason());
                assertNotNull(hung.process().onExit().get(10, TimeUnit.SECONDS), "the stub was killed");
            }
            assertTrue(hypervisor.destroyDomain(domain.id()));
        }
    }

    private static DomainState awaitGone(final io.javisor.core.Domain domain) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (domain.state() != DomainState.GONE && System.nanoTime() < deadline)
        {
            Thread.sleep(5);
        }
        return domain.state();
    }

    /** A census once a stub domain guest has run and been destroyed (the lazily started threads are up). */
    private ProcessCensus warmedUpCensus(final Hypervisor hypervisor) throws Exception
    {
        final StubGuests.Started warmUp = StubGuests.ataDisk(hypervisor, "warm-up", StubGuests.image(dir, "warm-up.img"), true);
        assertEquals(0, warmUp.guest().awaitExit(1, TimeUnit.MINUTES).exitCode());
        assertTrue(hypervisor.destroyDomain(warmUp.domain().id()));
        return StubGuests.CENSUS.take();
    }

    @ParameterizedTest
    @EnumSource(StubChannelKind.class)
    void aStubDomainAnsweringGarbageIsKilledAndOnlyItsGuestCrashes(final StubChannelKind kind) throws Exception
    {
        try (Hypervisor hypervisor = new Hypervisor(HypervisorConfig.defaults().withMachineMemoryMiB(128)))
        {
            final var domain = hypervisor.createDomain(io.javisor.core.DomainConfig.hvm("fooled", StubGuests.DOMAIN_MIB));
            final StubDomain garbage = StubDomain.start("fooled", List.of(io.javisor.emulation.device.remote.RemoteDeviceSpec.ata(
                "format=ram, vdev=hda, access=rw, target=1M")), kind, GarbageStubMain.class.getName());
            try (garbage)
            {
                final var console = new io.javisor.emulation.machine.RecordingConsole();
                final var guest = hypervisor.startHvm(domain, new io.javisor.emulation.machine.MachineConfig()
                    .kernel(GuestImages.load("ata-disk")).bootMode(io.javisor.emulation.machine.BootMode.BARE).console(console)
                    .remoteDeviceModels(garbage.models()));
                final MachineExit crashed = guest.awaitExit(30, TimeUnit.SECONDS);
                assertNotNull(crashed);
                assertEquals(DomainState.CRASHED, domain.state());
                System.out.println(kind + " garbage stub, crash reason: " + domain.crashReason());
                assertTrue(domain.crashReason().contains("stub domain of fooled answered garbage"), domain.crashReason());
                assertTrue(garbage.process().onExit().get(10, TimeUnit.SECONDS) != null, "the hostile stub was killed");

                final StubGuests.Started next = StubGuests.ataDisk(hypervisor, "next", StubGuests.image(dir, "next.img"), true);
                final MachineExit finished = next.guest().awaitExit(1, TimeUnit.MINUTES);
                assertEquals(0, finished.exitCode(), "the hypervisor serves the next guest: " + finished + "\n" + next.console().text());
                assertTrue(hypervisor.destroyDomain(next.domain().id()));
            }
            assertTrue(hypervisor.destroyDomain(domain.id()));
        }
    }
}
