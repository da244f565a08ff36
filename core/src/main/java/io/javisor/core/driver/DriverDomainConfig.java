package io.javisor.core.driver;

import java.util.List;

/**
 * How a driver domain is run.
 *
 * @param name      the driver domain's name, which disk specs give as {@code backend=NAME}.
 * @param idle      how its serving threads wait for work.
 * @param spare     keep one process started and connected ahead, so that a restart only has to
 *                  activate it (a JVM takes far longer to start than the reconnection).
 * @param mainClass the class the process runs: {@link DriverDomainMain}, or a test's stand-in.
 * @param extraArgs arguments after the channel's (a test's stand-in may take some).
 */
public record DriverDomainConfig(String name, DriverIdle idle, boolean spare, String mainClass, List<String> extraArgs)
{
    public DriverDomainConfig
    {
        if (name == null || !name.matches("[A-Za-z0-9_-]{1,32}"))
        {
            throw new IllegalArgumentException("driver domain name '" + name + "' is not 1..32 letters, digits, _ or -");
        }
        extraArgs = List.copyOf(extraArgs);
    }

    /**
     * A driver domain that parks when idle, with a spare process.
     */
    public static DriverDomainConfig of(final String name)
    {
        return new DriverDomainConfig(name, DriverIdle.PARK, true, DriverDomainMain.class.getName(), List.of());
    }

    public DriverDomainConfig withIdle(final DriverIdle value)
    {
        return new DriverDomainConfig(name, value, spare, mainClass, extraArgs);
    }

    public DriverDomainConfig withSpare(final boolean value)
    {
        return new DriverDomainConfig(name, idle, value, mainClass, extraArgs);
    }

    public DriverDomainConfig withMainClass(final String value, final List<String> args)
    {
        return new DriverDomainConfig(name, idle, spare, value, args);
    }
}
