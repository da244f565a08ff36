package io.javisor.core.stubdom;

import io.javisor.core.ProcessCensus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.javisor.core.Domain;
import io.javisor.core.DomainConfig;
import io.javisor.core.DomainState;
import io.javisor.core.HvmGuest;
import io.javisor.core.Hypervisor;
import io.javisor.core.HypervisorConfig;
import io.javisor.emulation.guests.GuestImages;
import io.javisor.emulation.machine.BootMode;
import io.javisor.emulation.machine.MachineConfig;
import io.javisor.emulation.machine.MachineExit;
import io.javisor.emulation.machine.RecordingConsole;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An HVM guest's virtio devices in a stub domain: the stub maps exactly the guest's RAM from the
 * hypervisor's machine-memory file and runs the virtqueues there. The virtio-blk guest reads and
 * writes through it, the net-ping guest's virtio-net pings an echo peer over the hypervisor's bridge,
 * destroy leaves nothing behind, and a hypervisor whose machine memory is anonymous refuses the
 * guest in one line.
 */
@Timeout(180)
class StubDomainVirtioGuestTest
{
    @TempDir
    Path dir;

    @Test
    void theVirtioBlkGuestReadsAndWritesThroughAStubDomainAndDestroyLeavesNothingBehind() throws Exception
    {
        final Path image = StubGuests.image(dir, "vda.img");
        try (Hypervisor hypervisor = StubGuests.fileBacked(dir.resolve("machine-memory")))
        {
            runAndDestroy(hypervisor, image, 0);
            final ProcessCensus before = StubGuests.CENSUS.take();
            runAndDestroy(hypervisor, image, 1);
            StubGuests.CENSUS.settledEqualTo(before).assertSameAs(before);
        }
        StubGuests.assertVirtioBlkPattern(image);
    }

    private static void runAndDestroy(final Hypervisor hypervisor, final Path image, final int round) throws Exception
    {
        final StubGuests.Started started = StubGuests.virtioBlk(hypervisor, "stubbed-" + round, image, true);
        assertEquals(1, StubGuests.stubProcesses().size(), "the guest's stub domain runs while it does");
        final MachineExit exit = started.guest().awaitExit(1, TimeUnit.MINUTES);
        assertNotNull(exit, started.console().text());
        assertEquals(0, exit.exitCode(), exit + "\n" + started.console().text());
        assertEquals(GuestImages.expectedOutput("virtio-blk"), started.console().text(), "output vs expected/virtio-blk.out");
        assertTrue(started.guest().machine().virtioTransports().isEmpty(), "no virtio queue ran in the hypervisor's process");
        assertEquals(DomainState.SHUTDOWN, started.domain().state());
        assertTrue(hypervisor.destroyDomain(started.domain().id()));
    }

    @Test
    void aHypervisorWithAnonymousMachineMemoryRefusesVirtioDevicesInAStubDomainInOneLine() throws Exception
    {
        try (Hypervisor hypervisor = new Hypervisor(HypervisorConfig.defaults().withMachineMemoryMiB(64)))
        {
            final Domain domain = hypervisor.createDomain(DomainConfig.hvm("anonymous", 16));
            hypervisor.backends().attachHvmDisk(domain, "format=ram, vdev=vda, access=rw, target=1M");
            final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> hypervisor.startHvm(domain,
                new MachineConfig().bootMode(BootMode.BARE).kernel(GuestImages.load("virtio-blk")).deviceModelStubDomain(true)));
            assertEquals("domain anonymous: device_model_stubdomain_override with virtio devices needs guest RAM its stub " +
                "domain can map, and this hypervisor's machine memory is anonymous; start it with a machine memory file " +
                "(HypervisorConfig.withMachineMemoryFile), as the javisor daemon does", refused.getMessage());
            assertEquals(0, StubGuests.stubProcesses().size(), "no stub domain was started in vain");
            assertTrue(hypervisor.destroyDomain(domain.id()));
        }
    }

    @Test
    void aGuestWhoseVirtioNetRunsInAStubDomainPingsAnotherOverTheBridgeAndLeavesNothingBehind() throws Exception
    {
        try (Hypervisor hypervisor = StubGuests.fileBacked(dir.resolve("machine-memory")))
        {
            pingRound(hypervisor, 0);
            final ProcessCensus before = StubGuests.CENSUS.take();
            pingRound(hypervisor, 1);
            StubGuests.CENSUS.settledEqualTo(before).assertSameAs(before);
        }
    }

    private static void pingRound(final Hypervisor hypervisor, final int round) throws Exception
    {
        final RecordingConsole echoConsole = new RecordingConsole();
        final RecordingConsole pingConsole = new RecordingConsole();
        final Domain echoDomain = hypervisor.createDomain(DomainConfig.hvm("echo-" + round, 16));
        hypervisor.backends().attachHvmVif(echoDomain, "model=lan9118, bridge=br0, mac=00:16:3e:0e:00:02");
        final HvmGuest echo = hypervisor.startHvm(echoDomain, new MachineConfig().bootMode(BootMode.BARE)
            .kernel(GuestImages.load("net-echo-lan9118")).console(echoConsole));
        final Domain pingDomain = hypervisor.createDomain(DomainConfig.hvm("ping-" + round, 16));
        hypervisor.backends().attachHvmVif(pingDomain, "model=virtio, bridge=br0, mac=00:16:3e:0e:00:01");
        final HvmGuest ping = hypervisor.startHvm(pingDomain, new MachineConfig().bootMode(BootMode.BARE)
            .kernel(GuestImages.load("net-ping-virtio")).console(pingConsole).deviceModelStubDomain(true));
        assertEquals(1, StubGuests.stubProcesses().size(), "the pinger's stub domain");
        assertTrue(ping.machine().virtioTransports().isEmpty(), "the pinger's virtio-net runs in its stub domain");

        StubGuests.assertFinished(ping, pingConsole);
        StubGuests.assertFinished(echo, echoConsole);
        assertEquals(GuestImages.expectedOutput("net-ping-virtio"), StubGuests.withoutTiming(pingConsole.text()));
        System.out.println("stub domain virtio-net, round " + round + ": " + pingConsole.text().lines()
            .filter(l -> l.contains(": timing ")).findFirst().orElse(""));

        assertTrue(hypervisor.destroyDomain(pingDomain.id()));
        assertTrue(hypervisor.destroyDomain(echoDomain.id()));
        assertEquals(0, StubGuests.stubProcesses().size(), "destroy ended the stub domain");
    }

}
