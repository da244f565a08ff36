package io.javisor.emulation.device.virtio;

import io.javisor.blkback.image.RamDiskImage;
import io.javisor.emulation.device.virtioblk.VirtioBlk;
import io.javisor.emulation.device.virtioblk.VirtioBlkDescriptor;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static io.javisor.emulation.device.virtio.VirtioMmioDescriptor.*;
import static io.javisor.emulation.device.virtio.VirtioTestDriver.Seg;
import static org.junit.jupiter.api.Assertions.*;

/** The transport against virtio 1.x 4.2.2's register semantics, with a virtio-blk device behind it. */
class VirtioMmioTransportTest
{
    private final RamDiskImage image = new RamDiskImage(1 << 20);
    private final VirtioTestDriver d = new VirtioTestDriver(new VirtioBlk(image, "serial-1"));

    @AfterEach
    void close()
    {
        d.close();
        image.close();
    }

    private long allFeatures()
    {
        return d.deviceFeatures();
    }

    /** A GET_ID request on queue 0. @return the status byte's guest-physical address. */
    private long getId(final int size)
    {
        final long hdr = d.alloc(16);
        d.memory.putInt(d.off(hdr), VirtioBlkDescriptor.T_GET_ID);
        final long data = d.alloc(20);
        final long status = d.alloc(1);
        d.memory.putByte(d.off(status), (byte)0x55);
        d.addChain(0, Seg.in(hdr, 16), Seg.out(data, 20), Seg.out(status, 1));
        return status;
    }

    @Test
    void identifiesAsVersion2BlockDevice()
    {
        assertEquals(0x74726976L, d.read(MAGIC_VALUE));
        assertEquals(2, d.read(VERSION));
        assertEquals(2, d.read(DEVICE_ID));
        assertEquals(VENDOR & 0xFFFF_FFFFL, d.read(VENDOR_ID));
        assertEquals(0, d.read(STATUS));
        assertEquals(0, d.read(CONFIG_GENERATION));
    }

    @Test
    void offersVersion1AndNothingInHigherSelectors()
    {
        final long f = allFeatures();
        assertTrue((f & 1L << F_VERSION_1) != 0);
        d.write(DEVICE_FEATURES_SEL, 2);
        assertEquals(0, d.read(DEVICE_FEATURES));
    }

    @Test
    void refusesFeaturesWithoutVersion1()
    {
        assertFalse(d.negotiate(allFeatures() & ~(1L << F_VERSION_1)));
        assertEquals(STATUS_ACKNOWLEDGE | STATUS_DRIVER, d.read(STATUS));
        assertTrue(d.logLines.stream().anyMatch(l -> l.contains("VERSION_1 missing")), d.logLines.toString());
    }

    @Test
    void refusesFeaturesNotOffered()
    {
        assertFalse(d.negotiate(allFeatures() | 1L << 40));
    }

    @Test
    void acceptsTheOfferedFeaturesAndFixesThemAtFeaturesOk()
    {
        assertTrue(d.negotiate(1L << F_VERSION_1));
        d.write(DRIVER_FEATURES_SEL, 0);
        d.write(DRIVER_FEATURES, 1L << VirtioBlkDescriptor.F_FLUSH);
        assertFalse(d.transport.driverHasFeature(VirtioBlkDescriptor.F_FLUSH), "features changed after FEATURES_OK");
        assertTrue(d.transport.driverHasFeature(F_VERSION_1));
    }

    @Test
    void statusSequenceAndResetByWritingZero()
    {
        d.start(allFeatures(), 1, 8);
        assertEquals(STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK | STATUS_DRIVER_OK, d.read(STATUS));
        d.write(QUEUE_SEL, 0);
        assertEquals(1, d.read(QUEUE_READY));
        getId(20);
        d.notify(0);
        assertTrue(d.irq);
        d.write(STATUS, 0);
        assertEquals(0, d.read(STATUS));
        assertEquals(0, d.read(QUEUE_READY));
        assertEquals(0, d.read(INTERRUPT_STATUS));
        assertFalse(d.irq, "reset drops the interrupt line");
        assertFalse(d.transport.driverHasFeature(F_VERSION_1));
        assertEquals(2, d.transport.statistics().resets(), "start() resets once, the test once");
    }

