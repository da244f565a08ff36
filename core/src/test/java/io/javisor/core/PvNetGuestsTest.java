package io.javisor.core;

import io.javisor.emulation.guests.GuestImages;
import io.javisor.emulation.machine.BootMode;
import io.javisor.emulation.machine.MachineConfig;
import io.javisor.emulation.machine.MachineExit;
import io.javisor.emulation.machine.RecordingConsole;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The net guests over netfront in guest code ({@code net-ping-pv}, {@code net-echo-pv}: the same
 * {@code src/net-*.c} as the emulated ones, over {@code lib/nic-pv.c}) on dom0's network back end: a
 * PV domain and a PV-on-HVM domain pinging each other, and a PV domain and an HVM guest with an
 * emulated virtio-net NIC on one bridge. Each guest's output, less its timing line, is its recorded
 * {@code expected/NAME.out}.
 */
class PvNetGuestsTest
{
    private static final Pattern TIMING = Pattern.compile(
        "rtt_ns_min=(\\d+) p50=(\\d+) p90=(\\d+) p99=(\\d+) max=(\\d+) resent=(\\d+) rx_interrupts=(\\d+)");

    private final Hypervisor hypervisor = new Hypervisor(HypervisorConfig.defaults().withMachineMemoryMiB(256));

    @AfterEach
    void close()
    {
        hypervisor.close();
    }

    @Test
    void aPvDomainAndAPvOnHvmDomainPingEachOtherThroughNetfront() throws Exception
    {
        final RecordingConsole echoConsole = new RecordingConsole();
        final RecordingConsole pingConsole = new RecordingConsole();
        final Domain echoDomain = hypervisor.createDomain(DomainConfig.pv("echo", 16));
        hypervisor.backends().attachVif(echoDomain, "mac=00:16:3e:0e:00:02, bridge=br0");
        final HvmGuest echo = hypervisor.startPv(echoDomain, new MachineConfig().kernel(GuestImages.load("net-echo-pv"))
            .console(echoConsole));
        final Domain pingDomain = hypervisor.createDomain(DomainConfig.hvm("ping", 16));
        hypervisor.backends().attachHvmVif(pingDomain, "type=vif, mac=00:16:3e:0e:00:01, bridge=br0");
        final HvmGuest ping = hypervisor.startHvm(pingDomain, new MachineConfig().bootMode(BootMode.BUILTIN)
            .kernel(GuestImages.load("net-ping-pv")).console(pingConsole));

        assertEnded(ping, pingConsole, MachineExit.Kind.SHUTDOWN);
        assertEnded(echo, echoConsole, MachineExit.Kind.SHUTDOWN);
        assertEquals(GuestImages.expectedOutput("net-ping-pv"), withoutTiming(pingConsole.text()));
        assertEquals(GuestImages.expectedOutput("net-echo-pv"), withoutTiming(echoConsole.text()));
        report("PV-on-HVM pings PV", pingConsole.text());
    }

    @Test
    void aPvGuestAndAnHvmGuestWithAnEmulatedNicShareABridge() throws Exception
    {
        final RecordingConsole echoConsole = new RecordingConsole();
        final RecordingConsole pingConsole = new RecordingConsole();
        final Domain echoDomain = hypervisor.createDomain(DomainConfig.hvm("echo", 16));
        hypervisor.backends().attachHvmVif(echoDomain, "model=virtio, mac=00:16:3e:0e:00:02, bridge=br0");
        final HvmGuest echo = hypervisor.startHvm(echoDomain, new MachineConfig().bootMode(BootMode.BARE)
            .kernel(GuestImages.load("net-echo-virtio")).console(echoConsole));
        final Domain pingDomain = hypervisor.createDomain(DomainConfig.pv("ping", 16));
        hypervisor.backends().attachVif(pingDomain, "mac=00:16:3e:0e:00:01, bridge=br0");
        final HvmGuest ping = hypervisor.startPv(pingDomain, new MachineConfig().kernel(GuestImages.load("net-ping-pv"))
            .console(pingConsole));

        assertEnded(ping, pingConsole, MachineExit.Kind.SHUTDOWN);
        assertEnded(echo, echoConsole, MachineExit.Kind.FINISHER);
        assertEquals(GuestImages.expectedOutput("net-ping-pv"), withoutTiming(pingConsole.text()));
        assertEquals(GuestImages.expectedOutput("net-echo-virtio"), withoutTiming(echoConsole.text()));
        report("PV pings HVM virtio-net", pingConsole.text());
    }

    private static void report(final String what, final String text)
    {
        final Matcher rtt = TIMING.matcher(text.lines().filter(l -> l.contains(": timing ")).findFirst().orElseThrow());
        assertTrue(rtt.find(), text);
        assertTrue(Long.parseLong(rtt.group(7)) > 0, "the pinger woke on the back end's event");
        System.out.printf("net guests: %s, 256 timed 60 B pings, guest-measured RTT p50 %.1f us p99 %.1f us " +
                "(min %.1f, max %.1f), resent %s, event wake-ups %s%n", what, us(rtt, 2), us(rtt, 4), us(rtt, 1), us(rtt, 5),
            rtt.group(6), rtt.group(7));
    }

    private static void assertEnded(final HvmGuest guest, final RecordingConsole console, final MachineExit.Kind kind)
        throws InterruptedException
    {
        final MachineExit exit = guest.awaitExit(120, TimeUnit.SECONDS);
        assertNotNull(exit, "the guest ended; so far:\n" + console.text());
        assertEquals(kind, exit.kind(), exit + "\n" + console.text());
        assertEquals(0, exit.exitCode(), console.text());
    }

    private static String withoutTiming(final String text)
    {
        return text.lines().filter(l -> !l.contains(": timing ")).map(l -> l + "\n").collect(Collectors.joining());
    }

    private static double us(final Matcher m, final int group)
    {
        return Long.parseLong(m.group(group)) / 1000.0;
    }
}
