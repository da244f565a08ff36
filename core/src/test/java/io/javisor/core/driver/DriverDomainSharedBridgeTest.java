package io.javisor.core.driver;

import io.javisor.core.Domain;
import io.javisor.core.DomainConfig;
import io.javisor.netback.NetFront;
import io.javisor.netback.NetFrontConfig;
import io.javisor.netback.Vif;
import io.javisor.netback.spec.MacAddress;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A bridge shared between dom0 and a driver domain: a guest on a vif of dom0's bridge and a guest on
 * a vif of the driver domain's bridge of the same name reach each other, both ways, frames larger
 * than a page included, and again after the driver domain was killed and restarted; and the two
 * back ends never give one guest the same device.
 */
class DriverDomainSharedBridgeTest
{
    private static final NetFrontConfig CONFIG = NetFrontConfig.defaults().withBuffers(32, 32).withReconnect(true);

    @Test
    void guestsOnDom0sAndTheDriverDomainsSideOfABridgeReachEachOther() throws Exception
    {
        try (DriverDomainRig rig = new DriverDomainRig(DriverDomainConfig.of("storage")))
        {
            final Domain web = rig.hypervisor.createDomain(DomainConfig.pv("web", 4));
            web.unpause();
            final Vif dom0Vif = rig.hypervisor.backends().attachVif(web, "bridge=xenbr7");
            rig.driver.shareBridge("xenbr7");
            final DriverVifSpec driverVif = rig.driver.attachVif(rig.guest, "backend=storage, bridge=xenbr7");
            rig.driver.awaitActive(30_000);
            try (NetFront onDom0 = NetFront.attach(web.resources(), 0, dom0Vif.handle(), CONFIG);
                 NetFront onDriver = NetFront.attach(rig.guest.resources(), rig.driver.domid(), driverVif.handle(), CONFIG))
            {
                for (final int size : new int[] {60, 1500, 9000})
                {
                    exchange(onDom0, onDriver, size, "dom0's side to the driver domain's");
                    exchange(onDriver, onDom0, size, "the driver domain's side to dom0's");
                }
                rig.driver.awaitSpare(60_000);
                final Process victim = rig.driver.awaitActive(30_000);
                victim.destroyForcibly();
                victim.waitFor(10, TimeUnit.SECONDS);
                exchange(onDom0, onDriver, 60, "after a restart, dom0's side to the driver domain's");
                exchange(onDriver, onDom0, 60, "after a restart, the driver domain's side to dom0's");
                assertEquals(0, rig.driver.uplinkDrops());
            }
        }
    }

    @Test
    void aGuestsVifsAndDisksOnDom0AndOnADriverDomainGetDistinctDevices() throws Exception
    {
        try (DriverDomainRig rig = new DriverDomainRig(DriverDomainConfig.of("storage")))
        {
            assertEquals(0, rig.hypervisor.backends().attachVif(rig.guest, "bridge=xenbr7").handle());
            assertEquals(1, rig.driver.attachVif(rig.guest, "backend=storage, bridge=xenbr7").handle(),
                "the guest's vif 0 is dom0's: the driver domain's is vif 1");
            assertEquals(2, rig.hypervisor.backends().attachVif(rig.guest, "bridge=xenbr7").handle(),
                "and dom0's next one is vif 2");
            rig.driver.detachVif(rig.guest.id(), 1);
            assertEquals(1, rig.driver.attachVif(rig.guest, "backend=storage, bridge=xenbr7").handle(), "vif 1 is free again");
            assertEquals("bad disk spec 'backend=storage, format=raw, vdev=xvda, target=" + rig.image + "': domain " +
                    rig.guest.id() + " has a disk xvda already",
                org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> rig.driver.attachDisk(rig.guest, "backend=storage, format=raw, vdev=xvda, target=" + rig.image)).getMessage());
        }
    }

    /**
     * Sends frames of {@code size} from {@code from} to {@code to} until one arrives (the first after
     * a restart may meet a back end still reconnecting), and checks it arrived whole.
     */
    private static void exchange(final NetFront from, final NetFront to, final int size, final String what)
    {
        final byte[] sent = new byte[size];
        final UnsafeBuffer frame = new UnsafeBuffer(sent);
        MacAddress.write(to.mac(), frame, 0);
        MacAddress.write(from.mac(), frame, 6);
        frame.putShort(12, (short)0x88B5, ByteOrder.BIG_ENDIAN);
        for (int i = 14; i < size; i++)
        {
            frame.putByte(i, (byte)(i * 7 + size));
        }
        final List<byte[]> received = new ArrayList<>();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        long resend = 0;
        while (received.isEmpty() && System.nanoTime() < deadline)
        {
            if (System.nanoTime() - resend > TimeUnit.MILLISECONDS.toNanos(200))
            {
                if (from.send(frame, 0, size))
                {
                    from.flush();
                }
                resend = System.nanoTime();
            }
            to.awaitActivity(TimeUnit.MILLISECONDS.toNanos(1));
            to.poll((buffer, offset, length) ->
            {
                final byte[] bytes = new byte[length];
                buffer.getBytes(offset, bytes);
                received.add(bytes);
            });
            from.poll((buffer, offset, length) -> { });
        }
        assertEquals(false, received.isEmpty(), what + ": a " + size + "-byte frame arrived");
        assertArrayEquals(sent, received.getFirst(), what + ": the " + size + "-byte frame arrived whole");
    }
}
