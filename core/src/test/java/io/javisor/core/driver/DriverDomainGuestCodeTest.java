package io.javisor.core.driver;

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

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A guest-code PV guest (pv-disk-restart: blkfront in RISC-V code) writing, flushing and reading back its
 * disk in rounds while its driver domain is killed twenty times: it reconnects each time and is served
 * again, every read returns the round's acknowledged writes, and the image holds the last round. Once
 * with blkfront polling for responses (a wait that lasts reads the back end's state), once
 * interrupt-driven (a wait blocks until an event, and only the watch on the back end's state can end a
 * wait on a dead one).
 */
@Seeded
class DriverDomainGuestCodeTest
{
    static final int KILLS = 20;
    static final int BLOCKS = 32;
    static final String COUNTERS = ": counters ";

    @Test
    void aPolledGuestCodePvGuestRidesOutTwentyKillsOfItsDriverDomain(final Seed seed) throws Exception
    {
        ridesOutKills("pv-disk-restart", seed);
    }

    @Test
    void anInterruptDrivenGuestCodePvGuestRidesOutTwentyKillsOfItsDriverDomain(final Seed seed) throws Exception
    {
        final String counters = ridesOutKills("pv-disk-restart-irq", seed);
        assertTrue(counter(counters, "losses_seen_by_watch") >= KILLS, "each lost back end ended a blocked wait: " + counters);
        assertTrue(counter(counters, "wakeups") > 0, "responses were waited for by blocking: " + counters);
    }

    /** @return the guest's counters line. */
    private static String ridesOutKills(final String program, final Seed seed) throws Exception
    {
        try (DriverDomainRig rig = new DriverDomainRig(DriverDomainConfig.of("storage"), true))
        {
            rig.driver.awaitActive(30_000);
            final RecordingConsole console = new RecordingConsole();
            final HvmGuest vcpu = rig.hypervisor.startPv(rig.guest, new MachineConfig()
                .kernel(GuestImages.load(program)).console(console).maxInstructions(Long.MAX_VALUE));
            final XenbusDevice device = new XenbusDevice(rig.hypervisor.xenStore(), "vbd", rig.guest.id(), rig.driver.domid(),
                rig.vbd.deviceId());
            final long[] killedAt = new long[KILLS + 1];
            final String counters;
            try (ServedAfterReconnectClock served = new ServedAfterReconnectClock(rig.hypervisor.xenStore(),
                device.frontendPath(), KILLS))
            {
                awaitConnected(device, console);
                final SplittableRandom random = seed.splittableRandom();
                for (int kill = 1; kill <= KILLS; kill++)
                {
                    rig.driver.awaitSpare(60_000);
                    Thread.sleep(20 + random.nextInt(60));
                    final Process victim = rig.driver.awaitActive(30_000);
                    killedAt[kill] = System.nanoTime();
                    victim.destroyForcibly();
                    final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    while ((rig.driver.statistics().restarts() < kill || served.servedAt(kill) == 0) &&
                        System.nanoTime() < deadline)
                    {
                        Thread.sleep(1);
                    }
                    assertEquals(kill, rig.driver.statistics().restarts(), "restart " + kill);
                    assertTrue(served.servedAt(kill) != 0, "the guest is served again after kill " + kill + "\n" +
                        console.text());
                    awaitConnected(device, console);
                }
                Thread.sleep(50);
                rig.guest.resources().xenStore().write(device.frontendPath() + "/stop", "1");
                final MachineExit exit = vcpu.awaitExit(60, TimeUnit.SECONDS);
                assertNotNull(exit, "the guest ended\n" + console.text());
                assertEquals(MachineExit.Kind.SHUTDOWN, exit.kind(), exit + "\n" + console.text());
                counters = console.text().lines().filter(line -> line.contains(COUNTERS)).findFirst().orElse("");
                assertEquals(GuestImages.expectedOutput(program), console.text().lines()
                    .filter(line -> !line.contains(COUNTERS)).map(line -> line + "\n").reduce("", String::concat));
                printKillToServed(program, killedAt, served);
                System.out.println(counters);
            }
            assertTrue(counter(counters, "reissued") >= KILLS, "each kill caught a request in flight, re-issued: " + counters);
            assertLastRoundInImage(rig);
            return counters;
        }
    }

    /** Kill to the guest's first completed request past the reconnect, per kill and the median (host clock). */
    private static void printKillToServed(final String program, final long[] killedAt, final ServedAfterReconnectClock served)
    {
        final double[] millis = new double[KILLS];
        for (int kill = 1; kill <= KILLS; kill++)
        {
            millis[kill - 1] = (served.servedAt(kill) - killedAt[kill]) / 1e6;
        }
        final StringBuilder each = new StringBuilder();
        for (final double ms : millis)
        {
            each.append(String.format(" %.1f", ms));
        }
        Arrays.sort(millis);
        System.out.printf("%s: kill to first request served after reconnect, ms: median %.1f (of %d kills; each:%s)%n",
            program, (millis[KILLS / 2 - 1] + millis[KILLS / 2]) / 2, KILLS, each);
    }

    private static long counter(final String counters, final String name)
    {
        final Matcher matcher = Pattern.compile(" " + name + "=(\\d+)").matcher(counters);
        assertTrue(matcher.find(), "no " + name + " in the guest's counters: " + counters);
        return Long.parseLong(matcher.group(1));
    }

    /** Until both ends are Connected again (the guest noticed, reconnected and is served). */
    private static void awaitConnected(final XenbusDevice device, final RecordingConsole console) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while ((device.state(XenbusDevice.Side.BACKEND) != XenbusState.CONNECTED ||
            device.state(XenbusDevice.Side.FRONTEND) != XenbusState.CONNECTED) && System.nanoTime() < deadline)
        {
            Thread.sleep(1);
        }
        assertEquals(XenbusState.CONNECTED, device.state(XenbusDevice.Side.FRONTEND), console.text());
        assertEquals(XenbusState.CONNECTED, device.state(XenbusDevice.Side.BACKEND), console.text());
    }

    private static void assertLastRoundInImage(final DriverDomainRig rig) throws Exception
    {
        final ByteBuffer image = ByteBuffer.allocate(BLOCKS * 4096);
        try (FileChannel file = FileChannel.open(rig.image, StandardOpenOption.READ))
        {
            file.read(image, 0);
        }
        // Block 0, byte 0 holds round * 29 (mod 256); 29 is odd, so the round (mod 256) follows.
        int round = 0;
        while ((round * 29 & 0xFF) != (image.get(0) & 0xFF))
        {
            round++;
        }
        for (int b = 0; b < BLOCKS; b++)
        {
            for (int i = 0; i < 4096; i++)
            {
                final byte expected = (byte)(b * 131 + round * 29 + i * 7 + (i >> 8));
                if (image.get(b * 4096 + i) != expected)
                {
                    throw new AssertionError("block " + b + " byte " + i + " is not round " + round + "'s write");
                }
            }
        }
    }
}
