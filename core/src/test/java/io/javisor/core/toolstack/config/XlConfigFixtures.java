package io.javisor.core.toolstack.config;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Good config files of each guest type, as a user would write them, and a reader that needs no
 * file system: the file lives in {@link #CONFIG_DIRECTORY}, the command runs in
 * {@link #WORKING_DIRECTORY}, and MACs are drawn from a fixed seed.
 */
final class XlConfigFixtures
{
    static final Path CONFIG_DIRECTORY = Path.of("/etc/javisor");
    static final Path WORKING_DIRECTORY = Path.of("/home/admin");

    static final String PV = """
        # A PV guest: a RISC-V kernel on the PV board, all IO through rings.
        name = "web-1"
        type = "pv"
        memory = 256
        vcpus = 2
        kernel = "images/vmlinux"          # relative: against this file's directory
        ramdisk = '/boot/initrd.img'
        root = "/dev/xvda1 ro"
        extra = "console=hvc0"
        disk = [ 'format=raw, vdev=xvda, access=rw, target=disks/web.img',
                 "format=ram, vdev=xvdb, target=64M", ]
        vif = [ "mac=00:16:3e:00:00:01, bridge=xenbr0, rate=10MB/s" ]
        on_reboot = "destroy"; on_crash = "preserve"
        cpu_weight = 512
        cap = 150
        """;

    static final String HVM = """
        name = "desktop"
        type = "hvm"
        memory = 0x200
        vcpus = 1
        bios = "firmware/fw_jump.elf"
        kernel = "/srv/u-boot.elf"
        cmdline = "console=ttyS0 earlycon"

        disk = [
            "format=raw, vdev=hda, target=/srv/ata.img",            # ATA
            "format=raw, vdev=vda, access=ro, target=virtio.img",   # virtio-blk
            "format=raw, vdev=xvda, target=pv.img",                 # PV-on-HVM
        ]
        vif = [ "mac=00:16:3e:00:00:02, model=lan9118",
                "mac=00:16:3e:00:00:03, model=virtio",
                "mac=00:16:3e:00:00:04, type=vif" ]
        on_poweroff = 'rename-restart'
        """;

    static final String JAVA = """
        # javisor's own guest type: a Java class drives the PV front ends.
        name = "echo"
        type = "java"
        memory = 16
        class = "io.example.EchoGuest"
        classpath = [ "lib/echo.jar", "/opt/javisor/classes" ]
        disk = [ "format=ram, vdev=xvda, target=1M" ]
        vif = [ "mac=00:16:3e:00:00:05, bridge=xenbr1" ]
        """;

    /** Only what a pv guest must have. */
    static final String MINIMAL_PV = """
        name="min"
        kernel="/boot/vmlinux"
        """;

    static final List<String> GOOD = List.of(PV, HVM, JAVA, MINIMAL_PV);

    private XlConfigFixtures()
    {
    }

    static ConfigSource source(final String fileName)
    {
        return new ConfigSource(fileName, CONFIG_DIRECTORY);
    }

    /** MACs drawn from seed 1: the same config gets the same MACs on every run. */
    static XlConfigReader reader()
    {
        return new XlConfigReader(WORKING_DIRECTORY, new SplittableRandom(1));
    }

    static XlConfig read(final String text, final String... overrides)
    {
        return reader().read(source("web.cfg"), text.getBytes(StandardCharsets.UTF_8), List.of(overrides));
    }

    /** The one-line message that reading {@code text} fails with, as the file {@code bad.cfg}. */
    static String errorOf(final String text, final String... overrides)
    {
        return errorOf(text.getBytes(StandardCharsets.UTF_8), overrides);
    }

    static String errorOf(final byte[] text, final String... overrides)
    {
        try
        {
            final XlConfig config = reader().read(source("bad.cfg"), text, List.of(overrides));
            throw new AssertionError("expected an error, read " + config);
        }
        catch (final XlConfigException ex)
        {
            return ex.getMessage();
        }
    }
}
