package io.javisor.blkback.image;

import io.javisor.blkback.wire.BlkifDescriptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class DiskSpecTest
{
    @Test
    void backendNamesTheDriverDomainThatServesTheDiskAndRoundTrips()
    {
        final DiskSpec spec = DiskSpec.parse("backend=storage, format=raw, vdev=xvda, target=/img/a.img");
        assertEquals("storage", spec.backend());
        assertEquals("backend=storage, format=raw, vdev=xvda, access=rw, target=/img/a.img", spec.toString());
        assertEquals(spec, DiskSpec.parse(spec.toString()));
        assertNull(DiskSpec.parse("format=raw, vdev=xvda, target=/img/a.img").backend(), "dom0 when not given");
        final IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
            () -> DiskSpec.parse("backend=st/orage, vdev=xvda, target=/img/a.img"));
        assertTrue(bad.getMessage().contains("backend 'st/orage' is not 1 to 64 letters"), bad.getMessage());
    }

    @Test
    void theKeyedFormParsesAndPrintsBackUnchanged()
    {
        final String text = "format=raw, vdev=xvda, access=rw, target=/var/lib/javisor/guest.img";
        final DiskSpec spec = DiskSpec.parse(text);
        assertEquals(DiskFormat.RAW, spec.format());
        assertEquals("xvda", spec.vdev());
        assertFalse(spec.readOnly());
        assertFalse(spec.cdrom());
        assertEquals("/var/lib/javisor/guest.img", spec.target());
        assertEquals(Path.of("/var/lib/javisor/guest.img"), spec.targetPath());
        assertEquals(51712, spec.deviceId());
        assertEquals("rw", spec.access());
        assertEquals("disk", spec.devtype());
        assertEquals(0, spec.info());
        assertEquals(text, spec.toString());
    }

    @Test
    void keysComeInAnyOrderAndTheTargetTakesTheRestOfTheString()
    {
        final DiskSpec spec = DiskSpec.parse("vdev=xvdb,access=ro ,  format=raw, target=/images/a,b=c d.img ");
        assertEquals("xvdb", spec.vdev());
        assertTrue(spec.readOnly());
        assertEquals("/images/a,b=c d.img ", spec.target(), "commas, '=' and spaces belong to the path");
        assertEquals(BlkifDescriptor.INFO_READONLY, spec.info());
        assertEquals(spec, DiskSpec.parse(spec.toString()));
    }

    @Test
    void thePositionalFormIsTargetFormatVdevAccess()
    {
        final DiskSpec spec = DiskSpec.parse("/srv/disk.img,raw,xvda,rw");
        assertEquals(DiskSpec.parse("format=raw, vdev=xvda, access=rw, target=/srv/disk.img"), spec);

        assertEquals(DiskSpec.parse("/dev/vg/guest-volume,,hda"),
            DiskSpec.parse("format=raw, vdev=hda, access=rw, target=/dev/vg/guest-volume"), "empty means default");
        assertTrue(DiskSpec.parse("/srv/disk.img, raw, xvdc, ro").readOnly(), "whitespace around parameters");
        assertEquals(DiskSpec.parse("/srv/disk.img,raw,xvdc,ro"), DiskSpec.parse("vdev=xvdc, /srv/disk.img, raw, ro"),
            "a bare parameter fills the first positional slot not yet given");
    }

    @Test
    void everyAccessSpellingIsUnderstood()
    {
        assertTrue(DiskSpec.parse("format=raw, vdev=xvda, access=r, target=/a").readOnly());
        assertTrue(DiskSpec.parse("format=raw, vdev=xvda, access=ro, target=/a").readOnly());
        assertFalse(DiskSpec.parse("format=raw, vdev=xvda, access=w, target=/a").readOnly());
        assertFalse(DiskSpec.parse("format=raw, vdev=xvda, access=rw, target=/a").readOnly());
        assertFalse(DiskSpec.parse("vdev=xvda, target=/a").readOnly(), "rw by default");
        assertEquals(DiskFormat.RAW, DiskSpec.parse("vdev=xvda, target=/a").format(), "raw by default");
    }

    @Test
    void aCdromIsReadOnlyAndSaysSo()
    {
        final DiskSpec flag = DiskSpec.parse("/root/image.iso,,hdc,,cdrom");
        final DiskSpec keyed = DiskSpec.parse("format=raw, vdev=hdc, access=ro, devtype=cdrom, target=/root/image.iso");
        assertEquals(keyed, flag);
        assertEquals(keyed, DiskSpec.parse("/root/image.iso,raw,hdc,devtype=cdrom"));
        assertTrue(flag.cdrom());
        assertTrue(flag.readOnly());
        assertEquals("cdrom", flag.devtype());
        assertEquals(BlkifDescriptor.INFO_CDROM | BlkifDescriptor.INFO_READONLY, flag.info());
        assertEquals("format=raw, vdev=hdc, access=ro, devtype=cdrom, target=/root/image.iso", flag.toString());
        assertEquals(DiskSpec.parse("vdev=xvda, devtype=disk, target=/a"), DiskSpec.parse("vdev=xvda, target=/a"));
    }

    @Test
    void aRamDiskTakesItsSizeAsTheTarget()
    {
        final DiskSpec spec = DiskSpec.parse("format=ram, vdev=xvdb, target=64M");
        assertEquals(DiskFormat.RAM, spec.format());
        assertEquals(64L << 20, spec.ramSizeBytes());
        assertEquals("format=ram, vdev=xvdb, access=rw, target=64M", spec.toString());
        assertEquals(1L << 30, DiskSpec.parse("format=ram, vdev=xvdb, target=1G").ramSizeBytes());
        assertEquals(64L << 20, DiskSpec.parse("64m,ram,xvdc").ramSizeBytes(), "positional, lower-case suffix");
        assertEquals(512L << 10, DiskSpec.parse("format=ram, vdev=xvdb, target=512KiB").ramSizeBytes());
        assertEquals(4096, DiskSpec.parse("format=ram, vdev=xvdb, target=4096").ramSizeBytes());
        assertThrows(IllegalStateException.class, spec::targetPath);
        assertThrows(IllegalStateException.class, () -> DiskSpec.parse("vdev=xvda, target=/a").ramSizeBytes());
    }

    @Test
    void toStringRoundTrips()
    {
        for (final String text : new String[] {
            "/srv/disk.img,raw,xvda,rw",
            "format=raw, vdev=xvdq, access=r, target=/x,y",
            "/root/image.iso,,hdc,,cdrom",
            "vdev=xvdz, format=ram, target=1G",
            "vdev=d1p2, target= leading space.img"})
        {
            final DiskSpec spec = DiskSpec.parse(text);
            assertEquals(spec, DiskSpec.parse(spec.toString()), text);
            assertEquals(spec.toString(), DiskSpec.parse(spec.toString()).toString(), text);
        }
    }

    @Test
    void badSpecsSayWhatIsWrongOnOneLine()
    {
        assertBad("", "bad disk spec '': empty");
        assertBad("  ", "bad disk spec '': empty");
        assertBad("format=raw, vdev=xvda, size=1, target=/a", "unknown key 'size'");
        assertBad("format=qcow2, vdev=xvda, target=/a", "format 'qcow2' is not supported (raw or ram)");
        assertBad("format=raw, vdev=xvda, access=rx, target=/a", "access 'rx' is not r, ro, rw or w");
        assertBad("vdev=xvda, devtype=floppy, target=/a", "devtype 'floppy' is not disk or cdrom");
        assertBad("format=raw, access=rw, target=/a", "no vdev (the guest's device name, e.g. vdev=xvda)");
        assertBad("format=raw, vdev=xvd1, target=/a", "bad virtual device 'xvd1': no disk letter after 'xvd'");
        assertBad("format=raw, vdev=xvda", "no target (the path of the image, e.g. target=/var/lib/javisor/guest.img)");
        assertBad("format=raw, vdev=xvda, target=", "no target (the path of the image, e.g. target=/var/lib/javisor/guest.img)");
        assertBad("format=ram, vdev=xvda", "no target (the size of the ram disk, e.g. target=64M)");
        assertBad("format=ram, vdev=xvda, target=1000",
            "ram disk size '1000' is not a positive multiple of 512 bytes (e.g. 512K, 64M, 1G)");
        assertBad("format=ram, vdev=xvda, target=lots",
            "ram disk size 'lots' is not a positive multiple of 512 bytes (e.g. 512K, 64M, 1G)");
        assertBad("format=ram, vdev=xvda, target=0", "ram disk size '0' is not a positive multiple of 512 bytes (e.g. 512K, 64M, 1G)");
        assertBad("vdev=xvda, vdev=xvdb, target=/a", "vdev given twice");
        assertBad("/a,raw,xvda,rw,extra", "unexpected 'extra' after target, format, vdev and access");
        assertBad("/a,raw,xvda,rw, target=/b", "target given twice");
        assertBad("/a,raw,xvda,rw,format=raw", "format given twice");
        assertBad("vdev=hdc, access=rw, devtype=cdrom, target=/a.iso", "a cdrom is read-only, access=rw does not apply");
        assertThrows(IllegalArgumentException.class, () -> DiskSpec.parse(null));
    }

    @Test
    void theConstructorValidatesToo()
    {
        assertEquals("xvda", DiskSpec.of(DiskFormat.RAW, "xvda", "/a").vdev());
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> DiskSpec.of(DiskFormat.RAM, "xvda", "3"));
        assertEquals("bad disk spec: ram disk size '3' is not a positive multiple of 512 bytes (e.g. 512K, 64M, 1G)", ex.getMessage());
    }

    @Test
    void sizesUnderstandBinarySuffixes()
    {
        assertEquals(512, Sizes.parse("512"));
        assertEquals(2048, Sizes.parse("2k"));
        assertEquals(2048, Sizes.parse("2KiB"));
        assertEquals(3L << 20, Sizes.parse("3MB"));
        assertEquals(5L << 40, Sizes.parse("5T"));
        assertEquals(-1, Sizes.parse(""));
        assertEquals(-1, Sizes.parse("M"));
        assertEquals(-1, Sizes.parse("1X"));
        assertEquals(-1, Sizes.parse("1Mb"));
        assertEquals(-1, Sizes.parse("-1"));
        assertEquals(-1, Sizes.parse("99999999999T"), "overflow");
        assertEquals("64 MiB", Sizes.format(64L << 20));
        assertEquals("1 GiB", Sizes.format(1L << 30));
        assertEquals("1000 bytes", Sizes.format(1000));
    }

    @Test
    void diskImagesOpensWhatTheSpecDescribes(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("guest.img");
        Files.write(file, new byte[8192]);
        try (DiskImage raw = DiskImages.open(DiskSpec.parse(file + ",raw,xvda,ro"));
             DiskImage ram = DiskImages.open("format=ram, vdev=xvdb, target=1M"))
        {
            assertInstanceOf(RawFileImage.class, raw);
            assertTrue(raw.isReadOnly());
            assertEquals(16, raw.sectors());
            assertInstanceOf(RamDiskImage.class, ram);
            assertFalse(ram.isReadOnly());
            assertEquals(2048, ram.sectors());
        }
        final DiskImageException ex = assertThrows(DiskImageException.class,
            () -> DiskImages.open("format=raw, vdev=xvda, target=" + dir.resolve("absent.img")));
        assertEquals("disk image not found: " + dir.resolve("absent.img"), ex.getMessage());
    }

    private static void assertBad(final String text, final String why)
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> DiskSpec.parse(text));
        final String expected = why.startsWith("bad disk spec") ? why : "bad disk spec '" + text + "': " + why;
        assertEquals(expected, ex.getMessage());
        assertFalse(ex.getMessage().contains("\n"));
    }
}
