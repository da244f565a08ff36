package io.javisor.core.stubdom;

import io.javisor.core.ProcessCensus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.javisor.core.Domain;
import io.javisor.core.DomainConfig;
import io.javisor.core.DomainState;
import io.javisor.core.HvmGuest;
import io.javisor.core.Hypervisor;
import io.javisor.emulation.device.remote.RemoteDeviceSpec;
import io.javisor.emulation.device.remote.StubChannelKind;
import io.javisor.emulation.guests.GuestImages;
import io.javisor.emulation.machine.BootMode;
import io.javisor.emulation.machine.MachineConfig;
import io.javisor.emulation.machine.MachineExit;
import io.javisor.emulation.machine.RecordingConsole;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Crash isolation for virtio devices in stub domains, as for ATA: a stub killed while its guest's
 * virtio-blk requests run crashes that guest only (the reason recorded) while another guest's virtio
 * IO through its own stub finishes; a stub answering garbage on a virtio window is killed and only its
 * guest crashes; destroy leaves no process, thread, descriptor or directory behind.
 */
@Timeout(180)
class StubDomainVirtioCrashTest
{
    @TempDir
    Path dir;

    @Test
    void killingAStubDomainDuringVirtioIoCrashesItsGuestOnlyAndAnotherGuestFinishesItsIo() throws Exception
    {
        try (Hypervisor hypervisor = StubGuests.fileBacked(dir.resolve("machine-memory")))
        {
            final ProcessCensus before = warmedUpCensus(hypervisor);
            // Paced reads: a minute of the victim's IO and two seconds of the bystander's, however fast each is served.
            final StubGuests.Started victim = StubGuests.pacedDiskReader(hypervisor, "victim", StubGuests.image(dir, "victim.img"),
                "vda", 6_000, 60_000);
            victim.awaitLine("disk-io: start");
            final List<ProcessHandle> victimStub = StubGuests.stubProcesses();
            assertEquals(1, victimStub.size(), "the victim's stub domain");
            final StubGuests.Started bystander = StubGuests.pacedDiskReader(hypervisor, "bystander",
                StubGuests.image(dir, "bystander.img"), "vda", 2_000, 2_000);
            bystander.awaitLine("disk-io: start");

            assertTrue(victimStub.get(0).destroyForcibly(), "kill -9 of the victim's stub domain");

            StubGuests.assertCrashedByItsStubsKill(victim);

            final MachineExit finished = bystander.guest().awaitExit(2, TimeUnit.MINUTES);
            assertNotNull(finished, "the bystander finished");
            assertEquals(0, finished.exitCode(), finished + "\n" + bystander.console().text());
            assertTrue(bystander.console().text().contains("disk-io: end"), bystander.console().text());
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
    void aStubDomainAnsweringGarbageOnAVirtioWindowIsKilledAndOnlyItsGuestCrashes(final StubChannelKind kind) throws Exception
    {
        try (Hypervisor hypervisor = StubGuests.fileBacked(dir.resolve("machine-memory")))
        {
            final Domain domain = hypervisor.createDomain(DomainConfig.hvm("fooled", StubGuests.DOMAIN_MIB));
            try (StubDomain garbage = StubDomain.start("fooled", List.of(RemoteDeviceSpec.virtioBlk(
                "format=ram, vdev=vda, access=rw, target=1M")), kind, GarbageVirtioStubMain.class.getName()))
            {
                final RecordingConsole console = new RecordingConsole();
                final HvmGuest guest = hypervisor.startHvm(domain, new MachineConfig().kernel(GuestImages.load("virtio-blk"))
                    .bootMode(BootMode.BARE).console(console).remoteDeviceModels(garbage.models()));
                final MachineExit crashed = guest.awaitExit(30, TimeUnit.SECONDS);
                assertNotNull(crashed, console.text());
                assertEquals(DomainState.CRASHED, domain.state());
                System.out.println(kind + " garbage virtio stub, crash reason: " + domain.crashReason());
                assertTrue(domain.crashReason().contains("stub domain of fooled answered garbage to a read of virtio-blk0") ||
                    domain.crashReason().contains("stub domain of fooled answered garbage to a write to virtio-blk0"),
                    domain.crashReason());
                assertNotNull(garbage.process().onExit().get(10, TimeUnit.SECONDS), "the hostile stub was killed");

                final StubGuests.Started next = StubGuests.virtioBlk(hypervisor, "next", StubGuests.image(dir, "next.img"), true);
                final MachineExit finished = next.guest().awaitExit(1, TimeUnit.MINUTES);
                assertEquals(0, finished.exitCode(), "the hypervisor serves the next guest: " + finished + "\n" + next.console().text());
                assertEquals(GuestImages.expectedOutput("virtio-blk"), next.console().text());
                assertTrue(hypervisor.destroyDomain(next.domain().id()));
            }
            assertTrue(hypervisor.destroyDomain(domain.id()));
        }
    }

    /** A census once a virtio guest has run through a stub domain and been destroyed (lazily started threads are up). */
    private ProcessCensus warmedUpCensus(final Hypervisor hypervisor) throws Exception
    {
        final StubGuests.Started warmUp = StubGuests.virtioBlk(hypervisor, "warm-up", StubGuests.image(dir, "warm-up.img"), true);
        assertEquals(0, warmUp.guest().awaitExit(1, TimeUnit.MINUTES).exitCode(), warmUp.console().text());
        assertTrue(hypervisor.destroyDomain(warmUp.domain().id()));
        return StubGuests.CENSUS.take();
    }
}
