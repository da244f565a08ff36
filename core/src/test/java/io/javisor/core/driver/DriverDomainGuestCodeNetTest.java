package io.javisor.core.driver;

import io.javisor.core.Domain;
import io.javisor.core.DomainConfig;
import io.javisor.core.HvmGuest;
import io.javisor.emulation.guests.GuestImages;
import io.javisor.emulation.machine.MachineConfig;
import io.javisor.emulation.machine.MachineExit;
import io.javisor.emulation.machine.RecordingConsole;
import io.javisor.memory.testing.Seed;
import io.javisor.memory.testing.Seeded;
import io.javisor.ringio.xenstore.XenbusDevice;
import io.javisor.ringio.xenstore.XenbusState;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two guest-code PV guests play ping-pong across a bridge inside a driver domain (pv-net-restart pinging,
 * net-echo-pv echoing: netfront in RISC-V code on both ends) while the driver domain is killed twenty
 * times: each kill loses at most the frames in flight, both front ends notice the back end's going
 * through their watch and connect to its next instance, and the pings resume before the next kill.
 */
@Seeded
class DriverDomainGuestCodeNetTest
{
    static final int KILLS = 20;
    static final String COUNTERS = ": counters ";

    @Test
    void aGuestCodePingPongAcrossADriverDomainBridgeRidesOutTwentyKills(final Seed seed) throws Exception
    {
        try (DriverDomainRig rig = new DriverDomainRig(DriverDomainConfig.of("storage"), true))
        {
            final Domain echoDomain = rig.hypervisor.createDomain(DomainConfig.pv("echo", 16));
            final DriverVifSpec pingVif = rig.driver.attachVif(rig.guest, "backend=storage, bridge=ddbr0");
            rig.driver.attachVif(echoDomain, "backend=storage, bridge=ddbr0");
            rig.driver.awaitActive(30_000);
            final RecordingConsole echoConsole = new RecordingConsole();
            final RecordingConsole pingConsole = new RecordingConsole();
            final HvmGuest echo = rig.hypervisor.startPv(echoDomain, new MachineConfig()
                .kernel(GuestImages.load("net-echo-pv")).console(echoConsole).maxInstructions(Long.MAX_VALUE));
            final XenbusDevice pingDevice = new XenbusDevice(rig.hypervisor.xenStore(), "vif", rig.guest.id(),
                rig.driver.domid(), pingVif.handle());
            final long[] killedAt = new long[KILLS + 1];
            final HvmGuest ping;
            try (ServedAfterReconnectClock resumed = new ServedAfterReconnectClock(rig.hypervisor.xenStore(),
                pingDevice.frontendPath(), KILLS))
            {
                ping = rig.hypervisor.startPv(rig.guest, new MachineConfig()
                    .kernel(GuestImages.load("pv-net-restart")).console(pingConsole).maxInstructions(Long.MAX_VALUE));
                awaitResumed(resumed, 0, pingConsole, echoConsole);
                final SplittableRandom random = seed.splittableRandom();
                for (int kill = 1; kill <= KILLS; kill++)
                {
                    rig.driver.awaitSpare(60_000);
                    Thread.sleep(20 + random.nextInt(60));
                    final Process victim = rig.driver.awaitActive(30_000);
                    killedAt[kill] = System.nanoTime();
                    victim.destroyForcibly();
                    awaitResumed(resumed, kill, pingConsole, echoConsole);
                    assertEquals(kill, rig.driver.statistics().restarts(), "restart " + kill);
                    assertEquals(XenbusState.CONNECTED, pingDevice.state(XenbusDevice.Side.FRONTEND));
                }
                printKillToResumed(killedAt, resumed);
            }
            rig.guest.resources().xenStore().write(pingDevice.frontendPath() + "/stop", "1");
            assertShutdown(ping, pingConsole);
            assertShutdown(echo, echoConsole);
            final String pingCounters = line(pingConsole.text(), COUNTERS);
            System.out.println(pingCounters);
            System.out.println(line(echoConsole.text(), ": timing "));
            assertEquals(GuestImages.expectedOutput("pv-net-restart"), without(pingConsole.text(), COUNTERS));
            assertTrue(counter(pingCounters, "frames_lost") <= 16L * KILLS,
                "a kill loses at most the 16 transmit pages that can be in flight: " + pingCounters);
            final long answered = counter(pingCounters, "answered");
            final Matcher inOrder = Pattern.compile("net-echo: (\\d+) requests answered in order").matcher(echoConsole.text());
            assertTrue(inOrder.find(), echoConsole.text());
            final long echoed = Long.parseLong(inOrder.group(1));
            assertTrue(echoed == answered || echoed == answered + 1,
                "the echo saw each ping in order, the last perhaps without its answer arriving: echoed " + echoed +
                ", answered " + answered);
            assertTrue(echoConsole.text().endsWith("net-echo: pass\n"), echoConsole.text());
        }
    }

    private static void awaitResumed(final ServedAfterReconnectClock resumed, final int reconnects,
        final RecordingConsole pingConsole, final RecordingConsole echoConsole) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (resumed.servedAt(reconnects) == 0 && System.nanoTime() < deadline)
        {
            Thread.sleep(1);
        }
        assertTrue(resumed.servedAt(reconnects) != 0, "a ping answered after reconnect " + reconnects + "\nping:\n" +
            pingConsole.text() + "echo:\n" + echoConsole.text());
    }

    private static void assertShutdown(final HvmGuest guest, final RecordingConsole console) throws InterruptedException
    {
        final MachineExit exit = guest.awaitExit(60, TimeUnit.SECONDS);
        assertNotNull(exit, "the guest ended\n" + console.text());
        assertEquals(MachineExit.Kind.SHUTDOWN, exit.kind(), exit + "\n" + console.text());
    }

    /** Kill to the first ping answered past the reconnect, per kill and the median (host clock). */
    private static void printKillToResumed(final long[] killedAt, final ServedAfterReconnectClock resumed)
    {
        final double[] millis = new double[KILLS];
        final StringBuilder each = new StringBuilder();
        for (int kill = 1; kill <= KILLS; kill++)
        {
            millis[kill - 1] = (resumed.servedAt(kill) - killedAt[kill]) / 1e6;
            each.append(String.format(" %.1f", millis[kill - 1]));
        }
        Arrays.sort(millis);
        System.out.printf("pv-net-restart: kill to first ping answered after reconnect, ms: median %.1f (of %d kills; each:%s)%n",
            (millis[KILLS / 2 - 1] + millis[KILLS / 2]) / 2, KILLS, each);
    }

    private static String line(final String text, final String marker)
    {
        return text.lines().filter(line -> line.contains(marker)).findFirst().orElse("");
    }

    private static String without(final String text, final String marker)
    {
        return text.lines().filter(line -> !line.contains(marker)).map(line -> line + "\n").reduce("", String::concat);
    }

    private static long counter(final String counters, final String name)
    {
        final Matcher matcher = Pattern.compile(" " + name + "=(\\d+)").matcher(counters);
        assertTrue(matcher.find(), "no " + name + " in the guest's counters: " + counters);
        return Long.parseLong(matcher.group(1));
    }
}