    @Test
    void queueSetupReadsBackAndIsFixedWhileReady()
    {
        d.negotiate(allFeatures());
        d.write(QUEUE_SEL, 0);
        assertEquals(VirtioBlk.QUEUE_NUM_MAX, d.read(QUEUE_NUM_MAX));
        d.setupQueue(0, 16);
        d.write(QUEUE_SEL, 0);
        assertEquals(VirtioTestDriver.descPa(0), d.read(QUEUE_DESC_LOW));
        assertEquals(0, d.read(QUEUE_DESC_HIGH));
        assertEquals(VirtioTestDriver.availPa(0), d.read(QUEUE_DRIVER_LOW));
        assertEquals(VirtioTestDriver.usedPa(0), d.read(QUEUE_DEVICE_LOW));
        d.write(QUEUE_DESC_LOW, 0x9000_0000L);
        assertEquals(VirtioTestDriver.descPa(0), d.read(QUEUE_DESC_LOW), "a ready queue's address is fixed");
        d.write(QUEUE_SEL, 1);
        assertEquals(0, d.read(QUEUE_NUM_MAX), "queue 1 does not exist");
        assertEquals(0, d.read(QUEUE_READY));
        d.write(QUEUE_SEL, 0);
        d.write(QUEUE_READY, 0);
        assertEquals(0, d.read(QUEUE_READY));
    }

    @Test
    void notifyProcessesAndInterruptIsAcknowledged()
    {
        d.start(allFeatures(), 1, 8);
        final long status = getId(20);
        assertEquals(0, d.usedIdx(0));
        d.notify(0);
        assertEquals(1, d.usedIdx(0));
        assertEquals(0, d.usedId(0, 0));
        assertEquals(21, d.usedLen(0, 0));
        assertEquals(0, d.memory.getByte(d.off(status)));
        assertEquals(INTERRUPT_USED_BUFFER, d.read(INTERRUPT_STATUS));
        assertTrue(d.irq);
        d.write(INTERRUPT_ACK, INTERRUPT_USED_BUFFER);
        assertEquals(0, d.read(INTERRUPT_STATUS));
        assertFalse(d.irq);
        assertEquals(1, d.transport.statistics().notifies());
    }

    @Test
    void noInterruptWhenTheDriverSuppressesIt()
    {
        d.start(allFeatures(), 1, 8);
        d.memory.putShort(d.off(VirtioTestDriver.availPa(0)) + AVAIL_FLAGS, (short)AVAIL_F_NO_INTERRUPT);
        getId(20);
        d.notify(0);
        assertEquals(1, d.usedIdx(0));
        assertFalse(d.irq);
        assertEquals(0, d.read(INTERRUPT_STATUS));
    }

    @Test
    void buffersAreNotUsedBeforeDriverOk()
    {
        d.negotiate(allFeatures());
        d.setupQueue(0, 8);
        getId(20);
        d.notify(0);
        assertEquals(0, d.usedIdx(0));
        d.driverOk();
        assertEquals(1, d.usedIdx(0), "DRIVER_OK looks at what is already available");
    }

    @Test
    void driverOkWithoutFeaturesOkNeedsReset()
    {
        d.write(STATUS, STATUS_ACKNOWLEDGE | STATUS_DRIVER);
        d.write(STATUS, STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_DRIVER_OK);
        assertTrue(d.needsReset());
        assertEquals(0, d.read(STATUS) & STATUS_DRIVER_OK);
        d.write(STATUS, 0);
        assertFalse(d.needsReset());
    }

    @Test
    void configSpaceAndGeneration()
    {
        d.start(allFeatures(), 1, 8);
        assertEquals((1 << 20) / 512, d.read(CONFIG) | d.read(CONFIG + 4) << 32);
        assertEquals(2048, d.transport.read(CONFIG, 8));
        assertEquals(8, d.transport.read(CONFIG + 1, 1));
        final long generation = d.read(CONFIG_GENERATION);
        d.transport.configChanged();
        assertEquals(generation + 1, d.read(CONFIG_GENERATION));
        assertEquals(INTERRUPT_CONFIG_CHANGE, d.read(INTERRUPT_STATUS));
        assertTrue(d.irq);
        assertEquals(0, d.read(CONFIG + 0x200), "past the config space reads 0");
    }

    @Test
    void registersTakeAligned32BitAccessesOnly()
    {
        assertTrue(d.transport.supports(STATUS, 4));
        assertFalse(d.transport.supports(STATUS, 1));
        assertFalse(d.transport.supports(STATUS, 8));
        assertFalse(d.transport.supports(STATUS + 2, 4));
        assertTrue(d.transport.supports(CONFIG + 1, 1));
        assertTrue(d.transport.supports(CONFIG + 2, 2));
        assertTrue(d.transport.supports(CONFIG, 8));
        assertFalse(d.transport.supports(CONFIG + 4, 8));
    }

    @Test
    void countsRegisterExits()
    {
        d.read(MAGIC_VALUE);
        d.write(STATUS, STATUS_ACKNOWLEDGE);
        assertEquals(2, d.transport.statistics().registerExits());
    }
}
