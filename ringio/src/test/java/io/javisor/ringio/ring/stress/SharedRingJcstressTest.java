package io.javisor.ringio.ring.stress;

import io.javisor.ringio.ring.FrontRing;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs the jcstress tests of this package ({@link RequestPublication}, {@link ResponsePublication},
 * {@link NoLostWakeup}) in a child JVM as part of {@code mvn test}, and fails if any of them
 * observed a forbidden outcome or could not run.
 * <p>
 * The verdict needs both a zero exit status (jcstress 0.16 ends with an uncaught AssertionError,
 * status 1, when a test fails) and a clean console report: the last progress line's "Results: N
 * planned; P passed, F failed, S soft errs, H hard errs" counters, the "Failed tests" and "Error
 * tests" sections of the final report, and an "[OK]" line for every test of this package, so that
 * a run that selected nothing, or lost a test, fails too. Each run keeps its console output and
 * HTML report in {@code target/jcstress/run-<time>-<pid>/} ({@code console.txt}, {@code report/}).
 */
class SharedRingJcstressTest
{
    private static final String TEST_PACKAGE = SharedRingJcstressTest.class.getPackageName();
    private static final List<String> STRESS_TESTS = List.of(
        RequestPublication.class.getName(),
        ResponsePublication.class.getName(),
        NoLostWakeup.class.getName() + ".Requests",
        NoLostWakeup.class.getName() + ".Responses");

    /**
     * Milliseconds per iteration and iterations per forked VM. jcstress runs each test in up to
     * four VM configurations (interpreter, C1, C2, C2 with its scheduling randomizers), one fork
     * each: 16 forked VMs for four tests, about a minute on two cores.
     */
    private static final String TIME_MS = "200";
    private static final String ITERATIONS = "3";
    private static final long RUN_TIMEOUT_SECONDS = 240;
    private static final DateTimeFormatter RUN_NAME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    /** Used when the test runs outside Maven, which normally passes javisor.jvm.options. */
    private static final String FALLBACK_JVM_OPTIONS =
        "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED --enable-native-access=ALL-UNNAMED " +
        "--sun-misc-unsafe-memory-access=allow";

