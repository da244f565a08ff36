package io.javisor.perf.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code javisor test}: the launcher script runs Maven itself for this; when the jar is run
 * directly, this runs {@code mvn -B verify} in the project root (found from the current
 * directory upwards) and returns Maven's exit code.
 */
@Command(
    name = "test",
    mixinStandardHelpOptions = true,
    description = "run the whole test suite")
final class TestCommand implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    @Parameters(arity = "0..*", paramLabel = "MAVEN_ARG", description = "Extra arguments for Maven.")
    private List<String> mavenArgs = new ArrayList<>();

    @Override
    public Integer call() throws IOException, InterruptedException
    {
        final Path root = findProjectRoot(Path.of("").toAbsolutePath());
        if (root == null)
        {
            spec.commandLine().getErr().println("javisor test: no javisor project (root pom.xml with the perf module) "
                + "in " + Path.of("").toAbsolutePath() + " or above");
            return 1;
        }
        final List<String> command = new ArrayList<>(List.of("mvn", "-B", "verify"));
        command.addAll(mavenArgs);
        final ProcessBuilder builder = new ProcessBuilder(command).directory(root.toFile()).inheritIO();
        final Map<String, String> env = builder.environment();
        // Build with this JDK unless told otherwise, and let Maven's own JVM use sun.misc.Unsafe quietly.
        env.putIfAbsent("JAVA_HOME", System.getProperty("java.home"));
        final String mavenOpts = env.getOrDefault("MAVEN_OPTS", "");
        if (!mavenOpts.contains("--sun-misc-unsafe-memory-access"))
        {
            env.put("MAVEN_OPTS", (mavenOpts + " --sun-misc-unsafe-memory-access=allow").trim());
        }
        try
        {
            return builder.start().waitFor();
        }
        catch (final IOException ex)
        {
            spec.commandLine().getErr().println("javisor test: cannot run mvn: " + ex.getMessage());
            return 1;
        }
    }

    /**
     * The nearest directory at or above {@code start} whose pom.xml is javisor's root pom
     * (an aggregator listing the perf module), or null.
     */
    static Path findProjectRoot(final Path start)
    {
        for (Path dir = start; dir != null; dir = dir.getParent())
        {
            final Path pom = dir.resolve("pom.xml");
            if (Files.isRegularFile(pom) && Files.isRegularFile(dir.resolve("perf").resolve("pom.xml")))
            {
                try
                {
                    final String text = Files.readString(pom);
                    if (text.contains("<module>perf</module>"))
                    {
                        return dir;
                    }
                }
                catch (final IOException ignore)
                {
                    // Not readable: keep looking further up.
                }
            }
        }
        return null;
    }
}
