package io.javisor.core.driver;

import io.javisor.core.ChildJvm;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts driver domain processes ({@link ChildJvm}) with a 128 MiB heap and the channel's socket, token
 * and idle mode as arguments, passing on the device threads' spin. Stateless; thread-safe.
 */
final class DriverProcessLauncher
{
    /** Passed on to the process: how long a PARK device thread spins before parking, in ns. */
    static final String SPIN_PROPERTY = "javisor.ddom.spinNanos";
    private static final int MAX_HEAP_MIB = 128;

    private DriverProcessLauncher()
    {
    }

    static Process launch(final DriverDomainConfig config, final Path socket, final long token, final Path log)
    {
        final List<String> arguments = new ArrayList<>(List.of(socket.toString(), Long.toString(token), config.idle().name()));
        arguments.addAll(config.extraArgs());
        return ChildJvm.start("driver domain " + config.name(), config.mainClass(), arguments, List.of(SPIN_PROPERTY),
            MAX_HEAP_MIB, log);
    }
}
