package io.javisor.core.toolstack.config;

import io.javisor.blkback.image.DiskFormat;
import io.javisor.blkback.image.DiskSpec;
import io.javisor.core.DomainConfig;
import io.javisor.core.DomainType;
import io.javisor.emulation.machine.BootMode;
import io.javisor.netback.spec.VifSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.javisor.core.toolstack.config.XlConfigFixtures.errorOf;
import static io.javisor.core.toolstack.config.XlConfigFixtures.read;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class XlConfigReaderTest
{
    @Test
    void aPvGuestReadsWithItsPathsResolvedAgainstTheFilesDirectory()
    {
        final XlConfig expected = new XlConfig("web-1", GuestType.PV, 256, 2, 512, 150,
            Path.of("/etc/javisor/images/vmlinux"), Path.of("/boot/initrd.img"),
            "root=/dev/xvda1 ro console=hvc0", Bios.BUILTIN, null, List.of(),
            List.of(new DiskSpec(DiskFormat.RAW, "xvda", false, false, "/etc/javisor/disks/web.img", null),
                DiskSpec.parse("format=ram, vdev=xvdb, target=64M")),
            List.of(VifSpec.parse("mac=00:16:3e:00:00:01, bridge=xenbr0, rate=10MB/s")),
            ShutdownAction.DESTROY, ShutdownAction.DESTROY, ShutdownAction.PRESERVE);
        assertEquals(expected, read(XlConfigFixtures.PV));
    }

    @Test
    void anHvmGuestReadsWithItsFirmwareAndDevicesOfAllThreeKinds()
    {
        final XlConfig expected = new XlConfig("desktop", GuestType.HVM, 512, 1, 256, 0,
            Path.of("/srv/u-boot.elf"), null, "console=ttyS0 earlycon",
            Bios.external(Path.of("/etc/javisor/firmware/fw_jump.elf")), null, List.of(),
            List.of(DiskSpec.parse("format=raw, vdev=hda, target=/srv/ata.img"),
                DiskSpec.parse("format=raw, vdev=vda, access=ro, target=/etc/javisor/virtio.img"),
                DiskSpec.parse("format=raw, vdev=xvda, target=/etc/javisor/pv.img")),
            List.of(VifSpec.parse("mac=00:16:3e:00:00:02, model=lan9118"),
                VifSpec.parse("mac=00:16:3e:00:00:03, model=virtio"),
                VifSpec.parse("mac=00:16:3e:00:00:04, type=vif")),
            ShutdownAction.RENAME_RESTART, ShutdownAction.RESTART, ShutdownAction.DESTROY);
        final XlConfig config = read(XlConfigFixtures.HVM);
        assertEquals(expected, config);
        assertEquals(BootMode.EXTERNAL, config.bios().mode());
    }

    @Test
    void aJavaGuestReadsWithItsClassAndClasspathAndNoVcpu()
    {
        final XlConfig expected = new XlConfig("echo", GuestType.JAVA, 16, 0, 256, 0, null, null, null, null,
            "io.example.EchoGuest", List.of(Path.of("/etc/javisor/lib/echo.jar"), Path.of("/opt/javisor/classes")),
            List.of(DiskSpec.parse("format=ram, vdev=xvda, target=1M")),
            List.of(VifSpec.parse("mac=00:16:3e:00:00:05, bridge=xenbr1")),
            ShutdownAction.DESTROY, ShutdownAction.RESTART, ShutdownAction.DESTROY);
        assertEquals(expected, read(XlConfigFixtures.JAVA));
    }

    @Test
    void whatIsNotGivenTakesXlsDefaults()
    {
        final XlConfig config = read(XlConfigFixtures.MINIMAL_PV);
        assertEquals(GuestType.PV, config.type(), "pv, as xl on x86");
        assertEquals(32, config.memoryMiB());
        assertEquals(1, config.vcpus());
        assertEquals(256, config.cpuWeight());
        assertEquals(0, config.cap());
        assertEquals(ShutdownAction.DESTROY, config.onPoweroff());
        assertEquals(ShutdownAction.RESTART, config.onReboot());
        assertEquals(ShutdownAction.DESTROY, config.onCrash());
        assertNull(config.cmdline());
        assertEquals(List.of(), config.disks());
        assertEquals(Bios.BUILTIN, read("name='h'\ntype='hvm'\nkernel='/k'").bios());
    }

    @Test
    void rootAndExtraMakeTheCommandLineAsXlMakesIt()
    {
        assertEquals("root=/dev/xvda1 quiet", read(XlConfigFixtures.MINIMAL_PV + "root='/dev/xvda1'\nextra='quiet'").cmdline());
        assertEquals("root=/dev/xvda1", read(XlConfigFixtures.MINIMAL_PV + "root='/dev/xvda1'").cmdline());
        assertEquals("quiet", read(XlConfigFixtures.MINIMAL_PV + "extra='quiet'").cmdline());
    }

    @Test
    void anHvmGuestAsksForAStubDomainWithTheOverrideAndReadsBackWithIt()
    {
        final String hvm = "name = 'g'\ntype = 'hvm'\nkernel = '/k'\n";
        assertFalse(read(hvm).deviceModelStubDomain(), "in-process device models unless asked");
        assertFalse(read(hvm + "device_model_stubdomain_override = 0").deviceModelStubDomain());
        final XlConfig stubbed = read(hvm + "device_model_stubdomain_override = 1");
        assertTrue(stubbed.deviceModelStubDomain());
        assertTrue(stubbed.toString().endsWith("; device_model_stubdomain_override = 1"), stubbed.toString());
        assertEquals(stubbed, read(stubbed.toString()));
    }

    @Test
    void everyGoodConfigReadsBackFromItsToString()
    {
        for (final String file : XlConfigFixtures.GOOD)
        {
            final XlConfig config = read(file);
            assertEquals(config, read(config.toString()), config.toString());
            assertEquals(-1, config.toString().indexOf('\n'), "one line, for logs");
        }
        assertEquals("name = \"min\"; type = \"pv\"; memory = 32; vcpus = 1; cpu_weight = 256; cap = 0; " +
            "kernel = \"/boot/vmlinux\"; on_poweroff = \"destroy\"; on_reboot = \"restart\"; on_crash = \"destroy\"",
            read(XlConfigFixtures.MINIMAL_PV).toString());
    }

    @Test
    void theDomainConfigHasTheNameTypeMemoryAndVcpus()
    {
        assertEquals(new DomainConfig("web-1", DomainType.PV, 256, 2, DomainConfig.DEFAULT_GRANT_FRAMES,
            DomainConfig.DEFAULT_EVENT_CHANNELS), read(XlConfigFixtures.PV).toDomainConfig());
        assertEquals(DomainConfig.hvm("desktop", 512), read(XlConfigFixtures.HVM).toDomainConfig());
        assertEquals(DomainConfig.pv("echo", 16), read(XlConfigFixtures.JAVA).toDomainConfig(),
            "a Java guest is a PV domain, as the README builds one");
        for (final String file : XlConfigFixtures.GOOD)
        {
            read(file).toDomainConfig().validate();
        }
    }

    @Test
    void theLimitsOfEveryNumberAreTheDomainsOwn()
    {
        final String longest = "a".repeat(64);
        read("name='" + longest + "'\nmemory=2048\nvcpus=32\ncap=3200\ncpu_weight=65535\nkernel='/k'").toDomainConfig().validate();
        read("name='j'\ntype='java'\nclass='A'\nmemory=1048576").toDomainConfig().validate();
        read("name='low'\nmemory=4\ncpu_weight=1\nkernel='/k'").toDomainConfig().validate();
    }

    @Test
    void theRawSettingsKeepEveryValueAsWritten()
    {
        final XlSettings settings = XlConfigFixtures.reader().settings(XlConfigFixtures.source("web.cfg"),
            XlConfigFixtures.PV.getBytes(StandardCharsets.UTF_8), List.of("memory=512"));
        assertEquals(new XlValue.Number(512, 1), settings.values().get("memory"));
        assertEquals(XlConfigFixtures.WORKING_DIRECTORY, settings.get("memory").source().directory());
        assertEquals(new XlValue.Text("images/vmlinux", 6), settings.values().get("kernel"));
        assertEquals(10, settings.get("disk").value().line(), "the line the list opens on");
        assertEquals(11, ((XlValue.Items)settings.get("disk").value()).items().get(1).line(), "each item keeps its own line");
        assertEquals(List.of("name", "type", "memory", "vcpus", "kernel", "ramdisk", "root", "extra", "disk", "vif",
            "on_reboot", "on_crash", "cpu_weight", "cap"), List.copyOf(settings.values().keySet()));
    }

    @Test
    void aFileOnDiskResolvesAgainstItsDirectoryWhereverTheCommandRuns(@TempDir final Path directory) throws IOException
    {
        final Path file = Files.writeString(directory.resolve("guest.cfg"), XlConfigFixtures.PV);
        final XlConfig config = new XlConfigReader().read(file, List.of());
        assertEquals(directory.toAbsolutePath().resolve("images/vmlinux"), config.kernel());
        assertEquals(directory.toAbsolutePath().resolve("disks/web.img").toString(), config.disks().get(0).target());
    }

    @Test
    void aFileThatCannotBeReadIsOneLine(@TempDir final Path directory) throws IOException
    {
        final Path missing = directory.resolve("absent.cfg");
        assertEquals(missing + ": no such file",
            assertThrows(XlConfigException.class, () -> new XlConfigReader().read(missing, List.of())).getMessage());
        final Path huge = Files.write(directory.resolve("huge.cfg"), new byte[XlConfigReader.MAX_FILE_BYTES + 1]);
        assertEquals(huge + ": larger than 1048576 bytes: not a config file",
            assertThrows(XlConfigException.class, () -> new XlConfigReader().read(huge, List.of())).getMessage());
    }

    @Test
    void aByteOrderMarkAndWindowsLineEndsAreRead()
    {
        final XlConfig config = read("\uFEFFname = \"min\"\r\nkernel = \"/k\"\r\n");
        assertEquals("min", config.name());
        assertEquals("bad.cfg:2: memory: 0 is not between 4 and 2048 MiB", errorOf("name='a'\r\nmemory=0\r\n"));
    }
}
