package io.javisor.core.driver;

import io.javisor.blkback.BlkFront;
import io.javisor.blkback.BlkFrontConfig;
import io.javisor.blkback.wire.BlkifDescriptor;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

class DriverDomainLeakTest
{
    @Test
    void aDriverDomainKilledAndClosedLeavesNoProcessThreadOrFileDescriptorBehind() throws Exception
    {
        cycle(0); // warm-up: the classes this needs are loaded (their jars stay open) and the JVM's lazy threads started
        final ProcessCensus before = ProcessCensus.take();
        cycle(3);
        ProcessCensus.settledEqualTo(before).assertSameAs(before);
    }

    /**
     * A driver domain serving a guest's disk, killed {@code kills} times with a read after each, then closed.
     */
    private static void cycle(final int kills) throws Exception
    {
        try (DriverDomainRig rig = new DriverDomainRig(DriverDomainConfig.of("storage")))
        {
            rig.driver.awaitActive(30_000);
            try (BlkFront front = BlkFront.attach(rig.guest.resources(), rig.driver.domid(), rig.vbd.deviceId(),
                BlkFrontConfig.defaults().withReconnect(true)))
            {
                final UnsafeBuffer block = new UnsafeBuffer(new byte[4096]);
                assertEquals(BlkifDescriptor.STATUS_OKAY, front.readBlocking(0, 8, block, 0));
                for (int kill = 0; kill < kills; kill++)
                {
                    rig.driver.awaitSpare(60_000);
                    final Process victim = rig.driver.awaitActive(30_000);
                    victim.destroyForcibly();
                    victim.waitFor(10, TimeUnit.SECONDS);
                    assertEquals(BlkifDescriptor.STATUS_OKAY, front.readBlocking(0, 8, block, 0));
                }
                assertEquals(kills, front.reconnects());
            }
        }
    }
}
