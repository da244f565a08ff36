package io.javisor.ringio.testing;

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
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs the jcstress tests of one package in a child JVM from a JUnit test, so they run with
 * {@code mvn test}, and fails unless every one of them ran and passed.
 * <p>
 * The JUnit wrapper lives in the stress package and names itself, the jcstress tests to expect
 * (fully qualified, nested tests as {@code Outer.Inner}) and the main-source packages the tests
 * exercise:
 * <pre>{@code
 * JcstressRun.of(SharedRingJcstressTest.class)
 *     .expect(RequestPublication.class.getName(), ...)
 *     .snapshotPackageOf(FrontRing.class)
 *     .run();
 * }</pre>
 * The module's test compilation must run jcstress's annotation processor (it writes
 * {@code META-INF/TestList} and the {@code *_jcstress} classes); see ringio's pom.
 * <p>
 * The verdict needs both a zero exit status (jcstress 0.16 ends with an uncaught AssertionError,
 * status 1, when a test fails) and a clean console report: the last progress line's "Results: N
 * planned; P passed, F failed, S soft errs, H hard errs" counters, the "Failed tests" and "Error
 * tests" sections of the final report, and an "[OK]" line for every expected test, so that a run
 * that selected nothing, or lost a test, fails too (see {@link Verdict}). Each run keeps its
 * console output and HTML report in {@code target/jcstress/run-<time>-<pid>/} ({@code console.txt},
 * {@code report/}).
 * <p>
 * The forked VMs load the stress package, jcstress's TestList and the snapshot packages from a
 * copy taken at the start: another build of the module may recompile target/ while the forks
 * start, one after another, over a minute. Classes outside those packages come from the ordinary
 * test class path.
 */
public final class JcstressRun
{
    /** Used when the test runs outside Maven, which normally passes javisor.jvm.options. */
    private static final String FALLBACK_JVM_OPTIONS =
        "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED --enable-native-access=ALL-UNNAMED " +
        "--sun-misc-unsafe-memory-access=allow";
    private static final DateTimeFormatter RUN_NAME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private final Class<?> wrapper;
    private final String stressPackage;
    private final List<String> expectedTests = new ArrayList<>();
    private final List<String> snapshotPackages = new ArrayList<>();
    private final List<String> extraOptions = new ArrayList<>();
    private Class<?> mainAnchor;
    private int timeMs = 200;
    private int iterations = 3;
    private long timeoutSeconds = 240;

    private JcstressRun(final Class<?> wrapper)
    {
        this.wrapper = wrapper;
        this.stressPackage = wrapper.getPackageName();
    }

    /**
     * A run of the jcstress tests in {@code wrapper}'s package; {@code wrapper} is the JUnit test
     * class that starts it (its class directory locates target/ and the test classes).
     */
    public static JcstressRun of(final Class<?> wrapper)
    {
        return new JcstressRun(wrapper);
    }

    /**
     * The jcstress tests that must run and pass: fully qualified names in the stress package, a
     * nested test as {@code Outer.Inner}.
     */
    public JcstressRun expect(final String... tests)
    {
        for (final String test : tests)
        {
            if (!test.startsWith(stressPackage + "."))
            {
                throw new IllegalArgumentException(test + " is not in " + stressPackage);
            }
            expectedTests.add(test);
        }
        return this;
    }

    /**
     * Snapshots the package of {@code mainClass} (its top-level directory of classes, not
     * sub-packages) together with the stress package.
     */
    public JcstressRun snapshotPackageOf(final Class<?> mainClass)
    {
        if (mainAnchor != null && !codeSourceOf(mainAnchor).equals(codeSourceOf(mainClass)))
        {
            throw new IllegalArgumentException(mainClass + " comes from another class directory than " + mainAnchor);
        }
        mainAnchor = mainClass;
        snapshotPackages.add(mainClass.getPackageName());
        return this;
    }

    /** Milliseconds per iteration; 200 by default. */
    public JcstressRun timeMs(final int timeMs)
    {
        this.timeMs = timeMs;
        return this;
    }

    /** Iterations per forked VM; 3 by default. */
    public JcstressRun iterations(final int iterations)
    {
        this.iterations = iterations;
        return this;
    }

    /** After this the run is killed (with its forked VMs) and fails; 240 by default. */
    public JcstressRun timeoutSeconds(final long timeoutSeconds)
    {
        this.timeoutSeconds = timeoutSeconds;
        return this;
    }

    /** More jcstress options, e.g. {@code "-strideSize", "16"} for tests with a large state. */
    public JcstressRun options(final String... options)
    {
        extraOptions.addAll(List.of(options));
        return this;
    }

