package io.javisor.core.driver;

import io.javisor.blkback.BlkFront;
import io.javisor.blkback.BlkFrontConfig;
import io.javisor.blkback.wire.BlkifDescriptor;
import io.javisor.core.Domain;
import io.javisor.core.DomainState;
import io.javisor.ringio.event.EventChannelStatus;
import io.javisor.ringio.event.EventChannels;
import io.javisor.ringio.xenstore.XenbusDevice;
import io.javisor.ringio.xenstore.XenbusState;
import io.javisor.memory.PageDescriptor;
import io.javisor.memory.testing.Seed;
import io.javisor.memory.testing.Seeded;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Seeded
class DriverDomainIsolationTest
{
    @Test
    void aDriverDomainMapsOnlyWhatIsGrantedToItAndEveryOtherAttemptIsRefusedAndCounted() throws Exception
    {
        try (DriverDomainRig rig = new DriverDomainRig(DriverDomainConfig.of("storage").withSpare(false)
            .withMainClass(ProbingDriverDomain.class.getName(), List.of())))
        {
            rig.driver.awaitActive(30_000);
            final long gpfn = rig.guest.resources().pages().allocate();
            final int ref = rig.guest.resources().grantReferences().claim();
            rig.guest.memory().putLong(gpfn << PageDescriptor.PAGE_SHIFT, 0x5EC12E7L);
            rig.guest.grantTable().grantAccess(ref, rig.driver.domid(), gpfn, true);
            rig.guest.resources().xenStore().write(
                "/local/domain/" + rig.guest.id() + "/device/vbd/" + rig.vbd.deviceId() + "/" + ProbingDriverDomain.REF_KEY,
                Integer.toString(ref));

            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!Files.readString(rig.driver.log()).contains("probe done") && System.nanoTime() < deadline)
            {
                Thread.sleep(10);
            }
            final String log = Files.readString(rig.driver.log());
            assertTrue(log.contains("probe done"), log);
            assertTrue(log.contains("probe read 5ec12e7"), "the granted frame is mapped and holds the guest's data:\n" + log);
            assertTrue(log.contains("probe writable: refused"), "a read-only grant is not mapped writable:\n" + log);
            assertEquals(1, rig.driver.statistics().maps(), "one map carried out: the read-only grant");
            assertEquals(1 + 8 + 3, rig.driver.statistics().refusedMaps(),
                "refused: the writable map, eight references granted to nobody, dom0's, a missing domain's, a negative one");
            assertTrue(!log.contains("MAPPED"), "nothing else was mapped:\n" + log);
        }
    }

    @Test
    void aDriverDomainSendingGarbageIsDisconnectedAndRestartedWhileTheHypervisorRunsOn(final Seed seed) throws Exception
    {
        final java.nio.file.Path marker = Files.createTempDirectory("javisor-garbage-").resolve("turned-hostile");
        try (DriverDomainRig rig = new DriverDomainRig(DriverDomainConfig.of("storage").withSpare(false)
            .withMainClass(GarbageThenServingDriverDomain.class.getName(), List.of(marker.toString(), Long.toString(seed.value())))))
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (rig.driver.statistics().restarts() < 1 && System.nanoTime() < deadline)
            {
                Thread.sleep(10);
            }
            assertTrue(Files.exists(marker), "the first process turned hostile");
            assertEquals(1, rig.driver.statistics().protocolViolations(), "its garbage was caught as a protocol violation");
            assertEquals(1, rig.driver.statistics().restarts(), "and it was replaced");

            rig.driver.awaitActive(30_000);
            try (BlkFront front = BlkFront.attach(rig.guest.resources(), rig.driver.domid(), rig.vbd.deviceId(),
                BlkFrontConfig.defaults().withReconnect(true)))
            {
                final UnsafeBuffer block = new UnsafeBuffer(new byte[4096]);
                block.setMemory(0, 4096, (byte)0x5A);
                assertEquals(BlkifDescriptor.STATUS_OKAY, front.writeBlocking(8, 8, block, 0));
                assertEquals(BlkifDescriptor.STATUS_OKAY, front.readBlocking(8, 8, block, 0));
                assertEquals((byte)0x5A, block.getByte(4095));
            }
            assertEquals(DomainState.RUNNING, rig.hypervisor.dom0().state());
            assertEquals(DomainState.RUNNING, rig.guest.state());
        }
        finally
        {
            Files.deleteIfExists(marker);
            Files.deleteIfExists(marker.getParent());
        }
    }

    @Test
    void whenItsProcessDiesEveryGrantMappingEventChannelAndWatchItHeldIsReleased() throws Exception
    {
        try (DriverDomainRig rig = new DriverDomainRig(DriverDomainConfig.of("storage")))
        {
            rig.driver.awaitActive(30_000);
            final Domain driverDomain = rig.hypervisor.domain(rig.driver.domid());
            try (BlkFront front = BlkFront.attach(rig.guest.resources(), rig.driver.domid(), rig.vbd.deviceId(),
                BlkFrontConfig.defaults().withReconnect(true)))
            {
                final UnsafeBuffer block = new UnsafeBuffer(new byte[8 * 4096]);
                assertEquals(BlkifDescriptor.STATUS_OKAY, front.writeBlocking(0, 64, block, 0));
                assertTrue(driverDomain.grantMapper().liveMappings() > 1, "the ring and the data pages are mapped");
                assertTrue(rig.guest.grantTable().activePins() > 1);
                assertEquals(1, openPorts(driverDomain.eventChannels()));
                assertTrue(rig.hypervisor.xenStore().watchCount(rig.driver.domid()) > 0);

                final Process victim = rig.driver.awaitActive(30_000);
                victim.destroyForcibly();
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (rig.driver.statistics().restarts() < 1 && System.nanoTime() < deadline)
                {
                    Thread.sleep(1);
                }
                // The front end has not polled: the next process waits for its handshake and holds nothing yet.
                assertEquals(0, driverDomain.grantMapper().liveMappings(), "no mapping of the dead process is left");
                assertEquals(0, rig.guest.grantTable().activePins(), "the guest's frames are mapped by no one");
                assertEquals(0, openPorts(driverDomain.eventChannels()), "the dead process's event channel is closed");
                assertEquals(XenbusState.CLOSED, new XenbusDevice(rig.hypervisor.xenStore(), "vbd", rig.guest.id(),
                    rig.driver.domid(), rig.vbd.deviceId()).state(XenbusDevice.Side.BACKEND), "its back end was marked Closed");

                assertEquals(BlkifDescriptor.STATUS_OKAY, front.readBlocking(0, 64, block, 0), "the next process serves");
            }
        }
    }

    private static int openPorts(final EventChannels channels)
    {
        int count = 0;
        for (int port = 1; port < channels.maxPorts(); port++)
        {
            count += channels.status(port) != EventChannelStatus.CLOSED ? 1 : 0;
        }
        return count;
    }

    @Test
    void aSpareThatDiesReleasesNothingOfTheServingProcess() throws Exception
    {
        try (DriverDomainRig rig = new DriverDomainRig(DriverDomainConfig.of("storage")))
        {
            rig.driver.awaitActive(30_000);
            rig.driver.awaitSpare(60_000);
            final Domain driverDomain = rig.hypervisor.domain(rig.driver.domid());
            try (BlkFront front = BlkFront.attach(rig.guest.resources(), rig.driver.domid(), rig.vbd.deviceId(),
                BlkFrontConfig.defaults().withReconnect(true)))
            {
                final UnsafeBuffer block = new UnsafeBuffer(new byte[4096]);
                assertEquals(BlkifDescriptor.STATUS_OKAY, front.writeBlocking(0, 8, block, 0));
                final int mapped = driverDomain.grantMapper().liveMappings();
                final Process serving = rig.driver.activeProcess();
                final ProcessHandle spare = ProcessHandle.current().children()
                    .filter(p -> p.pid() != serving.pid() && p.info().commandLine().orElse("").contains(DriverDomainMain.class.getName()))
                    .findFirst().orElseThrow();
                spare.destroyForcibly();
                spare.onExit().get(10, TimeUnit.SECONDS);
                Thread.sleep(50); // its exit handler runs on the process reaper's thread
                assertEquals(mapped, driverDomain.grantMapper().liveMappings(), "the serving process's mappings stay");
                assertEquals(0, rig.driver.statistics().restarts(), "the serving process goes on");
                assertEquals(serving, rig.driver.activeProcess());
                assertEquals(BlkifDescriptor.STATUS_OKAY, front.readBlocking(0, 8, block, 0));
                assertEquals(0, front.reconnects());
            }
        }
    }
}
