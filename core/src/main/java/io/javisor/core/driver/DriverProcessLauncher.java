package io.javisor.core.driver;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts driver domain processes: the same java binary and class path as this process, the JVM
 * options the project needs (those of this JVM that open modules or allow native access, and
 * {@code -Dchronicle.analytics.disable=true}), a small heap, and the channel's socket and token as
 * arguments. Output goes to a log file beside the socket.
 * <p>
 * Stateless; thread-safe.
 */
final class DriverProcessLauncher
{
    private static final List<String> KEPT_PREFIXES = List.of(
        "--add-exports", "--add-opens", "--enable-native-access", "--sun-misc-unsafe-memory-access");

    /** Passed on to the process: how long a PARK device thread spins before parking, in ns. */
    static final String SPIN_PROPERTY = "javisor.ddom.spinNanos";

    private DriverProcessLauncher()
    {
    }

    static Process launch(final DriverDomainConfig config, final Path socket, final long token, final Path log)
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(config.mainClass());
        command.add(socket.toString());
        command.add(Long.toString(token));
        command.add(config.idle().name());
        command.addAll(config.extraArgs());
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
            throw new UncheckedIOException("cannot start driver domain " + config.name() + ": " + ex.getMessage(), ex);
        }
    }

    static List<String> jvmOptions()
    {
        final List<String> options = new ArrayList<>();
        for (final String argument : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            for (final String prefix : KEPT_PREFIXES)
            {
                if (argument.startsWith(prefix))
                {
                    options.add(argument);
                    break;
                }
            }
        }
        options.add("-Dchronicle.analytics.disable=true");
        final String spin = System.getProperty(SPIN_PROPERTY);
        if (spin != null)
        {
            options.add("-D" + SPIN_PROPERTY + "=" + spin);
        }
        options.add("-XX:+UseSerialGC");
        options.add("-Xms16m");
        options.add("-Xmx128m");
        return options;
    }
}
