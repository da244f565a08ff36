package io.javisor.perf.jmh;

import io.javisor.perf.JvmOptions;
import org.openjdk.jmh.runner.NoBenchmarksException;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs JMH as its own {@code org.openjdk.jmh.Main} would, without exiting the JVM, and with
 * javisor's JVM options ({@link JvmOptions}) put in front of every fork's arguments (ahead of any
 * {@code -jvmArgsPrepend} given on the command line).
 */
public final class JmhLauncher
{
    private JmhLauncher()
    {
    }

    /**
     * @return 0 on success, 1 when JMH failed or nothing matched, 2 for a bad command line.
     */
    public static int run(final String[] args, final PrintWriter err)
    {
        final CommandLineOptions commandLine;
        try
        {
            commandLine = new CommandLineOptions(args);
        }
        catch (final CommandLineOptionException ex)
        {
            err.println("javisor bench jmh: " + ex.getMessage());
            err.flush();
            return 2;
        }
        try
        {
            if (commandLine.shouldHelp())
            {
                commandLine.showHelp();
                return 0;
            }
            if (commandLine.shouldListProfilers())
            {
                commandLine.listProfilers();
                return 0;
            }
            if (commandLine.shouldListResultFormats())
            {
                commandLine.listResultFormats();
                return 0;
            }
            final Runner runner = new Runner(withJavisorJvmOptions(commandLine));
            if (commandLine.shouldList())
            {
                runner.list();
                return 0;
            }
            if (commandLine.shouldListWithParams())
            {
                runner.listWithParams(commandLine);
                return 0;
            }
            runner.run();
            return 0;
        }
        catch (final NoBenchmarksException ex)
        {
            err.println("javisor bench jmh: no benchmark matches " + commandLine.getIncludes()
                + " (`javisor bench jmh -l` lists them)");
            err.flush();
            return 1;
        }
        catch (final RunnerException | IOException ex)
        {
            err.println("javisor bench jmh: " + ex.getMessage());
            err.flush();
            return 1;
        }
    }

    /**
     * The command line's options with javisor's JVM options prepended for the forks.
     */
    public static Options withJavisorJvmOptions(final CommandLineOptions commandLine)
    {
        final List<String> prepend = new ArrayList<>(JvmOptions.list());
        if (commandLine.getJvmArgsPrepend().hasValue())
        {
            prepend.addAll(commandLine.getJvmArgsPrepend().get());
        }
        return new OptionsBuilder()
            .parent(commandLine)
            .jvmArgsPrepend(prepend.toArray(String[]::new))
            .build();
    }
}
