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
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A guest-code PV guest (pv-disk-restart: blkfront in RISC-V code, polled) writing, flushing and
 * reading back its disk in rounds while its driver domain is killed twenty times: it reconnects each
 * time, every read returns the round's acknowledged writes, and the image holds the last round.
 */
@Seeded
class DriverDomainGuestCodeTest
{
    static final int KILLS = 20;
    static final int BLOCKS = 32;

    @Test
    void aGuestCodePvGuestRidesOutTwentyKillsOfItsDriverDomain(final Seed seed) throws Exception
    {
        try (DriverDomainRig rig = new DriverDomainRig(DriverDomainConfig.of("storage"), true))
        {
            rig.driver.awaitActive(30_000);
            final RecordingConsole console = new RecordingConsole();
            final HvmGuest vcpu = rig.hypervisor.startPv(rig.guest, new MachineConfig()
                .kernel(GuestImages.load("pv-disk-restart")).console(console).maxInstructions(Long.MAX_VALUE));
            final XenbusDevice device = new XenbusDevice(rig.hypervisor.xenStore(), "vbd", rig.guest.id(), rig.driver.domid(),
                rig.vbd.deviceId());
            awaitConnected(device, console);

            final SplittableRandom random = seed.splittableRandom();
            for (int kill = 1; kill <= KILLS; kill++)
            {
                rig.driver.awaitSpare(60_000);
                Thread.sleep(20 + random.nextInt(60));
                final Process victim = rig.driver.awaitActive(30_000);
                victim.destroyForcibly();
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (rig.driver.statistics().restarts() < kill && System.nanoTime() < deadline)
                {
                    Thread.sleep(1);
                }
                assertEquals(kill, rig.driver.statistics().restarts(), "restart " + kill);
                awaitConnected(device, console);
            }
            Thread.sleep(50);
            rig.guest.resources().xenStore().write(device.frontendPath() + "/stop", "1");
            final MachineExit exit = vcpu.awaitExit(60, TimeUnit.SECONDS);
            assertNotNull(exit, "the guest ended\n" + console.text());
            assertEquals(MachineExit.Kind.SHUTDOWN, exit.kind(), exit + "\n" + console.text());
            assertEquals(GuestImages.expectedOutput("pv-disk-restart"), console.text());
            assertLastRoundInImage(rig);
        }
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
