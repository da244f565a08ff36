package io.javisor.perf.readme;

import io.javisor.blkback.BlkFront;
import io.javisor.core.Hypervisor;
import io.javisor.core.junit.JavisorTest;
import io.javisor.emulation.machine.VirtMachine;
import io.javisor.memory.GuestMemory;
import io.javisor.netback.NetFront;
import io.javisor.ringio.DomainResources;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.opentest4j.AssertionFailedError;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * Every {@code java} code block in the README compiles against the current API and runs to the end
 * without an exception, so that the README cannot drift from the code. A block is a method body, or
 * a JUnit test class (a block that starts with imports, an annotation or {@code class}) whose tests
 * must all pass; the imports a block may use without writing them are the project's public packages
 * and Agrona's buffers.
 */
class ReadmeExamplesTest
{
    private static final Pattern JAVA_BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern TEST_CLASS = Pattern.compile("\\A\\s*(import |@|class )");
    private static final Pattern CLASS_NAME = Pattern.compile("(?m)^class (\\w+)");
    private static final String IMPORTS = """
        import io.javisor.core.*;
        import io.javisor.blkback.*;
        import io.javisor.blkback.image.*;
        import io.javisor.netback.*;
        import io.javisor.emulation.machine.*;
        import io.javisor.ringio.*;
        import org.agrona.concurrent.UnsafeBuffer;
        import java.nio.ByteBuffer;
        """;

    @Test
    void everyJavaExampleInTheReadmeCompilesAndRuns() throws Exception
    {
        final List<String> blocks = javaBlocks(readme());
        assertFalse(blocks.isEmpty(), "the README has Java examples");
        final Path work = Files.createTempDirectory("readme-examples");
        try
        {
            for (int i = 0; i < blocks.size(); i++)
            {
                final String block = blocks.get(i);
                final boolean testClass = TEST_CLASS.matcher(block).find();
                final String className = testClass ? testClassName(block) : "ReadmeExample" + i;
                final Path source = work.resolve(className + ".java");
                Files.writeString(source, testClass ? IMPORTS + block : IMPORTS + "public class " + className +
                    " { public static void run() throws Exception {\n" + block + "\n} }\n");
                compile(source, work, block);
                try (URLClassLoader loader = new URLClassLoader(new URL[] {work.toUri().toURL()},
                    ReadmeExamplesTest.class.getClassLoader()))
                {
                    if (testClass)
                    {
                        runTests(loader.loadClass(className), block);
                    }
                    else
                    {
                        loader.loadClass(className).getMethod("run").invoke(null);
                    }
                }
            }
        }
        finally
        {
            try (Stream<Path> files = Files.walk(work))
            {
                files.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static String testClassName(final String block)
    {
        final Matcher name = CLASS_NAME.matcher(block);
        assertTrue(name.find(), "README test class without a top-level 'class Name':\n" + block);
        return name.group(1);
    }

    /** Runs the class's tests as a build would; every test passes, and there is at least one. */
    private static void runTests(final Class<?> testClass, final String block)
    {
        final EngineExecutionResults results = EngineTestKit.engine("junit-jupiter").selectors(selectClass(testClass)).execute();
        final List<Throwable> failures = results.allEvents().failed().stream()
            .map(event -> event.getRequiredPayload(TestExecutionResult.class).getThrowable().orElseThrow())
            .toList();
        if (!failures.isEmpty())
        {
            final AssertionError error = new AssertionError("README test class fails:\n" + block);
            failures.forEach(error::addSuppressed);
            throw error;
        }
        assertTrue(results.testEvents().succeeded().count() > 0, "README test class runs no test:\n" + block);
    }

    private static void compile(final Path source, final Path out, final String block)
    {
        final JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "a JDK compiler");
        final String classpath = Stream.of(Hypervisor.class, BlkFront.class, NetFront.class, DomainResources.class,
                GuestMemory.class, VirtMachine.class, UnsafeBuffer.class, JavisorTest.class, Test.class,
                AssertionFailedError.class)
            .map(c -> c.getProtectionDomain().getCodeSource().getLocation().getPath())
            .distinct()
            .collect(Collectors.joining(java.io.File.pathSeparator));
        final ByteArrayOutputStream errors = new ByteArrayOutputStream();
        final int status = javac.run(null, null, errors, "-proc:none", "-d", out.toString(), "-cp", classpath,
            source.toString());
        assertEquals(0, status, "README example does not compile:\n" + block + "\n" +
            errors.toString(StandardCharsets.UTF_8));
    }

    private static List<String> javaBlocks(final String markdown)
    {
        final List<String> blocks = new ArrayList<>();
        final Matcher matcher = JAVA_BLOCK.matcher(markdown);
        while (matcher.find())
        {
            blocks.add(matcher.group(1));
        }
        return blocks;
    }

    private static String readme() throws Exception
    {
        // Tests run in the module directory; the README is at the project root.
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("README.md")))
        {
            dir = dir.getParent();
        }
        assertNotNull(dir, "README.md above " + Path.of("").toAbsolutePath());
        return Files.readString(dir.resolve("README.md"));
    }
}
