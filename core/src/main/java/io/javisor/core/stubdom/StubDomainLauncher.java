package io.javisor.core.stubdom;

import io.javisor.core.ChildJvm;

import java.nio.file.Path;
import java.util.List;

/**
 * Starts stub domain processes ({@link ChildJvm}) with a 64 MiB heap and the socket and token as
 * arguments, passing on the mailbox's spin. Stateless; thread-safe.
 */
final class StubDomainLauncher
{
    /** The mailbox's spin before parking, passed on to the stub (see StubChannelKind). */
    static final String SPIN_PROPERTY = "javisor.stubdom.spinNanos";
    private static final int MAX_HEAP_MIB = 64;

    private StubDomainLauncher()
    {
    }

    static Process launch(final String mainClass, final Path socket, final long token, final Path log)
    {
        return ChildJvm.start("a stub domain process", mainClass, List.of(socket.toString(), Long.toString(token)),
            List.of(SPIN_PROPERTY), MAX_HEAP_MIB, log);
    }
}
