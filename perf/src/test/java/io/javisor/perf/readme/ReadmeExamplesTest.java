package io.javisor.perf.readme;

import io.javisor.blkback.BlkFront;
import io.javisor.core.Hypervisor;
import io.javisor.emulation.machine.VirtMachine;
import io.javisor.memory.GuestMemory;
import io.javisor.netback.NetFront;
import io.javisor.ringio.DomainResources;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

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

/**
 * Every {@code java} code block in the README compiles against the current API and runs to the end
 * without an exception, so that the README cannot drift from the code. A block is a method body;
 * the imports it may use are the project's public packages and Agrona's buffers.
 */
class ReadmeExamplesTest
{
    private static final Pattern JAVA_BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);
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
                final String className = "ReadmeExample" + i;
                final Path source = work.resolve(className + ".java");
                Files.writeString(source, IMPORTS + "public class " + className +
                    " { public static void run() throws Exception {\n" + blocks.get(i) + "\n} }\n");
                compile(source, work, blocks.get(i));
                try (URLClassLoader loader = new URLClassLoader(new URL[] {work.toUri().toURL()},
                    ReadmeExamplesTest.class.getClassLoader()))
                {
                    loader.loadClass(className).getMethod("run").invoke(null);
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

    private static void compile(final Path source, final Path out, final String block)
    {
        final JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "a JDK compiler");
        final String classpath = Stream.of(Hypervisor.class, BlkFront.class, NetFront.class, DomainResources.class,
                GuestMemory.class, VirtMachine.class, UnsafeBuffer.class)
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
