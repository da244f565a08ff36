package io.javisor.perf.cli;

import io.javisor.core.toolstack.cli.ToolstackCommands;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Properties;

/**
 * The {@code javisor} command (the launcher script runs it from {@code perf/target/javisor.jar}).
 * Without a command it prints usage and exits 2, as for any unknown command or bad option.
 */
@Command(
    name = "javisor",
    mixinStandardHelpOptions = true,
    versionProvider = JavisorMain.Version.class,
    description = "javisor: a Xen-like hypervisor runtime for the JVM.",
    subcommands = { BenchCommand.class, ReplayCommand.class, TestCommand.class },
    commandListHeading = "%nCommands:%n")
public final class JavisorMain
{
    public static void main(final String[] args)
    {
        System.exit(commandLine().execute(args));
    }

    /**
     * The configured command line, for {@link #main} and for tests.
     */
    public static CommandLine commandLine()
    {
        final CommandLine commandLine = new CommandLine(new JavisorMain());
        // The toolstack's commands (daemon, create, list, console, ...) live with the toolstack in core.
        for (final Class<?> command : ToolstackCommands.ALL)
        {
            commandLine.addSubcommand(command);
        }
        // JMH's own options (-f, -wi, -prof gc, ...) pass through `bench jmh` untouched.
        commandLine.getSubcommands().get("bench").getSubcommands().get("jmh")
            .setUnmatchedOptionsArePositionalParams(true);
        commandLine.setParameterExceptionHandler(JavisorMain::usageError);
        return commandLine;
    }

    /**
     * A bad command line: one line on stderr and exit code 2 (the usage itself only for a bare
     * {@code javisor}).
     */
    private static int usageError(final CommandLine.ParameterException ex, final String[] args)
    {
        final CommandLine command = ex.getCommandLine();
        final PrintWriter err = command.getErr();
        if (args.length == 0)
        {
            command.usage(err);
        }
        else
        {
            final String name = command.getCommandSpec().qualifiedName();
            final boolean hasHelp = command.getCommandSpec().optionsMap().containsKey("--help");
            err.println(name + ": " + ex.getMessage() + " (see '" + name + (hasHelp ? " --help" : " -h") + "')");
        }
        err.flush();
        return command.getCommandSpec().exitCodeOnInvalidInput();
    }

    /**
     * The project version, from a resource the build filters.
     */
    public static final class Version implements CommandLine.IVersionProvider
    {
        @Override
        public String[] getVersion() throws IOException
        {
            final Properties properties = new Properties();
            try (InputStream in = JavisorMain.class.getResourceAsStream("/javisor-version.properties"))
            {
                if (in != null)
                {
                    properties.load(in);
                }
            }
            final String version = properties.getProperty("version", "unknown");
            return new String[]{
                "javisor " + (version.startsWith("${") ? "unknown" : version),
                "JVM: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"),
            };
        }
    }
}
