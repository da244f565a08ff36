package io.javisor.core.toolstack.config;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * The xl.cfg texts javisor ships, by name, for domains a user should not have to write a file
 * for; read like any file ({@code KEY=VALUE} overrides included). Immutable.
 */
public final class BuiltinConfigs
{
    /** A driver domain serving block and network back ends in a process of its own. */
    public static final String DRIVER_DOMAIN = "driver-domain";

    private static final Map<String, String> TEXTS = Map.of(DRIVER_DOMAIN, """
        # javisor's built-in driver domain: blkback and netback in a process of their own.
        # Guests name it in their specs: disk = [ "backend=driver, ..." ], vif = [ "backend=driver, ..." ].
        name = "driver"
        type = "pv"
        driver_domain = 1
        """);

    private BuiltinConfigs()
    {
    }

    /**
     * @return the text of the built-in config {@code name}.
     * @throws XlConfigException naming the built-in configs when there is none of that name.
     */
    public static byte[] text(final String name)
    {
        final String text = TEXTS.get(name);
        if (text == null)
        {
            throw new XlConfigException("built-in " + name + " config", XlConfigException.NO_LINE, null,
                "javisor has no such built-in config (there is: " + DRIVER_DOMAIN + ")");
        }
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Where a built-in config's settings come from, in errors; its relative paths resolve against {@code cwd}. */
    public static ConfigSource source(final String name, final Path cwd)
    {
        return new ConfigSource("built-in " + name + " config", cwd.toAbsolutePath());
    }
}