    /**
     * Runs jcstress in quick mode, one fork per VM configuration, and asserts the verdict.
     *
     * @return the verdict, for the wrapper to report counts if it likes.
     */
    public Verdict run() throws Exception
    {
        if (expectedTests.isEmpty())
        {
            throw new IllegalStateException("no expected jcstress tests: a run that checks nothing passes nothing");
        }
        // One directory per run: other builds of this module may run this test at the same time.
        final Path workDir = codeSourceOf(wrapper).getParent().resolve("jcstress")
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
            "-t", Pattern.quote(stressPackage + "."),
            "-m", "quick",
            "-f", "1",
            "-iters", Integer.toString(iterations),
            "-time", Integer.toString(timeMs),
            // All actors of a forked VM share one compilation mode: split per-actor
            // interpreter/C1/C2 mixes would multiply the forked VMs several times over, too slow
            // for two cores in a unit-test run.
            "-sc", "false",
            "-v",
            "-r", workDir.resolve("report").toString(),
            // Forks also inherit the host VM's options today; passing them explicitly does not
            // depend on that (a repeated --add-exports is harmless).
            "-jvmArgsPrepend", String.join(" ", jvmOptions)));
        command.addAll(extraOptions);

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
            exited = process.waitFor(timeoutSeconds, TimeUnit.SECONDS);
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
            fail("jcstress did not finish within " + timeoutSeconds + " s and was killed; see " + console);
        }
        assertEquals(0, process.exitValue(),
            () -> "jcstress exited with status " + process.exitValue() + "; see " + console + "\n" + tail(output));
        final Verdict verdict = Verdict.parse(output);
        verdict.assertAllPassed(expectedTests);
        deleteTree(snapshot);
        return verdict;
    }

    /**
     * Copies the stress package, jcstress's generated TestList and the snapshot packages out of
     * target/. The copy goes first on the class path, so TestList (not another module's, also on
     * the test class path) and these classes come from it.
     */
    private Path snapshotClasses(final Path snapshot) throws IOException
    {
        final Path testClasses = codeSourceOf(wrapper);
        final String stressDirectory = stressPackage.replace('.', '/');
        copyFiles(testClasses.resolve(stressDirectory), snapshot.resolve(stressDirectory));
        for (final String mainPackage : snapshotPackages)
        {
            final String directory = mainPackage.replace('.', '/');
            copyFiles(codeSourceOf(mainAnchor).resolve(directory), snapshot.resolve(directory));
        }
        Files.createDirectories(snapshot.resolve("META-INF"));
        Files.copy(testClasses.resolve("META-INF/TestList"), snapshot.resolve("META-INF/TestList"));
        final String testList = Files.readString(snapshot.resolve("META-INF/TestList"), StandardCharsets.UTF_8);
        for (final String test : expectedTests)
        {
            final String simpleName = test.substring(stressPackage.length() + 1);
            final String generated = stressDirectory + "/" + simpleName.replace('.', '_') + "_jcstress.class";
            assertTrue(testList.contains(test) && Files.isRegularFile(snapshot.resolve(generated)),
                () -> "jcstress's annotation processor output for " + test +
                    " is missing (is the processor configured for this module's tests, or was target/ being rebuilt?)");
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

    /**
     * What jcstress reported: the final counters and report sections. Wrappers check the parser on
     * canned output, so a broken parser cannot pass silently.
     */
    public record Verdict(int planned, int passed, int failed, int softErrors, int hardErrors,
        String failedSection, String errorSection, String output)
    {
        private static final Pattern RESULTS = Pattern.compile(
            "Results: (\\d+) planned; (\\d+) passed, (\\d+) failed, (\\d+) soft errs, (\\d+) hard errs");
        private static final Pattern FAILED_SECTION = Pattern.compile("^\\s*Failed tests: (.*)$", Pattern.MULTILINE);
        private static final Pattern ERROR_SECTION = Pattern.compile("^\\s*Error tests: (.*)$", Pattern.MULTILINE);

        /**
         * @throws AssertionError when the output has no result counters or no final report.
         */
        public static Verdict parse(final String output)
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

        public void assertAllPassed(final List<String> expectedTests)
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
     * {@code surefire.test.class.path}. Use whichever actually holds jcstress and the wrapper's
     * test classes.
     */
    private String testClassPath()
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
        throw new AssertionError("no class path with jcstress-core and " + stressPackage + " among " + candidates);
    }

    private boolean holdsJcstressAndTests(final String classPath)
    {
        boolean jcstress = false;
        boolean tests = false;
        final String testClasses = codeSourceOf(wrapper).toString();
        for (final String entry : classPath.split(Pattern.quote(File.pathSeparator)))
        {
            final Path path = Path.of(entry).toAbsolutePath().normalize();
            jcstress |= path.getFileName() != null && path.getFileName().toString().startsWith("jcstress-core");
            tests |= path.toString().equals(testClasses);
        }
        return jcstress && tests;
    }

    /** The class directory (or jar) a class was loaded from. */
    private static Path codeSourceOf(final Class<?> type)
    {
        try
        {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toAbsolutePath().normalize();
        }
        catch (final URISyntaxException ex)
        {
            throw new IllegalStateException(ex);
        }
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
