package io.javisor.perf.cpu;

import io.javisor.emulation.guests.GuestImages;
import io.javisor.emulation.machine.BootMode;
import io.javisor.emulation.machine.Console;
import io.javisor.emulation.machine.MachineConfig;
import io.javisor.emulation.machine.MachineExit;
import io.javisor.emulation.machine.VirtMachine;
import io.javisor.emulation.reference.QemuRunner;
import io.javisor.perf.HarnessBenchmarks;
import io.javisor.perf.cli.JavisorMain;
import io.javisor.perf.report.BenchReport;
import io.javisor.perf.report.MiniJson;
import io.javisor.perf.report.ReportAssertions;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CpuBenchmarkTest
{
    private static final String GUEST = "cpubench-small";
    private static final List<String> QEMU_KEYS = List.of("qemu_seconds", "qemu_seconds_raw", "qemu_startup_seconds",
        "qemu_mips", "ratio_interpreter_vs_qemu", "ratio_jit_vs_qemu");

    /**
     * One round of cpubench-small: the instruction count is a direct run's, the MIPS and the ratio
     * follow from the reported seconds; with QEMU installed its keys are there and consistent.
     */
    @Test
    void oneRoundReportsConsistentMetrics()
    {
        final StringWriter table = new StringWriter();
        final BenchReport report = new CpuBenchmark(new CpuBenchmark.Config(GUEST, 1, true)).runAndPrint(new PrintWriter(table));
        final Map<?, ?> root = assertInstanceOf(Map.class, MiniJson.parse(report.toJson()));
        assertEquals("cpu", root.get("benchmark"));
        final Map<?, ?> metrics = assertInstanceOf(Map.class, root.get("metrics"));
        final Map<?, ?> environment = assertInstanceOf(Map.class, root.get("environment"));
        assertEquals(GUEST, environment.get("guest"));
        assertEquals(1.0, number(environment, "rounds"));

        final double instructions = number(metrics, "guest_instructions");
        assertEquals(directRunInstructions(), (long)instructions);
        final double seconds = number(metrics, "javisor_interpreter_seconds");
        final double mips = number(metrics, "javisor_interpreter_mips");
        assertTrue(seconds > 0 && mips > 0, seconds + " s, " + mips + " MIPS");
        assertEquals(instructions / seconds / 1e6, mips, 0.01 + mips * 1e-4);
        assertTrue(table.toString().contains("javisor interpreter"), table.toString());
        final double jitSeconds = number(metrics, "javisor_jit_seconds");
        final double jitMips = number(metrics, "javisor_jit_mips");
        assertEquals(instructions / jitSeconds / 1e6, jitMips, 0.01 + jitMips * 1e-4);
        assertTrue(table.toString().contains("javisor jit"), table.toString());
        ReportAssertions.assertNoVerdicts(table.toString(), metrics);

        if (!QemuRunner.isAvailable())
        {
            QEMU_KEYS.forEach(key -> assertFalse(metrics.containsKey(key), key));
            assertTrue(table.toString().contains("not found on PATH"), table.toString());
            return;
        }
        final double raw = number(metrics, "qemu_seconds_raw");
        final double startup = number(metrics, "qemu_startup_seconds");
        final double qemuSeconds = number(metrics, "qemu_seconds");
        assertTrue(raw > 0 && startup > 0, raw + " " + startup);
        assertEquals(raw - startup, qemuSeconds, 2e-6);
        assertTrue(String.valueOf(environment.get("qemu_version")).startsWith("QEMU emulator version"),
            String.valueOf(environment.get("qemu_version")));
        assertTrue(table.toString().contains("raw process time - start-up"), table.toString());
        if (qemuSeconds <= 0)
        {
            // Shorter than QEMU's start-up noise: no MIPS claimed.
            assertFalse(metrics.containsKey("qemu_mips"));
            assertFalse(metrics.containsKey("ratio_interpreter_vs_qemu"));
            return;
        }
        final double qemuMips = number(metrics, "qemu_mips");
        assertEquals(instructions / qemuSeconds / 1e6, qemuMips, 0.01 + qemuMips * 1e-3);
        assertEquals(mips / qemuMips, number(metrics, "ratio_interpreter_vs_qemu"), 1e-5 + mips / qemuMips * 1e-3);
        assertEquals(jitMips / qemuMips, number(metrics, "ratio_jit_vs_qemu"), 1e-5 + jitMips / qemuMips * 1e-3);
    }

    @Test
    void withoutQemuItsKeysAreLeftOut()
    {
        final StringWriter table = new StringWriter();
        final BenchReport report = new CpuBenchmark(new CpuBenchmark.Config(GUEST, 1, false)).runAndPrint(new PrintWriter(table));
        final Map<?, ?> root = assertInstanceOf(Map.class, MiniJson.parse(report.toJson()));
        final Map<?, ?> metrics = assertInstanceOf(Map.class, root.get("metrics"));
        final Map<?, ?> environment = assertInstanceOf(Map.class, root.get("environment"));
        QEMU_KEYS.forEach(key -> assertFalse(metrics.containsKey(key), key));
        assertNull(environment.get("qemu_version"));
        assertEquals("disabled (--no-qemu)", environment.get("qemu_absent"));
        assertTrue(table.toString().contains("QEMU not run: disabled (--no-qemu)"), table.toString());
        assertEquals(directRunInstructions(), (long)number(metrics, "guest_instructions"));
    }

    @Test
    void outputMismatchNamesTheSide()
    {
        CpuBenchmark.checkOutput("QEMU (round 1)", GUEST, "abc\n", "abc\n");
        final CpuBenchmark.GuestMismatchException ex = assertThrows(CpuBenchmark.GuestMismatchException.class,
            () -> CpuBenchmark.checkOutput("javisor (round 1)", GUEST, "total : 0x1\n", "total : 0x2\n"));
        assertTrue(ex.getMessage().startsWith("javisor (round 1): console output differs from expected/cpubench-small.out "
            + "at byte 10"), ex.getMessage());
        assertFalse(ex.getMessage().contains("\n"), ex.getMessage());
    }

    @Test
    void rejectsBadConfigurations()
    {
        final IllegalArgumentException guest = assertThrows(IllegalArgumentException.class,
            () -> new CpuBenchmark.Config("nope", 1, true));
        assertTrue(guest.getMessage().contains("unknown guest 'nope'"), guest.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new CpuBenchmark.Config("hello", 1, true));
        assertThrows(IllegalArgumentException.class, () -> new CpuBenchmark.Config(null, 1, true));
        assertThrows(IllegalArgumentException.class, () -> new CpuBenchmark.Config(GUEST, 0, true));
        for (final String name : CpuBenchmark.GUESTS)
        {
            assertTrue(GuestImages.names().contains(name), name);
        }
    }

    @Test
    void isAHarnessBenchmarkAfterNet()
    {
        final List<String> names = HarnessBenchmarks.all().stream().map(b -> b.name()).toList();
        assertEquals(names.indexOf("net") + 1, names.indexOf("cpu"), names.toString());
    }

    @Test
    void commandLineOptionErrorsAreOneLine()
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final var commandLine = JavisorMain.commandLine();
        commandLine.setOut(new PrintWriter(out));
        commandLine.setErr(new PrintWriter(err));
        assertEquals(0, commandLine.execute("bench", "cpu", "--help"));
        for (final String option : new String[]{ "--guest", "--rounds", "--no-qemu", "--json" })
        {
            assertTrue(out.toString().contains(option), out.toString());
        }

        assertEquals(2, commandLine.execute("bench", "cpu", "--guest", "nope"));
        assertEquals(1, err.toString().lines().count(), err.toString());
        assertTrue(err.toString().contains("unknown guest 'nope'"), err.toString());

        final StringWriter err2 = new StringWriter();
        commandLine.setErr(new PrintWriter(err2));
        assertEquals(2, commandLine.execute("bench", "cpu", "--rounds", "0"));
        assertEquals(1, err2.toString().lines().count(), err2.toString());
        assertTrue(err2.toString().contains("rounds must be 1..1000: 0"), err2.toString());
    }

    private static long directRunInstructions()
    {
        try (VirtMachine machine = VirtMachine.create(new MachineConfig().bootMode(BootMode.BARE)
            .kernel(GuestImages.load(GUEST)).console(Console.NONE)))
        {
            final MachineExit exit = machine.run();
            assertEquals(0, exit.exitCode(), exit.detail());
            return exit.instructions();
        }
    }

    private static double number(final Map<?, ?> map, final String key)
    {
        final Object value = map.get(key);
        assertNotNull(value, "missing key " + key);
        return assertInstanceOf(Double.class, value, key).doubleValue();
    }
}
