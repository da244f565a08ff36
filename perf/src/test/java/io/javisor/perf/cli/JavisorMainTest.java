package io.javisor.perf.cli;

import io.javisor.perf.JvmOptions;
import io.javisor.perf.jmh.JmhLauncher;
import io.javisor.perf.report.MiniJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JavisorMainTest
{
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(final String... args)
    {
        final CommandLine commandLine = JavisorMain.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }

    @Test
    void helpListsTheCommands()
    {
        assertEquals(0, run("--help"));
        final String usage = out.toString();
        assertTrue(usage.contains("Usage: javisor"), usage);
        assertTrue(usage.contains("bench"), usage);
        assertTrue(usage.contains("test") && usage.contains("run the whole test suite"), usage);
    }

    @Test
    void benchHelpListsItsBenchmarks()
    {
        assertEquals(0, run("bench", "--help"));
        assertTrue(out.toString().contains("ring"), out.toString());
        assertTrue(out.toString().contains("jmh"), out.toString());
        assertEquals(0, run("bench", "ring", "--help"));
        assertTrue(out.toString().contains("--payload"), out.toString());
    }

    @Test
    void badInputIsAUsageError()
    {
        assertEquals(2, run("frobnicate"));
        assertTrue(err.toString().contains("frobnicate"), err.toString());
        assertEquals(1, err.toString().strip().lines().count(), "one line: " + err);
        assertEquals(2, run("bench", "ring", "--payload", "3"));
        assertTrue(err.toString().contains("payload"), err.toString());
        assertEquals(2, run("bench", "ring", "--nope"));
        assertEquals(2, run());
    }

    @Test
    void versionNamesTheProject()
    {
        assertEquals(0, run("--version"));
        assertTrue(out.toString().startsWith("javisor "), out.toString());
    }

    @Test
    void benchRingWritesItsJsonReport(@TempDir final Path dir) throws Exception
    {
        final Path json = dir.resolve("ring.json");
        assertEquals(0, run("bench", "ring", "--seconds", "0.2", "--warmup", "0", "--json", json.toString()), err.toString());
        assertTrue(out.toString().contains("ratio_p50"), out.toString());
        final Map<?, ?> root = assertInstanceOf(Map.class, MiniJson.parse(Files.readString(json)));
        assertEquals("ring", root.get("benchmark"));
        final Map<?, ?> metrics = assertInstanceOf(Map.class, root.get("metrics"));
        assertTrue((Double)metrics.get("sharedring_round_trips") > 0);
        assertTrue((Double)metrics.get("agrona_round_trips") > 0);
        assertEquals(64.0, ((Map<?, ?>)root.get("environment")).get("payload"));
    }

    @Test
    void jmhForksGetTheJvmOptionsFirst() throws Exception
    {
        final Options options = JmhLauncher.withJavisorJvmOptions(
            new CommandLineOptions("-jvmArgsPrepend", "-Xmx1g", "SharedRing"));
        final List<String> prepend = List.copyOf(options.getJvmArgsPrepend().get());
        assertEquals(JvmOptions.list(), prepend.subList(0, JvmOptions.list().size()));
        assertEquals("-Xmx1g", prepend.getLast());
        assertEquals(List.of("SharedRing"), options.getIncludes());
    }

    @Test
    void testCommandFindsTheProjectRoot()
    {
        // Surefire runs in the perf module's directory, one below the root.
        final Path root = TestCommand.findProjectRoot(Path.of("").toAbsolutePath());
        assertNotNull(root);
        assertTrue(Files.isRegularFile(root.resolve("perf/pom.xml")));
    }
}
