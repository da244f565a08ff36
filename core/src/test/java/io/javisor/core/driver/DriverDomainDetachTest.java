package io.javisor.core.driver;

import io.javisor.blkback.BlkFront;
import io.javisor.blkback.BlkFrontConfig;
import io.javisor.blkback.wire.BlkifDescriptor;
import io.javisor.netback.NetFront;
import io.javisor.netback.NetFrontConfig;
import io.javisor.ringio.xenstore.BackendClosedException;
import io.javisor.ringio.xenstore.XenbusDevice;
import io.javisor.ringio.xenstore.XenbusState;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * block-detach and network-detach of devices a driver domain serves: the back end goes Closing, the
 * front end answers by closing, the driver domain releases the device's thread, grants, event channel
 * and watch, both xenstore directories go, and the device can be attached again.
 */
class DriverDomainDetachTest
{
    private static final String SPEC_PREFIX = "backend=storage, format=raw, vdev=xvda, target=";
    private static final DriverDomainCensus NOTHING = new DriverDomainCensus(0, 0, 0, 0);

    @Test
    void aDetachedDiskClosesThroughXenbusReleasesAllItHeldAndCanBeAttachedAgain() throws Exception
    {
        try (DriverDomainRig rig = new DriverDomainRig(DriverDomainConfig.of("storage")))
        {
            final Process process = rig.driver.awaitActive(30_000);
            final XenbusDevice device = new XenbusDevice(rig.hypervisor.xenStore(), "vbd", rig.guest.id(),
                rig.driver.domid(), rig.vbd.deviceId());
            final byte[] written = pattern(4096);
            final BlkFront front = BlkFront.attach(rig.guest.resources(), rig.driver.domid(), rig.vbd.deviceId(),
                BlkFrontConfig.defaults());
            assertEquals(BlkifDescriptor.STATUS_OKAY, front.writeBlocking(8, 8, new UnsafeBuffer(written), 0));
            final DriverDomainCensus serving = DriverDomainCensus.of(rig.hypervisor, rig.driver, process);
            assertEquals(1, serving.diskThreads(), "the disk's thread");
            assertTrue(serving.grantMappings() >= 2, "its ring and data pages are mapped: " + serving);
            assertEquals(1, serving.boundPorts(), "its event channel");
            assertEquals(1, serving.watches(), "its watch on the front end's state");

            final long started = System.nanoTime();
            final CompletableFuture<Void> detach = CompletableFuture.runAsync(() -> detachDisk(rig));
            assertEquals(XenbusState.CLOSING, awaitBackendState(device, XenbusState.CLOSING), "the back end asks the front end to close");
            front.close(); // the front end's answer: Closing, then Closed once the back end is
            detach.get(10, TimeUnit.SECONDS);
            System.out.println("disk detached in " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) + " ms");

            assertEquals(NOTHING, DriverDomainCensus.settled(rig.hypervisor, rig.driver, process, NOTHING),
                "no thread, grant mapping, event channel or watch of the disk is left");
            assertFalse(DriverDomainCensus.exists(rig.hypervisor, device.backendPath()), "the back end's directory is gone");
            assertFalse(DriverDomainCensus.exists(rig.hypervisor, device.frontendPath()), "the front end's directory is gone");
            assertTrue(rig.driver.disks(rig.guest.id()).isEmpty());
            assertEquals(process, rig.driver.activeProcess(), "a detach needs no restart");

            rig.driver.attachDisk(rig.guest, SPEC_PREFIX + rig.image);
            try (BlkFront again = BlkFront.attach(rig.guest.resources(), rig.driver.domid(), rig.vbd.deviceId(),
                BlkFrontConfig.defaults()))
            {
                final UnsafeBuffer read = new UnsafeBuffer(new byte[4096]);
                assertEquals(BlkifDescriptor.STATUS_OKAY, again.readBlocking(8, 8, read, 0));
                assertArrayEquals(written, read.byteArray(), "the re-attached disk serves what was written before");
                assertEquals(1, DriverDomainCensus.of(rig.hypervisor, rig.driver, process).diskThreads());
            }
        }
    }

    @Test
    void aFrontEndThatFollowsRestartsTakesADetachForWhatItIsAndAnswersAtOnce() throws Exception
    {
        // A detach is the back end going Closing (online = 0); a restart is a dead instance marked Closed.
        try (DriverDomainRig rig = new DriverDomainRig(DriverDomainConfig.of("storage")))
        {
            final Process process = rig.driver.awaitActive(30_000);
            final XenbusDevice device = new XenbusDevice(rig.hypervisor.xenStore(), "vbd", rig.guest.id(),
                rig.driver.domid(), rig.vbd.deviceId());
            final BlkFront front = BlkFront.attach(rig.guest.resources(), rig.driver.domid(), rig.vbd.deviceId(),
                BlkFrontConfig.defaults().withReconnect(true));
            assertEquals(BlkifDescriptor.STATUS_OKAY, front.writeBlocking(8, 8, new UnsafeBuffer(pattern(4096)), 0));

            final long started = System.nanoTime();
            final CompletableFuture<Void> detach = CompletableFuture.runAsync(() -> detachDisk(rig));
            final BackendClosedException closed = assertThrows(BackendClosedException.class, () ->
            {
                while (true)
                {
                    front.poll();
                    Thread.sleep(1);
                }
            });
            assertEquals("the block back end closed the device (detached)", closed.getMessage());
            detach.get(10, TimeUnit.SECONDS);
            final long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertTrue(millis < TimeUnit.NANOSECONDS.toMillis(DriverProtocol.FRONTEND_CLOSE_GRACE_NANOS),
                "answered, not waited out: " + millis + " ms");
            front.close();

            assertEquals(NOTHING, DriverDomainCensus.settled(rig.hypervisor, rig.driver, process, NOTHING));
            assertFalse(DriverDomainCensus.exists(rig.hypervisor, device.frontendPath()),
                "the front end's close did not write its removed directory again");
            assertEquals(0, rig.driver.statistics().restarts());
        }
    }

    @Test
    void aFrontEndThatNeverAnswersIsGivenUpOnAfterTheGraceAndEverythingIsReleased() throws Exception
    {
        try (DriverDomainRig rig = new DriverDomainRig(DriverDomainConfig.of("storage")))
        {
            final Process process = rig.driver.awaitActive(30_000);
            final BlkFront silent = BlkFront.attach(rig.guest.resources(), rig.driver.domid(), rig.vbd.deviceId(),
                BlkFrontConfig.defaults());
            final UnsafeBuffer block = new UnsafeBuffer(new byte[4096]);
            assertEquals(BlkifDescriptor.STATUS_OKAY, silent.readBlocking(0, 8, block, 0));

            final long started = System.nanoTime();
            rig.driver.detachDisk(rig.guest.id(), rig.vbd.deviceId());
            final long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertTrue(millis >= TimeUnit.NANOSECONDS.toMillis(DriverProtocol.FRONTEND_CLOSE_GRACE_NANOS) - 50 &&
                millis < DriverDomain.DETACH_TIMEOUT_MILLIS, "detached after the grace, without a restart: " + millis + " ms");
            assertEquals(NOTHING, DriverDomainCensus.settled(rig.hypervisor, rig.driver, process, NOTHING));
            assertEquals(process, rig.driver.activeProcess());
            assertEquals(0, rig.driver.statistics().restarts());
            silent.close();
        }
    }

    @Test
    void aDetachedVifClosesThroughXenbusReleasesAllItHeldAndCanBeAttachedAgain() throws Exception
    {
        try (DriverDomainRig rig = new DriverDomainRig(DriverDomainConfig.of("storage")))
        {
            rig.driver.detachDisk(rig.guest.id(), rig.vbd.deviceId()); // this test's census is the vif's alone
            final Process process = rig.driver.awaitActive(30_000);
            final DriverVifSpec vif = rig.driver.attachVif(rig.guest, "backend=storage, bridge=ddbr0");
            final XenbusDevice device = new XenbusDevice(rig.hypervisor.xenStore(), "vif", rig.guest.id(),
                rig.driver.domid(), vif.handle());
            final NetFront nic = NetFront.attach(rig.guest.resources(), rig.driver.domid(), vif.handle(),
                NetFrontConfig.defaults().withBuffers(4, 4));
            final DriverDomainCensus serving = DriverDomainCensus.of(rig.hypervisor, rig.driver, process);
            assertTrue(serving.grantMappings() >= 2, "its tx and rx rings are mapped: " + serving);
            assertEquals(1, serving.boundPorts());
            assertEquals(1, serving.watches());

            final CompletableFuture<Void> detach = CompletableFuture.runAsync(() -> detachVif(rig, vif.handle()));
            awaitBackendState(device, XenbusState.CLOSING);
            nic.close();
            detach.get(10, TimeUnit.SECONDS);

            assertEquals(NOTHING, DriverDomainCensus.settled(rig.hypervisor, rig.driver, process, NOTHING));
            assertFalse(DriverDomainCensus.exists(rig.hypervisor, device.backendPath()));
            assertFalse(DriverDomainCensus.exists(rig.hypervisor, device.frontendPath()));
            assertEquals(1, DriverDomainCensus.threadsNamed(process, "ddom-net"), "the network agent serves on, for the next vif");
            assertEquals(0, rig.driver.statistics().restarts(), "both detaches were confirmed, none needed a restart");

            final DriverVifSpec back = rig.driver.attachVif(rig.guest, "backend=storage, bridge=ddbr0");
            assertEquals(vif.handle(), back.handle(), "the handle is free again");
            try (NetFront again = NetFront.attach(rig.guest.resources(), rig.driver.domid(), back.handle(),
                NetFrontConfig.defaults().withBuffers(4, 4)))
            {
                assertEquals(1, DriverDomainCensus.of(rig.hypervisor, rig.driver, process).boundPorts(), "connected again");
            }
        }
    }

    @Test
    void theSpareForgetsADetachedDiskAndDoesNotServeItOnceActivated() throws Exception
    {
        try (DriverDomainRig rig = new DriverDomainRig(DriverDomainConfig.of("storage")))
        {
            rig.driver.awaitSpare(60_000);
            final XenbusDevice device = new XenbusDevice(rig.hypervisor.xenStore(), "vbd", rig.guest.id(),
                rig.driver.domid(), rig.vbd.deviceId());
            rig.driver.detachDisk(rig.guest.id(), rig.vbd.deviceId());
            final Process victim = rig.driver.awaitActive(30_000);
            victim.destroyForcibly();
            victim.waitFor(10, TimeUnit.SECONDS);
            Process next = rig.driver.awaitActive(30_000);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (next == victim && System.nanoTime() < deadline)
            {
                Thread.sleep(5); // the supervisor hears of the death a moment after it
                next = rig.driver.awaitActive(30_000);
            }
            assertEquals(1, rig.driver.statistics().restarts(), "the spare serves now");
            assertEquals(NOTHING, DriverDomainCensus.settled(rig.hypervisor, rig.driver, next, NOTHING),
                "the activated spare runs no thread for the detached disk and watches nothing");
            assertFalse(DriverDomainCensus.exists(rig.hypervisor, device.backendPath()), "nor publishes it again");
        }
    }

    @Test
    void detachingADeviceTheDriverDomainDoesNotServeIsOneLine() throws Exception
    {
        try (DriverDomainRig rig = new DriverDomainRig(DriverDomainConfig.of("storage")))
        {
            assertEquals("driver domain storage serves no disk 51728 of domain " + rig.guest.id(),
                assertThrows(IllegalArgumentException.class, () -> rig.driver.detachDisk(rig.guest.id(), 51728)).getMessage());
            assertEquals("driver domain storage serves no vif 0 of domain " + rig.guest.id(),
                assertThrows(IllegalArgumentException.class, () -> rig.driver.detachVif(rig.guest.id(), 0)).getMessage());
        }
    }

    private static void detachDisk(final DriverDomainRig rig)
    {
        try
        {
            rig.driver.detachDisk(rig.guest.id(), rig.vbd.deviceId());
        }
        catch (final InterruptedException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static void detachVif(final DriverDomainRig rig, final int handle)
    {
        try
        {
            rig.driver.detachVif(rig.guest.id(), handle);
        }
        catch (final InterruptedException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static XenbusState awaitBackendState(final XenbusDevice device, final XenbusState wanted) throws Exception
    {
        return device.awaitPeerState(XenbusDevice.Side.FRONTEND, s -> s == wanted, java.time.Duration.ofSeconds(10));
    }

    private static byte[] pattern(final int length)
    {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < bytes.length; i++)
        {
            bytes[i] = (byte)(i * 31 + 7);
        }
        return bytes;
    }
}
