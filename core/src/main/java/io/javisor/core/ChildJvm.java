package io.javisor.core;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts a JVM process of the project's own (a driver domain's back ends, a stub domain's device
 * models): this JVM's java binary and class path, the options of this JVM that open modules or allow
 * native or unsafe memory access, {@code -Dchronicle.analytics.disable=true}, the named system
 * properties this JVM has, a small serial-collected heap, then the main class and its arguments; no
 * input, output and errors appended to a log file. Stateless; thread-safe.
 */
public final class ChildJvm
{
    private static final List<String> KEPT_PREFIXES = List.of(
        "--add-exports", "--add-opens", "--enable-native-access", "--sun-misc-unsafe-memory-access");

    private ChildJvm()
    {
    }

    /**
     * @param what           what is started, for the error message
     * @param passProperties system properties passed on when this JVM has them
     * @param maxHeapMiB     its heap limit (the initial heap is an eighth)
     * @throws UncheckedIOException (one line) when the process cannot be started
     */
    public static Process start(final String what, final String mainClass, final List<String> arguments,
        final List<String> passProperties, final int maxHeapMiB, final Path log)
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (final String argument : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            if (KEPT_PREFIXES.stream().anyMatch(argument::startsWith))
            {
                command.add(argument);
            }
        }
        command.add("-Dchronicle.analytics.disable=true");
        for (final String property : passProperties)
        {
            final String value = System.getProperty(property);
            if (value != null)
            {
                command.add("-D" + property + "=" + value);
            }
        }
        command.add("-XX:+UseSerialGC");
        command.add("-Xms" + Math.max(8, maxHeapMiB / 8) + "m");
        command.add("-Xmx" + maxHeapMiB + "m");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(arguments);
        try
        {
            return new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot start " + what + ": " + ex.getMessage(), ex);
        }
    }
}
