package io.javisor.core.toolstack.config;

import java.nio.file.Path;

/**
 * Where settings came from: the name errors give for them and the directory their relative paths
 * resolve against. Immutable.
 *
 * @param name      the config file's path as the user gave it, or {@value #COMMAND_LINE}.
 * @param directory absolute: the config file's directory, or the working directory of the command
 *                  whose arguments the overrides were.
 */
public record ConfigSource(String name, Path directory)
{
    /** The name of the overrides given after the file, as {@code xl create FILE KEY=VALUE...}. */
    public static final String COMMAND_LINE = "command line";

    public ConfigSource
    {
        if (name == null || directory == null || !directory.isAbsolute())
        {
            throw new IllegalArgumentException("a config source needs a name and an absolute directory, got " +
                name + " in " + directory);
        }
    }

    /** A config file: named as given, its relative paths against its own directory. */
    public static ConfigSource file(final Path file)
    {
        final Path directory = file.toAbsolutePath().getParent();
        return new ConfigSource(file.toString(), directory == null ? file.toAbsolutePath().getRoot() : directory);
    }

    /** Overrides given on a command line run in {@code workingDirectory}. */
    public static ConfigSource commandLine(final Path workingDirectory)
    {
        return new ConfigSource(COMMAND_LINE, workingDirectory.toAbsolutePath());
    }

    /** One line of this source that something is wrong with. */
    public XlConfigException error(final int line, final String key, final String reason)
    {
        return new XlConfigException(name, line, key, reason);
    }
}
