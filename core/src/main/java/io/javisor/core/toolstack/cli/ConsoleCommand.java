package io.javisor.core.toolstack.cli;

import io.javisor.core.toolstack.ToolstackClient;
import io.javisor.core.toolstack.ToolstackProtocol;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.PrintWriter;
import java.nio.file.Path;

/**
 * {@code console [-t pv|serial] DOM}: the domain's console on this terminal (raw mode while
 * attached, restored on exit) until Ctrl-] ({@value #ESCAPE}). Runs once.
 */
@Command(name = "console", description = "Attach to a domain's console; Ctrl-] leaves it.")
final class ConsoleCommand extends ClientCommand
{
    static final int ESCAPE = 0x1D;

    @Option(names = "-t", paramLabel = "pv|serial", description = "Which console: each domain has one, which both name.")
    String type;

    @Parameters(paramLabel = "DOM", description = "The domain's name or id.")
    String domain;

    @Override
    int run(final ToolstackClient client, final PrintWriter out) throws Exception
    {
        if (type != null && !type.equals("pv") && !type.equals("serial"))
        {
            throw new io.javisor.core.toolstack.ToolstackException("console type '" + type + "' is neither pv nor serial");
        }
        out.flush();
        attachTo(client, domain);
        return 0;
    }

    /** Attaches over a new connection (for {@code create -c}). */
    static void attach(final Path socket, final String domain, final PrintWriter out)
    {
        out.flush();
        try (ToolstackClient client = ToolstackClient.connect(socket != null ? socket : ToolstackProtocol.defaultSocket()))
        {
            attachTo(client, domain);
        }
    }

    private static void attachTo(final ToolstackClient client, final String domain)
    {
        try (RawTerminal ignored = RawTerminal.enter())
        {
            client.console(domain, System.in, new FileOutputStream(FileDescriptor.out), ESCAPE);
        }
    }
}
