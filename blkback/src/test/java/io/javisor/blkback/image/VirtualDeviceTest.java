package io.javisor.blkback.image;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class VirtualDeviceTest
{
    @Test
    void xvdDisksAToPUseMajor202()
    {
        assertEquals(51712, VirtualDevice.deviceId("xvda"));
        assertEquals(51728, VirtualDevice.deviceId("xvdb"));
        assertEquals((202 << 8) | (15 << 4), VirtualDevice.deviceId("xvdp"));
        assertEquals(51952, VirtualDevice.deviceId("xvdp"));
    }

    @Test
    void partitionsAddToTheDiskNumber()
    {
        assertEquals(51713, VirtualDevice.deviceId("xvda1"));
        assertEquals(51728 + 15, VirtualDevice.deviceId("xvdb15"));
        final VirtualDevice device = VirtualDevice.parse("xvdc3");
        assertEquals(VirtualDevice.Bus.XEN, device.bus());
        assertEquals(2, device.disk());
        assertEquals(3, device.partition());
        assertEquals("xvdc3", device.name());
    }

    @Test
    void disksFromXvdqOnAndPartitionsFrom16OnUseTheExtendedForm()
    {
        assertEquals((1 << 28) | (16 << 8), VirtualDevice.deviceId("xvdq"));
        assertEquals(268439552, VirtualDevice.deviceId("xvdq"));
        assertEquals((1 << 28) | (25 << 8), VirtualDevice.deviceId("xvdz"));
        assertEquals((1 << 28) | (26 << 8), VirtualDevice.deviceId("xvdaa"), "aa follows z");
        assertEquals((1 << 28) | (27 << 8) | 5, VirtualDevice.deviceId("xvdab5"));
        assertEquals((1 << 28) | (701 << 8), VirtualDevice.deviceId("xvdzz"), "zz is 26 + 26 * 26 - 1");
        assertEquals((1 << 28) | 16, VirtualDevice.deviceId("xvda16"), "partition 16 of xvda");
    }

    @Test
    void ideAndScsiNamesFollowTheirOwnMajors()
    {
        assertEquals(3 << 8, VirtualDevice.deviceId("hda"));
        assertEquals(768, VirtualDevice.deviceId("hda"));
        assertEquals(832, VirtualDevice.deviceId("hdb"));
        assertEquals(5632, VirtualDevice.deviceId("hdc"));
        assertEquals(5696, VirtualDevice.deviceId("hdd"));
        assertEquals(768 + 63, VirtualDevice.deviceId("hda63"));
        assertEquals(8 << 8, VirtualDevice.deviceId("sda"));
        assertEquals((8 << 8) | (1 << 4) | 1, VirtualDevice.deviceId("sdb1"));
        assertEquals(VirtualDevice.Bus.IDE, VirtualDevice.parse("hdc").bus());
        assertEquals(VirtualDevice.Bus.SCSI, VirtualDevice.parse("sdp15").bus());
    }

    @Test
    void theNumericFormNamesXvdDisks()
    {
        assertEquals(51712, VirtualDevice.deviceId("d0"));
        assertEquals(51713, VirtualDevice.deviceId("d0p1"));
        assertEquals((1 << 28) | (16 << 8), VirtualDevice.deviceId("d16"));
        assertEquals((1 << 28) | (1000 << 8) | 200, VirtualDevice.deviceId("d1000p200"));
    }

    @Test
    void garbageIsRejectedWithAOneLineMessage()
    {
        assertBad("", "virtual device name is empty");
        assertBad("xvd", "bad virtual device 'xvd': no disk letter after 'xvd'");
        assertBad("xvdA", "bad virtual device 'xvdA': no disk letter after 'xvd'");
        assertBad("xvda0", "bad virtual device 'xvda0': a number may not start with 0");
        assertBad("xvda01", "bad virtual device 'xvda01': a number may not start with 0");
        assertBad("xvda1x", "bad virtual device 'xvda1x': unexpected 'x'");
        assertBad("xvda256", "bad virtual device 'xvda256': beyond the largest Xen device number (disk < 2^20, partition < 256)");
        assertBad("xvdzzzzz", "bad virtual device 'xvdzzzzz': disk letters beyond the largest Xen device number");
        assertBad("sdq", "bad virtual device 'sdq': sd devices stop at sdp and partition 15");
        assertBad("sda16", "bad virtual device 'sda16': sd devices stop at sdp and partition 15");
        assertBad("hde", "bad virtual device 'hde': hd devices stop at hdd and partition 63");
        assertBad("hda64", "bad virtual device 'hda64': hd devices stop at hdd and partition 63");
        assertBad("d01", "bad virtual device 'd01': a number may not start with 0");
        assertBad("d0p", "bad virtual device 'd0p': no partition number after 'p'");
        assertBad("d0p0", "bad virtual device 'd0p0': a number may not start with 0");
        assertBad("vdq", "bad virtual device 'vdq': vd devices stop at vdp and partition 15");
        assertBad("nvme0", "bad virtual device 'nvme0': expected xvd<letters>[partition], hd<letter>[partition], " +
            "sd<letter>[partition], vd<letter>[partition] or d<disk>[p<partition>]");
        assertThrows(IllegalArgumentException.class, () -> VirtualDevice.parse(null));
    }

    @Test
    void virtioDisksAreNamedAsLinuxNamesThem()
    {
        final VirtualDevice vda = VirtualDevice.parse("vda");
        assertEquals(VirtualDevice.Bus.VIRTIO, vda.bus());
        assertEquals(0, vda.disk());
        assertEquals(254 << 8, vda.deviceId());
        assertEquals(254 << 8 | 1 << 4 | 2, VirtualDevice.deviceId("vdb2"));
    }

    private static void assertBad(final String vdev, final String message)
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> VirtualDevice.deviceId(vdev));
        assertEquals(message, ex.getMessage());
        assertFalse(ex.getMessage().contains("\n"));
    }
}
