package io.javisor.core;

import io.javisor.blkback.BlkFront;
import io.javisor.blkback.BlkFrontConfig;
import io.javisor.blkback.Vbd;
import io.javisor.blkback.image.RamDiskImage;
import io.javisor.netback.NetFront;
import io.javisor.netback.NetFrontConfig;
import io.javisor.netback.Vif;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A guest destroyed with its disk and vif still connected: its xenstore home goes, the back ends
 * see the front ends vanish, unmap the rings and grants, and only then do the guest's frames return
 * to the pool; dom0 and the other guests are untouched.
 */
class DestroyWithDevicesTest
{
    private final Hypervisor hypervisor = new Hypervisor(HypervisorConfig.defaults().withMachineMemoryMiB(256));

    @AfterEach
    void close()
    {
        hypervisor.close();
    }

    @Test
    void destroyingAConnectedGuestReleasesEverythingOnceTheBackEndsLetGo()
    {
        final long freeBefore = hypervisor.freeFrames();
        final Domain guest = hypervisor.createDomain(DomainConfig.pv("doomed", 16));
        final Vbd vbd = hypervisor.backends().attachDisk(guest, "xvda", new RamDiskImage(1 << 20), DiskAccess.READ_WRITE);
        final Vif vif = hypervisor.backends().attachVif(guest, "bridge=xenbr0");
        final BlkFront disk = BlkFront.attach(guest.resources(), 0, vbd.deviceId(), BlkFrontConfig.defaults());
        final NetFront nic = NetFront.attach(guest.resources(), 0, vif.handle(), NetFrontConfig.defaults());
        assertTrue(vbd.isConnected());
        assertTrue(vif.isConnected());
        assertTrue(hypervisor.dom0().grantMapper().liveMappings() > 0);

        assertTrue(hypervisor.destroyDomain(guest.id()));
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (guest.state() != DomainState.GONE && System.nanoTime() < deadline)
        {
            Thread.onSpinWait();
        }
        assertEquals(DomainState.GONE, guest.state(), "the back ends let go of the guest's frames");
        assertFalse(vbd.isConnected());
        assertFalse(vif.isConnected());
        assertEquals(0, hypervisor.dom0().grantMapper().liveMappings());
        assertEquals(freeBefore, hypervisor.freeFrames(), "every frame of the guest is back in the pool");
        assertNull(hypervisor.domain(guest.id()));
        assertEquals(DomainState.RUNNING, hypervisor.dom0().state());
    }
}
