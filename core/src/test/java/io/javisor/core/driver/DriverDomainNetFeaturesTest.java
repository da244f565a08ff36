package io.javisor.core.driver;

import io.javisor.core.Domain;
import io.javisor.core.DomainConfig;
import io.javisor.netback.NetFront;
import io.javisor.netback.NetFrontConfig;
import io.javisor.netback.spec.MacAddress;
import io.javisor.ringio.xenstore.XenbusDevice;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A driver domain's network back end carries what dom0's does: frames larger than a page over
 * several slots each way (feature-sg), up to 64 KiB, and a vif's {@code rate=} limit.
 */
class DriverDomainNetFeaturesTest
{
    private static final short ETHERTYPE = (short)0x88B5;
    private static final NetFrontConfig CONFIG = NetFrontConfig.defaults().withBuffers(40, 40);

    @Test
    void framesLargerThanAPageCrossTheBridgeOverSeveralSlots() throws Exception
    {
        try (DriverDomainRig rig = new DriverDomainRig(DriverDomainConfig.of("storage")))
        {
            final Domain other = rig.hypervisor.createDomain(DomainConfig.pv("other", 4));
            other.unpause();
            final DriverVifSpec senderVif = rig.driver.attachVif(rig.guest, "backend=storage, bridge=ddbr0");
            final DriverVifSpec receiverVif = rig.driver.attachVif(other, "backend=storage, bridge=ddbr0");
            rig.driver.awaitActive(30_000);
            try (NetFront sender = NetFront.attach(rig.guest.resources(), rig.driver.domid(), senderVif.handle(), CONFIG);
                 NetFront receiver = NetFront.attach(other.resources(), rig.driver.domid(), receiverVif.handle(), CONFIG))
            {
                final XenbusDevice device = new XenbusDevice(rig.hypervisor.xenStore(), "vif", rig.guest.id(),
                    rig.driver.domid(), senderVif.handle());
                assertEquals("1", device.readOwn(XenbusDevice.Side.BACKEND, "feature-sg"));
                for (final int size : new int[] {60, 4096, 4097, 9000, 65535})
                {
                    final byte[] sent = frame(MacAddress.parse(receiverVif.mac()), sender.mac(), size);
                    assertTrue(sender.send(new UnsafeBuffer(sent), 0, size));
                    sender.flush();
                    final List<byte[]> received = new ArrayList<>();
                    final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    while (received.isEmpty() && System.nanoTime() < deadline)
                    {
                        receiver.awaitActivity(TimeUnit.MILLISECONDS.toNanos(1));
                        receiver.poll((buffer, offset, length) ->
                        {
                            final byte[] bytes = new byte[length];
                            buffer.getBytes(offset, bytes);
                            received.add(bytes);
                        });
                        sender.poll((buffer, offset, length) -> { });
                    }
                    assertEquals(1, received.size(), "the " + size + "-byte frame arrived once");
                    assertArrayEquals(sent, received.getFirst(), "the " + size + "-byte frame arrived whole");
                }
            }
        }
    }

    /**
     * The driver domain keeps the vif's {@code rate=100KB/s}: in one second the sender gets about
     * 100 KB across (xl's credit of one 20 ms interval on top), whatever it offers. The bounds are
     * wide, as dom0's test's: this checks the limit is applied, not its precision.
     */
    @Test
    void aVifsRateLimitBoundsWhatItSends() throws Exception
    {
        try (DriverDomainRig rig = new DriverDomainRig(DriverDomainConfig.of("storage")))
        {
            final Domain other = rig.hypervisor.createDomain(DomainConfig.pv("other", 4));
            other.unpause();
            final DriverVifSpec senderVif = rig.driver.attachVif(rig.guest, "backend=storage, bridge=ddbr0, rate=100KB/s");
            final DriverVifSpec receiverVif = rig.driver.attachVif(other, "backend=storage, bridge=ddbr0");
            rig.driver.awaitActive(30_000);
            try (NetFront sender = NetFront.attach(rig.guest.resources(), rig.driver.domid(), senderVif.handle(), CONFIG);
                 NetFront receiver = NetFront.attach(other.resources(), rig.driver.domid(), receiverVif.handle(), CONFIG))
            {
                final UnsafeBuffer frame = new UnsafeBuffer(frame(MacAddress.parse(receiverVif.mac()), sender.mac(), 1000));
                final long[] bytes = {0};
                final long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
                while (System.nanoTime() < end)
                {
                    if (sender.send(frame, 0, 1000))
                    {
                        sender.flush();
                    }
                    sender.poll((buffer, offset, length) -> { });
                    receiver.poll((buffer, offset, length) -> bytes[0] += length);
                    receiver.awaitActivity(TimeUnit.MICROSECONDS.toNanos(100));
                }
                System.out.println("driver domain vif at rate=100KB/s: " + bytes[0] + " bytes across in 1 s");
                assertTrue(bytes[0] > 30_000 && bytes[0] <= 220_000, bytes[0] + " bytes in 1 s at 100 KB/s");
            }
        }
    }

    private static byte[] frame(final long destination, final long source, final int size)
    {
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[size]);
        MacAddress.write(destination, frame, 0);
        MacAddress.write(source, frame, 6);
        frame.putShort(12, ETHERTYPE, ByteOrder.BIG_ENDIAN);
        for (int i = 14; i < size; i++)
        {
            frame.putByte(i, (byte)(i * 13 + size));
        }
        return frame.byteArray();
    }
}
