package io.javisor.core.toolstack.cli;

import io.javisor.core.toolstack.ToolstackClient;
import io.javisor.core.toolstack.ToolstackException;
import io.javisor.core.toolstack.ToolstackProtocol;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * What every xl-style command shares: the daemon's socket ({@code --socket}), one connection per
 * command, and the error convention: a {@link ToolstackException} is one line on stderr,
 * {@code javisor <command>: <message>}, and exit code 1. Each subclass is one command, run once.
 */
abstract class ClientCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Option(names = "--socket", paramLabel = "PATH",
        description = "The daemon's socket (default: $XDG_RUNTIME_DIR/javisor/daemon.sock, else <tmpdir>/javisor-<user>/daemon.sock).")
    Path socket;

    @Override
    public final Integer call() throws Exception
    {
        try (ToolstackClient client = ToolstackClient.connect(socket != null ? socket : ToolstackProtocol.defaultSocket()))
        {
            return run(client, out());
        }
        catch (final ToolstackException ex)
        {
            final PrintWriter err = spec.commandLine().getErr();
            err.println("javisor " + spec.name() + ": " + ex.getMessage());
            err.flush();
            return 1;
        }
    }

    PrintWriter out()
    {
        return spec.commandLine().getOut();
    }

    /** The command's work over an open connection; its exit code. */
    abstract int run(ToolstackClient client, PrintWriter out) throws Exception;
}
