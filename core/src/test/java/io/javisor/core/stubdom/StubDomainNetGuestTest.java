package io.javisor.core.stubdom;

import io.javisor.core.ProcessCensus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.javisor.core.Domain;
import io.javisor.core.DomainConfig;
import io.javisor.core.HvmGuest;
import io.javisor.core.Hypervisor;
import io.javisor.core.HypervisorConfig;
import io.javisor.emulation.guests.GuestImages;
import io.javisor.emulation.machine.BootMode;
import io.javisor.emulation.machine.MachineConfig;
import io.javisor.emulation.machine.MachineExit;
import io.javisor.emulation.machine.RecordingConsole;

import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A LAN9118 in a stub domain: the net-ping guest's NIC model runs in the stub, its frames cross the
 * events channel to and from the hypervisor's bridge, where the net-echo guest (virtio-net, in-process)
 * answers every ping; the pinger sleeps in WFI until its receive interrupt, which comes back from the
 * stub as an IRQ event.
 */
@Timeout(180)
class StubDomainNetGuestTest
{
    private static final Pattern RX_INTERRUPTS = Pattern.compile("rx_interrupts=(\\d+)");

    @Test
    void aGuestWhoseLan9118RunsInAStubDomainPingsAnotherOverTheBridgeAndLeavesNothingBehind() throws Exception
    {
        try (Hypervisor hypervisor = new Hypervisor(HypervisorConfig.defaults().withMachineMemoryMiB(128)))
        {
            pingRound(hypervisor, 0);
            final ProcessCensus before = StubGuests.CENSUS.take();
            pingRound(hypervisor, 1);
            StubGuests.CENSUS.settledEqualTo(before).assertSameAs(before);
        }
    }

    @Test
    void aStubDomainSendingGarbageEventsIsKilledAndOnlyItsGuestCrashes() throws Exception
    {
        try (Hypervisor hypervisor = new Hypervisor(HypervisorConfig.defaults().withMachineMemoryMiB(128)))
        {
            final Domain domain = hypervisor.createDomain(DomainConfig.hvm("noisy", 16));
            try (StubDomain stub = StubDomain.start("noisy", java.util.List.of(
                io.javisor.emulation.device.remote.RemoteDeviceSpec.lan9118(0x00163e0e0001L)),
                io.javisor.emulation.device.remote.StubChannelKind.SOCKET, GarbageEventsStubMain.class.getName()))
            {
                stub.models().connectNic(0, hypervisor.backends().bridges().getOrCreate("br0"));
                final RecordingConsole console = new RecordingConsole();
                final HvmGuest guest = hypervisor.startHvm(domain, new MachineConfig().bootMode(BootMode.BARE)
                    .kernel(GuestImages.load("net-ping-lan9118")).console(console).remoteDeviceModels(stub.models()));
                final MachineExit crashed = guest.awaitExit(30, TimeUnit.SECONDS);
                assertNotNull(crashed, "the guest crashed; so far:\n" + console.text());
                assertEquals(io.javisor.core.DomainState.CRASHED, domain.state());
                assertTrue(domain.crashReason().contains("stub domain of noisy sent a garbage event"), domain.crashReason());
                assertNotNull(stub.process().onExit().get(10, TimeUnit.SECONDS), "the stub was killed");
                assertEquals(io.javisor.core.DomainState.RUNNING, hypervisor.dom0().state(), "dom0 runs on");
                System.out.println("garbage events, crash reason: " + domain.crashReason());
            }
            assertTrue(hypervisor.destroyDomain(domain.id()));
        }
    }

    private static void pingRound(final Hypervisor hypervisor, final int round) throws Exception
    {
        final RecordingConsole echoConsole = new RecordingConsole();
        final RecordingConsole pingConsole = new RecordingConsole();
        final Domain echoDomain = hypervisor.createDomain(DomainConfig.hvm("echo-" + round, 16));
        hypervisor.backends().attachHvmVif(echoDomain, "model=virtio, bridge=br0, mac=00:16:3e:0e:00:02");
        final HvmGuest echo = hypervisor.startHvm(echoDomain, new MachineConfig().bootMode(BootMode.BARE)
            .kernel(GuestImages.load("net-echo-virtio")).console(echoConsole));
        final Domain pingDomain = hypervisor.createDomain(DomainConfig.hvm("ping-" + round, 16));
        hypervisor.backends().attachHvmVif(pingDomain, "model=lan9118, bridge=br0, mac=00:16:3e:0e:00:01");
        final HvmGuest ping = hypervisor.startHvm(pingDomain, new MachineConfig().bootMode(BootMode.BARE)
            .kernel(GuestImages.load("net-ping-lan9118")).console(pingConsole).deviceModelStubDomain(true));
        assertEquals(1, StubGuests.stubProcesses().size(), "the pinger's stub domain");

        StubGuests.assertFinished(ping, pingConsole);
        StubGuests.assertFinished(echo, echoConsole);
        assertEquals(GuestImages.expectedOutput("net-ping-lan9118"), StubGuests.withoutTiming(pingConsole.text()));
        final Matcher interrupts = RX_INTERRUPTS.matcher(pingConsole.text());
        assertTrue(interrupts.find() && Long.parseLong(interrupts.group(1)) > 0,
            "the pinger woke on its NIC's receive interrupt, raised in the stub: " + pingConsole.text());
        System.out.println("stub domain LAN9118, round " + round + ": " + pingConsole.text().lines()
            .filter(l -> l.contains(": timing ")).findFirst().orElse(""));

        assertTrue(hypervisor.destroyDomain(pingDomain.id()));
        assertTrue(hypervisor.destroyDomain(echoDomain.id()));
        assertEquals(0, StubGuests.stubProcesses().size(), "destroy ended the stub domain");
    }

}
