package io.javisor.core.toolstack.cli;

import io.javisor.core.toolstack.ToolstackClient;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.Map;

/**
 * A command that names one domain and, for some, one more argument (a device spec or name), sends
 * one request with them and prints nothing on success. Each subclass is one command, run once.
 */
abstract class OneDomainCommand extends ClientCommand
{
    @Parameters(index = "0", paramLabel = "DOM", description = "The domain's name or id.")
    String domain;

    /** The protocol's command. */
    abstract String request();

    /** The request's arguments besides the domain. */
    Map<String, Object> arguments()
    {
        return Map.of();
    }

    @Override
    final int run(final ToolstackClient client, final PrintWriter out)
    {
        final Map<String, Object> args = new java.util.LinkedHashMap<>(arguments());
        args.put("domain", domain);
        client.call(request(), args);
        return 0;
    }
}
