package io.javisor.emulation.machine;

import io.javisor.emulation.loader.ElfImage;
import io.javisor.emulation.reference.QemuRun;
import io.javisor.emulation.reference.QemuRunner;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Firmware nobody here wrote, from Debian's packages: OpenSBI's generic fw_jump.elf in M-mode, and
 * U-Boot's S-mode build as its payload, driven through the console as a person would.
 */
class RealFirmwareTest
{
    private static ElfImage require(final Path path, final String pkg) throws IOException
    {
        assumeTrue(Files.isRegularFile(path), path + " missing: install Debian's " + pkg + " package");
        return ElfImage.read(path);
    }

    @Test
    void openSbiBootsPrintsItsBannerAndRunsAnSbiKernel() throws IOException
    {
        final ElfImage openSbi = require(QemuRunner.OPENSBI_FW_JUMP, "opensbi");
        final RecordingConsole console = new RecordingConsole("");
        final MachineExit exit;
        try (VirtMachine machine = VirtMachine.create(new MachineConfig().bootMode(BootMode.EXTERNAL)
            .firmware(openSbi).kernel(GuestPrograms.image("hello-sbi")).console(console)
            .maxInstructions(200_000_000)))
        {
            exit = machine.run();
        }
        final String output = console.text().replace("\r", "");
        assertTrue(output.contains("OpenSBI v"), output);
        assertTrue(output.contains("Platform Name             : javisor,virt"), output);
        assertTrue(output.contains("Platform Console Device   : uart8250"), output);
        assertTrue(output.contains("Boot HART Base ISA        : rv64imac"), output);
        assertTrue(output.contains("Domain0 Next Address      : 0x0000000080200000"), output);
        // The kernel's own output under OpenSBI is exactly what it printed under QEMU's OpenSBI.
        assertEquals(GuestPrograms.expected("hello-sbi"), QemuRun.afterStartLine(console.bytes()));
        // OpenSBI shuts down through the sifive_test device, with a 16-bit pass write.
        assertEquals(MachineExit.Kind.FINISHER, exit.kind(), exit.detail());
        assertEquals(0, exit.exitCode());
    }

    @Test
    void openSbiFwDynamicFollowsTheBootInformationItIsPassed() throws IOException
    {
        final Path fwDynamic = QemuRunner.OPENSBI_FW_JUMP.resolveSibling("fw_dynamic.elf");
        final ElfImage openSbi = require(fwDynamic, "opensbi");
        final RecordingConsole console = new RecordingConsole();
        final MachineExit exit;
        final long dtb;
        try (VirtMachine machine = VirtMachine.create(new MachineConfig().bootMode(BootMode.EXTERNAL)
            .firmware(openSbi).kernel(GuestPrograms.image("hello-sbi")).console(console)
            .maxInstructions(200_000_000)))
        {
            dtb = machine.deviceTreeAddress();
            exit = machine.run();
        }
        final String output = console.text().replace("\r", "");
        // fw_dynamic takes the next stage from the fw_dynamic_info javisor passes in a2, and the
        // device tree from a1.
        assertTrue(output.contains("Domain0 Next Address      : 0x0000000080200000"), output);
        assertTrue(output.contains(String.format("Domain0 Next Arg1         : 0x%016x", dtb)), output);
        assertTrue(output.contains("Domain0 Next Mode         : S-mode"), output);
        assertEquals(GuestPrograms.expected("hello-sbi"), QemuRun.afterStartLine(console.bytes()));
        assertEquals(MachineExit.Kind.FINISHER, exit.kind(), exit.detail());
    }

    @Test
    void uBootReachesItsPromptAndAnswersVersion() throws Exception
    {
        final ElfImage openSbi = require(QemuRunner.OPENSBI_FW_JUMP, "opensbi");
        final ElfImage uBoot = require(QemuRunner.UBOOT_SMODE, "u-boot-qemu");
        final UBootOperator operator = new UBootOperator();
        final MachineExit exit;
        try (VirtMachine machine = VirtMachine.create(new MachineConfig().bootMode(BootMode.EXTERNAL)
            .firmware(openSbi).kernel(uBoot).console(operator).maxInstructions(3_000_000_000L)))
        {
            operator.machine = machine;
            final Thread watchdog = Thread.ofVirtual().start(() ->
            {
                try
                {
                    Thread.sleep(TimeUnit.SECONDS.toMillis(90));
                    machine.stop();
                }
                catch (final InterruptedException ignored)
                {
                    // The run ended first.
                }
            });
            exit = machine.run();
            watchdog.interrupt();
        }
        final String output = operator.output();
        assertEquals(MachineExit.Kind.STOPPED, exit.kind(), exit.detail() + "\n" + output);
        assertTrue(output.contains("U-Boot 20"), output);
        assertTrue(output.contains("Model: javisor,virt"), output);
        assertTrue(output.contains("=> version"), output);
        final String afterVersion = output.substring(output.indexOf("=> version"));
        assertTrue(afterVersion.contains("U-Boot 20") && afterVersion.contains("GNU ld"), afterVersion);
        assertTrue(operator.done, "stopped by the operator, not the watchdog");
    }

    /** Types a key to stop autoboot, then `version` at the prompt, then stops the machine at the next prompt. */
    private static final class UBootOperator implements Console
    {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final StringBuilder tail = new StringBuilder();
        private String pending = "";
        private int stage;
        volatile VirtMachine machine;
        boolean done;

        @Override
        public void write(final int b)
        {
            out.write(b);
            tail.append((char)b);
            if (tail.length() > 64)
            {
                tail.delete(0, tail.length() - 64);
            }
            final String t = tail.toString();
            if (stage == 0 && t.endsWith("Hit any key to stop autoboot: "))
            {
                pending = " ";
                stage = 1;
            }
            else if (stage == 1 && t.endsWith("=> "))
            {
                pending = "version\r";
                stage = 2;
            }
            else if (stage == 2 && t.endsWith("=> ") && out.toString(StandardCharsets.UTF_8).contains("GNU ld"))
            {
                done = true;
                machine.stop();
            }
        }

        @Override
        public int read()
        {
            if (pending.isEmpty())
            {
                return -1;
            }
            final char c = pending.charAt(0);
            pending = pending.substring(1);
            return c;
        }

        String output()
        {
            return out.toString(StandardCharsets.UTF_8).replace("\r", "");
        }
    }
}
