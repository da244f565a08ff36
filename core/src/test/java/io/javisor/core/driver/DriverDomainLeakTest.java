package io.javisor.core.driver;

import io.javisor.core.ProcessCensus;
import io.javisor.blkback.BlkFront;
import io.javisor.blkback.BlkFrontConfig;
import io.javisor.blkback.wire.BlkifDescriptor;
import io.javisor.netback.NetFront;
import io.javisor.netback.NetFrontConfig;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

class DriverDomainLeakTest
{
    @Test
    void aDriverDomainWithADiskAndAVifKilledAndClosedLeavesNoProcessThreadOrFileDescriptorBehind() throws Exception
    {
        cycle(0); // warm-up: the classes this needs are loaded (their jars stay open) and the JVM's lazy threads started
        final ProcessCensus before = DriverDomainRig.CENSUS.take();
        cycle(3);
        DriverDomainRig.CENSUS.settledEqualTo(before).assertSameAs(before);
    }

    /**
     * A driver domain serving a guest's disk and vif, killed {@code kills} times with a read and a
     * reconnection of the vif after each, then closed.
     */
    private static void cycle(final int kills) throws Exception
    {
        try (DriverDomainRig rig = new DriverDomainRig(DriverDomainConfig.of("storage")))
        {
            final DriverVifSpec vif = rig.driver.attachVif(rig.guest, "backend=storage, bridge=ddbr0");
            rig.driver.awaitActive(30_000);
            try (BlkFront front = BlkFront.attach(rig.guest.resources(), rig.driver.domid(), rig.vbd.deviceId(),
                BlkFrontConfig.defaults().withReconnect(true));
                 NetFront nic = NetFront.attach(rig.guest.resources(), rig.driver.domid(), vif.handle(),
                     NetFrontConfig.defaults().withBuffers(4, 4).withReconnect(true)))
            {
                final UnsafeBuffer block = new UnsafeBuffer(new byte[4096]);
                assertEquals(BlkifDescriptor.STATUS_OKAY, front.readBlocking(0, 8, block, 0));
                for (int kill = 1; kill <= kills; kill++)
                {
                    rig.driver.awaitSpare(60_000);
                    final Process victim = rig.driver.awaitActive(30_000);
                    victim.destroyForcibly();
                    victim.waitFor(10, TimeUnit.SECONDS);
                    assertEquals(BlkifDescriptor.STATUS_OKAY, front.readBlocking(0, 8, block, 0));
                    final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    while (nic.reconnects() < kill && System.nanoTime() < deadline)
                    {
                        nic.awaitActivity(TimeUnit.MILLISECONDS.toNanos(1));
                        nic.poll((buffer, offset, length) -> { });
                    }
                }
                assertEquals(kills, front.reconnects());
                assertEquals(kills, nic.reconnects());
            }
        }
    }
}