    @Test
    void ringOrderingHoldsUnderJcstress() throws Exception
    {
        // One directory per run: other builds of this module may run this test at the same time.
        final Path workDir = targetDirectory().resolve("jcstress")
            .resolve("run-" + RUN_NAME.format(LocalDateTime.now()) + "-" + ProcessHandle.current().pid());
        Files.createDirectories(workDir);
        final Path console = workDir.resolve("console.txt");
        final Path snapshot = snapshotClasses(workDir.resolve("classes"));

        final List<String> jvmOptions = jvmOptions();
        final List<String> command = new ArrayList<>();
        command.add(javaExecutable());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(snapshot + File.pathSeparator + testClassPath());
        command.add("org.openjdk.jcstress.Main");
        command.addAll(List.of(
            "-t", Pattern.quote(TEST_PACKAGE + "."),
            "-m", "quick",
            "-f", "1",
            "-iters", ITERATIONS,
            "-time", TIME_MS,
            // All actors of a forked VM share one compilation mode: split per-actor
            // interpreter/C1/C2 mixes would multiply the forked VMs several times over, too slow
            // for two cores in a unit-test run.
            "-sc", "false",
            "-v",
            "-r", workDir.resolve("report").toString(),
            // Forks also inherit the host VM's options today; passing them explicitly does not
            // depend on that (a repeated --add-exports is harmless).
            "-jvmArgsPrepend", String.join(" ", jvmOptions)));

        final ProcessBuilder builder = new ProcessBuilder(command)
            // jcstress drops its binary result log into the working directory: keep it in target.
            .directory(workDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(console.toFile());

        final long start = System.nanoTime();
        final Process process = builder.start();
        final boolean exited;
        try
        {
            exited = process.waitFor(RUN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
        finally
        {
            if (process.isAlive())
            {
                // jcstress forks its own test VMs: stop them too, not just the host VM.
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        final long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
        final String output = Files.readString(console, StandardCharsets.UTF_8);
        System.out.println(summaryOf(output));
        System.out.printf("jcstress ran for %d s; full output in %s%n", seconds, console);

        if (!exited)
        {
            fail("jcstress did not finish within " + RUN_TIMEOUT_SECONDS + " s and was killed; see " + console);
        }
        assertEquals(0, process.exitValue(),
            () -> "jcstress exited with status " + process.exitValue() + "; see " + console + "\n" + tail(output));
        Verdict.parse(output).assertAllPassed(STRESS_TESTS);
        deleteTree(snapshot);
    }

    /**
     * Copies the classes the forked VMs load (this package, jcstress's generated TestList and the
     * ring package under test) out of target/: another build of this module may recompile
     * target/classes and target/test-classes while the forks start, one after another, over a
     * minute. The copy goes first on the class path, so TestList and these classes come from it.
     */
    private static Path snapshotClasses(final Path snapshot) throws Exception
    {
        final Path testClasses = codeSource(SharedRingJcstressTest.class);
        final Path mainClasses = codeSource(FrontRing.class);
        final String stressPackage = TEST_PACKAGE.replace('.', '/');
        final String ringPackage = FrontRing.class.getPackageName().replace('.', '/');
        copyFiles(testClasses.resolve(stressPackage), snapshot.resolve(stressPackage));
        copyFiles(mainClasses.resolve(ringPackage), snapshot.resolve(ringPackage));
        Files.createDirectories(snapshot.resolve("META-INF"));
        Files.copy(testClasses.resolve("META-INF/TestList"), snapshot.resolve("META-INF/TestList"));
        final String testList = Files.readString(snapshot.resolve("META-INF/TestList"), StandardCharsets.UTF_8);
        for (final String test : STRESS_TESTS)
        {
            final String simpleName = test.substring(TEST_PACKAGE.length() + 1);
            final String generated = stressPackage + "/" + simpleName.replace('.', '_') + "_jcstress.class";
            assertTrue(testList.contains(test) && Files.isRegularFile(snapshot.resolve(generated)),
                () -> "jcstress's annotation processor output for " + test +
                    " is missing (or target/ was being rebuilt)");
        }
        return snapshot;
    }

    /** Copies the regular files directly in {@code from} (not its sub-directories). */
    private static void copyFiles(final Path from, final Path to) throws IOException
    {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from))
        {
            for (final Path file : (Iterable<Path>)files.filter(Files::isRegularFile)::iterator)
            {
                Files.copy(file, to.resolve(file.getFileName().toString()));
            }
        }
    }

    private static void deleteTree(final Path root) throws IOException
    {
        try (Stream<Path> paths = Files.walk(root))
        {
            for (final Path path : (Iterable<Path>)paths.sorted(Comparator.reverseOrder())::iterator)
            {
                Files.delete(path);
            }
        }
    }

    // ---- the verdict parser is checked on canned output, so a broken parser cannot pass silently

    @Test
    void verdictAcceptsACleanRun()
    {
        Verdict.parse(cannedOutput(4, 4, 0, 0, 0, "No matches.", "No matches.")).assertAllPassed(List.of("a.B"));
    }

    @Test
    void verdictRejectsFailedTests()
    {
        final String output = cannedOutput(4, 3, 1, 0, 0, "1 matching test results.", "No matches.") +
            "\n...... [FAILED] a.B\n";
        assertThrows(AssertionError.class, () -> Verdict.parse(output).assertAllPassed(List.of("a.B")));
    }

    @Test
    void verdictRejectsErrorsAndMissingTests()
    {
        final String errors = cannedOutput(4, 3, 0, 0, 1, "No matches.", "1 matching test results.");
        assertThrows(AssertionError.class, () -> Verdict.parse(errors).assertAllPassed(List.of("a.B")));

        final String empty = cannedOutput(0, 0, 0, 0, 0, "No matches.", "No matches.");
        assertThrows(AssertionError.class, () -> Verdict.parse(empty).assertAllPassed(List.of("a.B")));

        final String other = cannedOutput(4, 4, 0, 0, 0, "No matches.", "No matches.");
        assertThrows(AssertionError.class, () -> Verdict.parse(other).assertAllPassed(List.of("a.C")));

        assertThrows(AssertionError.class, () -> Verdict.parse("Exception in thread \"main\""));
    }

    private static String cannedOutput(
        final int planned, final int passed, final int failed, final int soft, final int hard,
        final String failedSection, final String errorSection)
    {
        return String.join("\n",
            ".......... [OK] a.B",
            "  (fork: #1 of 1, iteration #1 of 3, JVM args: [-XX:+UseParallelGC])",
            String.format("(ETA:        now) (Sampling Rate: 1 M/sec) (JVMs: 0 starting, 0 running, 0 finishing) " +
                "(CPUs: 2 configured, 0 allocated) (Results: %d planned; %d passed, %d failed, %d soft errs, %d hard errs) ",
                planned, passed, failed, soft, hard),
            "RUN RESULTS:",
            "  Interesting tests: No matches.",
            "",
            "  Failed tests: " + failedSection,
            "",
            "  Error tests: " + errorSection,
            "");
    }

    /**
     * What jcstress reported: the final counters and report sections.
     */
    record Verdict(int planned, int passed, int failed, int softErrors, int hardErrors,
        String failedSection, String errorSection, String output)
    {
        private static final Pattern RESULTS = Pattern.compile(
            "Results: (\\d+) planned; (\\d+) passed, (\\d+) failed, (\\d+) soft errs, (\\d+) hard errs");
        private static final Pattern FAILED_SECTION = Pattern.compile("^\\s*Failed tests: (.*)$", Pattern.MULTILINE);
        private static final Pattern ERROR_SECTION = Pattern.compile("^\\s*Error tests: (.*)$", Pattern.MULTILINE);

        static Verdict parse(final String output)
        {
            final Matcher results = RESULTS.matcher(output);
            String[] last = null;
            while (results.find())
            {
                last = new String[]{
                    results.group(1), results.group(2), results.group(3), results.group(4), results.group(5)};
            }
            if (last == null)
            {
                throw new AssertionError("no jcstress result counters in the output:\n" + tail(output));
            }
            final int[] n = Arrays.stream(last).mapToInt(Integer::parseInt).toArray();
            return new Verdict(n[0], n[1], n[2], n[3], n[4],
                section(FAILED_SECTION, output), section(ERROR_SECTION, output), output);
        }

        void assertAllPassed(final List<String> expectedTests)
        {
            assertTrue(planned > 0, () -> "jcstress planned no test runs:\n" + tail(output));
            assertEquals(0, failed, () -> failed + " jcstress test runs saw a forbidden outcome:\n" + tail(output));
            assertEquals(0, hardErrors, () -> hardErrors + " jcstress test runs crashed or timed out:\n" + tail(output));
            assertEquals(0, softErrors, () -> softErrors + " jcstress test runs had soft errors:\n" + tail(output));
            assertEquals(planned, passed, () -> "not every planned jcstress run passed:\n" + tail(output));
            assertEquals("No matches.", failedSection, () -> "jcstress reports failed tests:\n" + tail(output));
            assertEquals("No matches.", errorSection, () -> "jcstress reports erroneous tests:\n" + tail(output));
            assertFalse(output.contains("[FAILED]"), () -> "jcstress printed a FAILED verdict:\n" + tail(output));
            for (final String test : expectedTests)
            {
                assertTrue(output.contains("[OK] " + test + "\n") || output.contains("[OK] " + test + "\r"),
                    () -> "jcstress did not run " + test + ":\n" + tail(output));
            }
        }

        private static String section(final Pattern pattern, final String output)
        {
            final Matcher matcher = pattern.matcher(output);
            String value = null;
            while (matcher.find())
            {
                value = matcher.group(1).trim();
            }
            if (value == null)
            {
                throw new AssertionError("jcstress printed no final report:\n" + tail(output));
            }
            return value;
        }
    }

    // ---- the child JVM's command line

    private static String javaExecutable()
    {
        return ProcessHandle.current().info().command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    private static List<String> jvmOptions()
    {
        final String configured = System.getProperty("javisor.jvm.options", FALLBACK_JVM_OPTIONS).trim();
        return configured.isEmpty() ? List.of() : List.of(configured.split("\\s+"));
    }

    /**
     * The test class path of this JVM. Surefire may boot from a manifest-only jar; it then still
     * publishes the real test class path in {@code java.class.path} once booted, and also in
     * {@code surefire.test.class.path}. Use whichever actually holds jcstress and these tests.
     */
    static String testClassPath()
    {
        final List<String> candidates = new ArrayList<>();
        candidates.add(System.getProperty("java.class.path"));
        candidates.add(System.getProperty("surefire.test.class.path"));
        for (final String candidate : candidates)
        {
            if (candidate != null && holdsJcstressAndTests(candidate))
            {
                return candidate;
            }
        }
        throw new AssertionError("no class path with jcstress-core and " + TEST_PACKAGE + " among " + candidates);
    }

    private static boolean holdsJcstressAndTests(final String classPath)
    {
        boolean jcstress = false;
        boolean tests = false;
        final String testClasses;
        try
        {
            testClasses = codeSource(SharedRingJcstressTest.class).toString();
        }
        catch (final URISyntaxException ex)
        {
            throw new IllegalStateException(ex);
        }
        for (final String entry : classPath.split(Pattern.quote(File.pathSeparator)))
        {
            final Path path = Path.of(entry).toAbsolutePath().normalize();
            jcstress |= path.getFileName() != null && path.getFileName().toString().startsWith("jcstress-core");
            tests |= path.toString().equals(testClasses);
        }
        return jcstress && tests;
    }

    /** The class directory (or jar) a class was loaded from. */
    private static Path codeSource(final Class<?> type) throws URISyntaxException
    {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toAbsolutePath().normalize();
    }

    /** The module's target directory: the parent of target/test-classes. */
    private static Path targetDirectory() throws URISyntaxException
    {
        return codeSource(SharedRingJcstressTest.class).getParent();
    }

    private static String summaryOf(final String output)
    {
        final int report = output.lastIndexOf("RUN RESULTS:");
        return report >= 0 ? output.substring(report) : tail(output);
    }

    private static String tail(final String output)
    {
        final int keep = 6000;
        return output.length() <= keep ? output : "..." + output.substring(output.length() - keep);
    }
}
