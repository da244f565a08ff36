package io.javisor.core.driver;

import io.javisor.core.ProcessCensus;
import io.javisor.blkback.BlkFront;
import io.javisor.blkback.BlkFrontConfig;
import io.javisor.memory.testing.Seed;
import io.javisor.memory.testing.Seeded;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Seeded
class DriverDomainRestartTest
{
    static final int KILLS = 20;
    /** Requests the workload must complete after a kill before the next one: it reconnected and is served. */
    static final int PROGRESS_AFTER_KILL = 40;

    @Test
    void killingTheDriverDomainTwentyTimesUnderAMixedWorkloadLosesNoAcknowledgedWriteAndCompletesEveryRequestOnce(
        final Seed seed) throws Exception
    {
        final ProcessCensus before = DriverDomainRig.CENSUS.take().withoutFiles();
        final MixedDiskWorkload workload;
        final long reissued;
        final long restarts;
        try (DriverDomainRig rig = new DriverDomainRig(DriverDomainConfig.of("storage")))
        {
            rig.driver.awaitActive(30_000);
            final BlkFront[] front = new BlkFront[1];
            front[0] = BlkFront.attach(rig.guest.resources(), rig.driver.domid(), rig.vbd.deviceId(),
                BlkFrontConfig.defaults().withQueueDepth(8).withReconnect(true));
            workload = new MixedDiskWorkload(front[0], seed.value(), 256);
            final Thread guest = Thread.ofPlatform().name("java-guest").start(workload);

            final SplittableRandom random = seed.splittableRandom();
            for (int kill = 0; kill < KILLS; kill++)
            {
                rig.driver.awaitSpare(60_000);
                Thread.sleep(5 + random.nextInt(40));
                final long progress = workload.completed();
                final Process victim = rig.driver.awaitActive(30_000);
                victim.destroyForcibly(); // SIGKILL
                assertTrue(victim.waitFor(10, TimeUnit.SECONDS), "the killed process exits");
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (workload.completed() < progress + PROGRESS_AFTER_KILL && System.nanoTime() < deadline &&
                    guest.isAlive())
                {
                    Thread.sleep(1);
                }
                final int killed = kill + 1;
                assertNull(workload.crashed(), () -> "the guest's front end failed after kill " + killed + ": " + workload.crashed());
                assertTrue(workload.completed() >= progress + PROGRESS_AFTER_KILL,
                    "the guest's IO goes on after kill " + killed + " (see " + rig.driver.log() + ")");
            }
            workload.stop();
            guest.join(60_000);
            assertNull(workload.crashed(), () -> "the guest's front end failed: " + workload.crashed());
            assertEquals(java.util.List.of(), workload.failures());
            assertEquals(workload.issued(), workload.completed(), "every request issued completed exactly once");
            reissued = front[0].requestsReissued();
            assertEquals(KILLS, front[0].reconnects(), "the front end reconnected after each kill");
            front[0].close();
            restarts = rig.driver.statistics().restarts();
            assertEquals(KILLS, restarts);

            // Every acknowledged write is in the image.
            try (FileChannel file = FileChannel.open(rig.image, StandardOpenOption.READ))
            {
                final UnsafeBuffer expected = new UnsafeBuffer(new byte[MixedDiskWorkload.BLOCK]);
                for (int block = 0; block < workload.blocks(); block++)
                {
                    final ByteBuffer actual = ByteBuffer.allocate(MixedDiskWorkload.BLOCK);
                    file.read(actual, (long)block * MixedDiskWorkload.BLOCK);
                    workload.fillPattern(expected, block, workload.ackedVersion(block));
                    assertArrayEquals(expected.byteArray(), actual.array(), "block " + block + " holds its last acknowledged write");
                }
            }
        }
        System.out.println("driver domain restart test: " + KILLS + " kills, " + workload.completed() + " requests, " +
            workload.writesAcknowledged() + " acknowledged writes, " + reissued + " re-issued, " + restarts + " restarts");
        // File descriptors: DriverDomainLeakTest, after a warm-up (class loading opens jars for good).
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!DriverDomainRig.CENSUS.take().withoutFiles().equals(before) && System.nanoTime() < deadline)
        {
            Thread.sleep(20);
        }
        DriverDomainRig.CENSUS.take().withoutFiles().assertSameAs(before);
    }

    @Test
    void aFrontEndSurvivesTheDriverDomainDyingAgainWhileItReconnects() throws Exception
    {
        try (DriverDomainRig rig = new DriverDomainRig(DriverDomainConfig.of("storage")))
        {
            rig.driver.awaitActive(30_000);
            rig.driver.awaitSpare(60_000);
            // No spare is left for the third process: it starts a JVM, which a loaded machine may take seconds to do.
            final BlkFrontConfig patient = BlkFrontConfig.defaults().withReconnect(true);
            try (BlkFront front = BlkFront.attach(rig.guest.resources(), rig.driver.domid(), rig.vbd.deviceId(),
                new BlkFrontConfig(patient.queueDepth(), patient.segmentsPerSlot(), true, java.time.Duration.ofSeconds(30), true)))
            {
                final UnsafeBuffer block = new UnsafeBuffer(new byte[4096]);
                block.setMemory(0, 4096, (byte)0x3C);
                assertEquals(0, front.writeBlocking(16, 8, block, 0));
                final Process first = rig.driver.awaitActive(30_000);
                first.destroyForcibly();
                first.waitFor(10, TimeUnit.SECONDS);
                // The spare takes over at once; kill it in the middle of its handshake with the front end.
                final Process second = awaitReplacement(rig.driver, first);
                second.destroyForcibly();
                second.waitFor(10, TimeUnit.SECONDS);
                block.setMemory(0, 4096, (byte)0);
                assertEquals(0, front.readBlocking(16, 8, block, 0), "served by a third process");
                assertEquals((byte)0x3C, block.getByte(0));
                assertEquals(2, rig.driver.statistics().restarts());
                assertTrue(front.reconnects() >= 1);
            }
        }
    }

    private static Process awaitReplacement(final DriverDomain driver, final Process dead) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        Process active = driver.activeProcess();
        while ((active == null || active == dead) && System.nanoTime() < deadline)
        {
            Thread.sleep(0, 100_000);
            active = driver.activeProcess();
        }
        assertTrue(active != null && active != dead, "another process took over");
        return active;
    }
}
