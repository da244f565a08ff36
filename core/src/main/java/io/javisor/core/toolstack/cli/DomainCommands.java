package io.javisor.core.toolstack.cli;

import io.javisor.core.toolstack.ToolstackClient;
import io.javisor.core.toolstack.config.BuiltinConfigs;
import io.javisor.core.toolstack.ToolstackProtocol;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The commands that act on one domain by name or id, as xl's. Stateless holder of the command classes. */
final class DomainCommands
{
    private DomainCommands()
    {
    }

    @Command(name = "create", description = "Create a domain from an xl.cfg file (KEY=VALUE arguments override the file's).")
    static final class Create extends ClientCommand
    {
        @Option(names = "-p", description = "Leave the domain paused after creating it.")
        boolean paused;

        @Option(names = "-c", description = "Attach to the domain's console once it is created.")
        boolean console;

        @Parameters(index = "0", paramLabel = "CFG", description = "The domain's xl.cfg file.")
        Path config;

        @Parameters(index = "1..*", paramLabel = "KEY=VALUE", description = "Settings that replace the file's.")
        List<String> overrides = new ArrayList<>();

        @Override
        int run(final ToolstackClient client, final PrintWriter out) throws Exception
        {
            final Map<String, Object> args = new LinkedHashMap<>();
            args.put("config", config.toAbsolutePath().toString());
            args.put("cwd", Path.of("").toAbsolutePath().toString());
            args.put("overrides", overrides);
            args.put("paused", paused);
            final Map<?, ?> created = (Map<?, ?>)client.call(ToolstackProtocol.CREATE, args);
            out.println("Parsing config from " + config);
            out.println("Domain " + created.get("id") + " '" + created.get("name") + "' created" + (paused ? " (paused)" : ""));
            out.flush();
            if (console)
            {
                ConsoleCommand.attach(socket, String.valueOf(created.get("id")), out);
            }
            return 0;
        }
    }

    @Command(name = "driver-domain", description = "Create a driver domain from javisor's built-in config: block and " +
        "network back ends in a process of their own, named by guests' backend=NAME (KEY=VALUE arguments override it).")
    static final class DriverDomain extends ClientCommand
    {
        @Option(names = "--name", paramLabel = "NAME", defaultValue = "driver", description = "The domain's name (default: ${DEFAULT-VALUE}).")
        String name;

        @Parameters(paramLabel = "KEY=VALUE", description = "Settings that replace the built-in config's.")
        List<String> overrides = new ArrayList<>();

        @Override
        int run(final ToolstackClient client, final PrintWriter out) throws Exception
        {
            // The name goes last, so that errors number the user's own settings from 1.
            final List<String> settings = new ArrayList<>(overrides);
            settings.add("name=\"" + name + "\"");
            final Map<String, Object> args = new LinkedHashMap<>();
            args.put("builtin", BuiltinConfigs.DRIVER_DOMAIN);
            args.put("cwd", Path.of("").toAbsolutePath().toString());
            args.put("overrides", settings);
            args.put("paused", false);
            final Map<?, ?> created = (Map<?, ?>)client.call(ToolstackProtocol.CREATE, args);
            out.println("Driver domain " + created.get("id") + " '" + created.get("name") + "' created");
            out.flush();
            return 0;
        }
    }

    @Command(name = "destroy", description = "Destroy a domain at once: every resource it holds is released.")
    static final class Destroy extends OneDomainCommand
    {
        @Override
        String request()
        {
            return ToolstackProtocol.DESTROY;
        }
    }

    @Command(name = "shutdown", description = "Ask a domain to power off (xenstore control/shutdown).")
    static final class Shutdown extends OneDomainCommand
    {
        @Option(names = "-w", description = "Wait until the domain has shut down.")
        boolean await;

        @Override
        String request()
        {
            return ToolstackProtocol.SHUTDOWN;
        }

        @Override
        Map<String, Object> arguments()
        {
            return Map.of("wait", await);
        }
    }

    @Command(name = "reboot", description = "Ask a domain to reboot (xenstore control/shutdown).")
    static final class Reboot extends OneDomainCommand
    {
        @Override
        String request()
        {
            return ToolstackProtocol.REBOOT;
        }
    }

    @Command(name = "pause", description = "Pause a domain: its vCPU runs no instruction until unpaused.")
    static final class Pause extends OneDomainCommand
    {
        @Override
        String request()
        {
            return ToolstackProtocol.PAUSE;
        }
    }

    @Command(name = "unpause", description = "Let a paused domain run again.")
    static final class Unpause extends OneDomainCommand
    {
        @Override
        String request()
        {
            return ToolstackProtocol.UNPAUSE;
        }
    }

    @Command(name = "save", description = "Not supported yet: javisor cannot save a domain's state to a file.")
    static final class Save extends ClientCommand
    {
        @Parameters(arity = "0..*", paramLabel = "ARG")
        List<String> ignored = new ArrayList<>();

        @Override
        int run(final ToolstackClient client, final PrintWriter out)
        {
            client.call(ToolstackProtocol.SAVE, Map.of());
            return 0;
        }
    }

    @Command(name = "restore", description = "Not supported yet: javisor cannot restore a domain from a file.")
    static final class Restore extends ClientCommand
    {
        @Parameters(arity = "0..*", paramLabel = "ARG")
        List<String> ignored = new ArrayList<>();

        @Override
        int run(final ToolstackClient client, final PrintWriter out)
        {
            client.call(ToolstackProtocol.RESTORE, Map.of());
            return 0;
        }
    }
}
