package io.javisor.core.stubdom;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts stub domain processes: this JVM's java binary and class path, the options of this JVM that
 * open modules or allow native or unsafe memory access, {@code -Dchronicle.analytics.disable=true},
 * a small serial-collected heap, then the main class, the socket and the token. Output goes to a log
 * file. Stateless; thread-safe.
 */
final class StubDomainLauncher
{
    private static final List<String> KEPT_PREFIXES = List.of(
        "--add-exports", "--add-opens", "--enable-native-access", "--sun-misc-unsafe-memory-access");

    /** The mailbox's spin before parking, passed on to the stub (see StubChannelKind). */
    static final String SPIN_PROPERTY = "javisor.stubdom.spinNanos";

    private StubDomainLauncher()
    {
    }

    static Process launch(final String mainClass, final Path socket, final long token, final Path log)
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
        final String spin = System.getProperty(SPIN_PROPERTY);
        if (spin != null)
        {
            command.add("-D" + SPIN_PROPERTY + "=" + spin);
        }
        command.add("-XX:+UseSerialGC");
        command.add("-Xms8m");
        command.add("-Xmx64m");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.add(socket.toString());
        command.add(Long.toString(token));
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
            throw new UncheckedIOException("cannot start a stub domain process: " + ex.getMessage(), ex);
        }
    }
}
