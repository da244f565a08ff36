package io.javisor.core.toolstack.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static io.javisor.core.toolstack.config.XlConfigFixtures.errorOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Every bad file gets exactly one line: {@code FILE:LINE: KEY: WHY}.
 */
class XlConfigErrorsTest
{
    private static final String PV = "name = 'g'\nkernel = '/k'\n";
    private static final String HVM = "name = 'g'\ntype = 'hvm'\nkernel = '/k'\n";
    private static final String JAVA = "name = 'g'\ntype = 'java'\nclass = 'a.B'\n";

    static Stream<Arguments> badFiles()
    {
        return Stream.of(
            // syntax
            arguments("no '='", "name 'g'", "bad.cfg:1: name: expected '=' after the key, found a string"),
            arguments("no key", PV + "= 64", "bad.cfg:3: expected a key, found '='"),
            arguments("no value", PV + "memory =\n", "bad.cfg:3: memory: expected a value (a string, a number or a list), found the end of the line"),
            arguments("two values", PV + "memory = 64 128", "bad.cfg:3: memory: expected the end of the line or ';' after the value, found the number 128"),
            arguments("a sign", PV + "memory = -64", "bad.cfg:3: memory: unexpected character '-'"),
            arguments("a control character", PV + "memory\u0001 = 64", "bad.cfg:3: memory: unexpected character U+0001"),
            arguments("an unclosed list", PV + "disk = [ 'vdev=xvda, target=/a',\n  'vdev=xvdb, target=/b'\n",
                "bad.cfg:3: disk: the list is not closed (']' missing)"),
            arguments("a missing comma", PV + "disk = [ 'vdev=xvda, target=/a'\n  'vdev=xvdb, target=/b' ]",
                "bad.cfg:4: disk: expected ',' or ']' after a list item, found a string"),
            arguments("a list in a list", PV + "disk = [ [ 'vdev=xvda, target=/a' ] ]", "bad.cfg:3: disk: a list may hold strings and numbers, not lists"),
            arguments("a lone comma in a list", PV + "disk = [ , ]", "bad.cfg:3: disk: expected a string or a number in the list, found ','"),
            // keys
            arguments("a key given twice", "name = 'g'\nmemory = 64\nkernel = '/k'\nmemory = 128",
                "bad.cfg:4: memory: set again (first on line 2): xl would keep the last one, javisor refuses a key given twice"),
            arguments("a misspelt key", PV + "memroy = 64", "bad.cfg:3: memroy: unknown key (did you mean 'memory'?)"),
            arguments("keys are case-sensitive", PV + "Memory = 64", "bad.cfg:3: Memory: unknown key (did you mean 'memory'?)"),
            arguments("an xl key javisor lacks", PV + "maxvcpus = 4", "bad.cfg:3: maxvcpus: unknown key (javisor knows name, type, memory, " +
                "vcpus, cpu_weight, cap, kernel, ramdisk, cmdline, root, extra, bios, class, classpath, disk, vif, on_poweroff, on_reboot, on_crash, " +
                "device_model_stubdomain_override, driver_domain)"),
            arguments("a missing name", "kernel = '/k'", "bad.cfg: name: required: every domain needs a name (name = \"...\")"),
            arguments("a pv guest without a kernel", "name = 'g'\ntype = 'pv'",
                "bad.cfg:2: kernel: required: a pv guest boots a kernel (kernel = \"PATH\")"),
            arguments("a pv guest by default without a kernel", "name = 'g'",
                "bad.cfg: kernel: required: a pv guest boots a kernel (kernel = \"PATH\")"),
            arguments("an hvm guest with nothing to boot", "name = 'g'\ntype = 'hvm'\nbios = 'none'",
                "bad.cfg:3: kernel: required: an hvm guest with bios \"none\" boots a kernel (or set bios to a firmware ELF)"),
            arguments("a java guest without a class", "name = 'g'\ntype = 'java'",
                "bad.cfg:2: class: required: a java guest runs a class (class = \"com.example.Guest\")"),
            // keys that do not fit the type
            arguments("a kernel for a java guest", JAVA + "kernel = '/k'",
                "bad.cfg:4: kernel: does not apply to a java guest (a java guest runs its class, it has no kernel)"),
            arguments("vcpus for a java guest", JAVA + "vcpus = 2",
                "bad.cfg:4: vcpus: does not apply to a java guest (a java guest has no vCPU, its code runs on JVM threads)"),
            arguments("a class for an hvm guest", HVM + "class = 'a.B'",
                "bad.cfg:4: class: does not apply to a hvm guest (only a java guest has a class and a classpath)"),
            arguments("a stub domain for a pv guest", PV + "device_model_stubdomain_override = 1",
                "bad.cfg:3: device_model_stubdomain_override: does not apply to a pv guest (only an hvm guest has emulated " +
                "device models to put in a stub domain)"),
            arguments("a stub domain switch that is no switch", HVM + "device_model_stubdomain_override = 2",
                "bad.cfg:4: device_model_stubdomain_override: 2 is not between 0 and 1"),
            arguments("a bios for a pv guest", PV + "bios = 'none'",
                "bad.cfg:3: bios: does not apply to a pv guest (only an hvm guest chooses its firmware; pv guests always start under javisor's builtin one)"),
            // types
            arguments("a quoted number", PV + "memory = \"512\"", "bad.cfg:3: memory: expected a number, found a string (write 512 without quotes)"),
            arguments("an unquoted string", "name = 7", "bad.cfg:1: name: expected a string, found a number (write it in quotes)"),
            arguments("a list for a string", PV + "cmdline = [ 'quiet' ]", "bad.cfg:3: cmdline: expected a string, found a list"),
            arguments("a string for a list", PV + "disk = 'vdev=xvda, target=/a'", "bad.cfg:3: disk: expected a list, found a string"),
            arguments("a number in a list of strings", PV + "vif = [\n 'bridge=xenbr0',\n 7 ]",
                "bad.cfg:5: vif: list items must be strings, found a number (7)"),
            arguments("an unknown type", "type = 'pvh'\nname = 'g'", "bad.cfg:1: type: \"pvh\" is not pv, hvm or java (javisor has no pvh guests)"),
            arguments("an unknown action", PV + "on_crash = 'coredump-destroy'",
                "bad.cfg:3: on_crash: \"coredump-destroy\" is not destroy, restart, preserve or rename-restart"),
            arguments("a name with a space", "name = 'my guest'", "bad.cfg:1: name: \"my guest\" is not 1 to 64 letters, digits, '_', '.' or '-'"),
            arguments("an empty kernel path", "name = 'g'\nkernel = ''", "bad.cfg:2: kernel: the path is empty"),
            arguments("a class that is no class name", "name = 'g'\ntype = 'java'\nclass = 'a..B'",
                "bad.cfg:3: class: \"a..B\" is not a Java class name (e.g. com.example.Guest)"),
            // ranges
            arguments("too little memory", PV + "memory = 2", "bad.cfg:3: memory: 2 is not between 4 and 2048 MiB"),
            arguments("too much memory", PV + "memory = 0x801", "bad.cfg:3: memory: 2049 is not between 4 and 2048 MiB"),
            arguments("no vCPU", PV + "vcpus = 0", "bad.cfg:3: vcpus: 0 is not between 1 and 32"),
            arguments("a weight of 0", PV + "cpu_weight = 0", "bad.cfg:3: cpu_weight: 0 is not between 1 and 65535"),
            arguments("a weight too large", PV + "cpu_weight = 65536", "bad.cfg:3: cpu_weight: 65536 is not between 1 and 65535"),
            arguments("a cap beyond the vCPUs", PV + "cap = 150\nvcpus = 1",
                "bad.cfg:3: cap: 150 is more than 1 vCPU can use (at most 100 percent; 0 means no cap)"),
            arguments("a huge number", PV + "memory = 0x7fffffffffffffff", "bad.cfg:3: memory: 9223372036854775807 is not between 4 and 2048 MiB"),
            // root, extra and cmdline
            arguments("cmdline with root", PV + "cmdline = 'quiet'\nroot = '/dev/xvda'",
                "bad.cfg:4: root: cannot be given with cmdline (line 3): xl would ignore root and extra, javisor refuses the mix"),
            // devices: the spec parsers' own one line, on the item's line
            arguments("a disk without a target", PV + "disk = [\n  'vdev=xvda, target=/a',\n  'vdev=xvdb' ]",
                "bad.cfg:5: disk: bad disk spec 'vdev=xvdb': no target (the path of the image, e.g. target=/var/lib/javisor/guest.img)"),
            arguments("a positional disk out of order", PV + "disk = [ 'vdev=xvda, target=/a',\n 'xvda,raw,/b' ]",
                "bad.cfg:4: disk: bad disk spec 'xvda,raw,/b': bad virtual device '/b': expected xvd<letters>[partition], " +
                "hd<letter>[partition], sd<letter>[partition], vd<letter>[partition] or d<disk>[p<partition>]"),
            arguments("two disks on one device", PV + "disk = [ 'vdev=xvda, target=/a',\n 'vdev=xvda, target=/b' ]",
                "bad.cfg:4: disk: vdev xvda is the device of disk 1 already (xvda, line 3)"),
            arguments("a virtio disk for a pv guest", PV + "disk = [ 'vdev=vda, target=/a' ]",
                "bad.cfg:3: disk: disk vda is a virtio-blk disk, an emulated device: a pv guest has none (name its disks xvdX)"),
            arguments("a SCSI disk for an hvm guest", HVM + "disk = [ 'vdev=sda, target=/a' ]",
                "bad.cfg:4: disk: disk sda: javisor has no SCSI controller; use hdX (ATA) or vdX (virtio-blk)"),
            arguments("a multicast MAC", PV + "vif = [ 'mac=01:00:5e:00:00:01' ]",
                "bad.cfg:3: vif: bad vif spec 'mac=01:00:5e:00:00:01': mac 01:00:5e:00:00:01 is not a unicast address a vif can own"),
            arguments("an emulated NIC for a java guest", JAVA + "vif = [ 'mac=00:16:3e:00:00:01, model=virtio' ]",
                "bad.cfg:4: vif: vif 00:16:3e:00:00:01: model=virtio is an emulated NIC: a java guest has none (its vifs are PV)"),
            arguments("an hvm vif of no kind", HVM + "vif = [ 'mac=00:16:3e:00:00:01' ]",
                "bad.cfg:4: vif: vif 00:16:3e:00:00:01: an HVM guest's vif needs model=lan9118, model=virtio or type=vif (PV)")
        );
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badFiles")
    void aBadFileGetsOneLineNamingFileLineKeyAndWhy(final String why, final String file, final String error)
    {
        assertEquals(error, errorOf(file));
    }

    @Test
    void theErrorKeepsItsPartsForTheCaller()
    {
        final XlConfigException error = assertThrows(XlConfigException.class,
            () -> XlConfigFixtures.read("name = 'g'\nmemory = 1\nkernel = '/k'"));
        assertEquals("web.cfg", error.source());
        assertEquals(2, error.line());
        assertEquals("memory", error.key());
        assertEquals("1 is not between 4 and 2048 MiB", error.reason());
        final XlConfigException noLine = assertThrows(XlConfigException.class, () -> XlConfigFixtures.read("kernel = '/k'"));
        assertEquals(XlConfigException.NO_LINE, noLine.line());
    }

    @Test
    void textThatIsNotUtf8IsRefusedOnItsLine()
    {
        final byte[] file = {'n', '=', '\'', 'g', '\'', '\n', 'k', '=', '\'', (byte)0xFF, '\''};
        assertEquals("bad.cfg:2: not UTF-8 text (byte 0xff at offset 9)", errorOf(file));
        final byte[] truncated = {'n', '=', '\'', (byte)0xC3};
        assertEquals("bad.cfg:1: not UTF-8 text (byte 0xc3 at offset 3)", errorOf(truncated));
    }

    @Test
    void theFirstProblemInTheFileIsTheOneReported()
    {
        assertEquals("bad.cfg:2: memory: 1 is not between 4 and 2048 MiB",
            errorOf("name = 'g'\nmemory = 1\nvcpus = 0\nkernel = '/k'\nbogus = 1"));
    }

    @Test
    void aValueThatSpansNoLineStillGivesOneLine()
    {
        final String error = errorOf("name = 'a\\nb c'");
        assertEquals("bad.cfg:1: name: \"a\\nb c\" is not 1 to 64 letters, digits, '_', '.' or '-'", error);
        assertEquals("bad.cfg:1: type: \"x\\ny\" is not pv, hvm or java", errorOf("type = 'x\\ny'\nname='g'"));
        assertEquals("bad.cfg:2: disk: bad disk spec 'a b': no vdev (the guest's device name, e.g. vdev=xvda)",
            errorOf("name = 'g'\ndisk = [ 'a\\x0bb' ]\nkernel = '/k'"), "a disk spec quoted raw by its parser");
    }
}
