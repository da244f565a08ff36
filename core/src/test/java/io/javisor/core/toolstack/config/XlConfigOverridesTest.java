package io.javisor.core.toolstack.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static io.javisor.core.toolstack.config.XlConfigFixtures.errorOf;
import static io.javisor.core.toolstack.config.XlConfigFixtures.read;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code xl create FILE KEY=VALUE...}: each override is one more line of the file, and replaces
 * the file's setting of its key.
 */
class XlConfigOverridesTest
{
    @Test
    void anOverrideReplacesTheFilesValue()
    {
        final XlConfig config = read(XlConfigFixtures.PV, "memory=512", "on_crash=\"restart\"");
        assertEquals(512, config.memoryMiB());
        assertEquals(ShutdownAction.RESTART, config.onCrash());
        assertEquals(2, config.vcpus(), "the rest is the file's");
    }

    @Test
    void anOverrideMayAddAKeyTheFileLacks()
    {
        assertEquals("quiet", read(XlConfigFixtures.MINIMAL_PV, "extra = 'quiet'").cmdline());
    }

    @Test
    void anOverrideIsALineOfTheFileSoListsAndSemicolonsWork()
    {
        final XlConfig config = read(XlConfigFixtures.MINIMAL_PV, "vif=['mac=00:16:3e:00:00:09','mac=00:16:3e:00:00:0a']",
            "vcpus = 4; cap = 400");
        assertEquals(2, config.vifs().size());
        assertEquals(4, config.vcpus());
        assertEquals(400, config.cap());
    }

    @Test
    void anOverridesRelativePathResolvesAgainstTheWorkingDirectory()
    {
        assertEquals(Path.of("/home/admin/build/vmlinux"), read(XlConfigFixtures.PV, "kernel='build/vmlinux'").kernel());
        assertEquals(Path.of("/etc/javisor/images/vmlinux"), read(XlConfigFixtures.PV).kernel());
        assertEquals("/home/admin/scratch.img",
            read(XlConfigFixtures.PV, "disk=['vdev=xvda, target=scratch.img']").disks().get(0).target());
    }

    @Test
    void anOverrideMayChangeTheTypeAndTheFileIsCheckedAgainstTheNewOne()
    {
        assertEquals(GuestType.HVM, read(XlConfigFixtures.MINIMAL_PV, "type='hvm'").type());
        assertEquals("bad.cfg:2: kernel: does not apply to a java guest (a java guest runs its class, it has no kernel)",
            errorOf(XlConfigFixtures.MINIMAL_PV, "type='java'", "class='a.B'"));
    }

    @Test
    void aBadOverrideIsNamedByItsPlaceOnTheCommandLine()
    {
        assertEquals("command line:2: memory: 0 is not between 4 and 2048 MiB", errorOf(XlConfigFixtures.PV, "vcpus=1", "memory=0"));
        assertEquals("command line:1: memory: expected '=' after the key, found the end of the file", errorOf(XlConfigFixtures.PV, "memory"));
        assertEquals("command line:1: expected KEY=VALUE, found \"\"", errorOf(XlConfigFixtures.PV, ""));
        assertEquals("command line:2: expected KEY=VALUE, found \"# just a comment\"", errorOf(XlConfigFixtures.PV, "vcpus=1", "# just a comment"));
        assertEquals("command line:1: bogus: unknown key (javisor knows name, type, memory, vcpus, cpu_weight, cap, kernel, ramdisk, " +
            "cmdline, root, extra, bios, class, classpath, disk, vif, on_poweroff, on_reboot, on_crash, device_model_stubdomain_override, driver_domain)", errorOf(XlConfigFixtures.PV, "bogus=1"));
    }

    @Test
    void twoOverridesOfOneKeyAreRefusedAsTwoSettingsInTheFileAre()
    {
        assertEquals("command line:2: memory: set again (first on command line:1): xl would keep the last one, javisor refuses a key given twice",
            errorOf(XlConfigFixtures.PV, "memory=64", "memory=128"));
    }

    @Test
    void anErrorAboutTwoKeysNamesWhereEachWasWritten()
    {
        assertEquals("bad.cfg:8: root: cannot be given with cmdline (command line:1): xl would ignore root and extra, javisor refuses the mix",
            errorOf(XlConfigFixtures.PV, "cmdline='quiet'"));
    }

    @Test
    void theRawSettingsShowTheOverrideInTheFilesPlace()
    {
        final XlSettings settings = XlConfigFixtures.reader().settings(XlConfigFixtures.source("web.cfg"),
            XlConfigFixtures.MINIMAL_PV.getBytes(java.nio.charset.StandardCharsets.UTF_8), List.of("name='other'"));
        assertEquals(List.of("name", "kernel"), List.copyOf(settings.values().keySet()));
        assertEquals(ConfigSource.COMMAND_LINE, settings.get("name").source().name());
        assertEquals("name = \"other\"; kernel = \"/boot/vmlinux\"", settings.toString());
    }
}
