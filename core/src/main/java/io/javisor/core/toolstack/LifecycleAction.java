package io.javisor.core.toolstack;

import java.util.Locale;

/**
 * What the toolstack does when a domain powers off, reboots or crashes, as xl.cfg's
 * {@code on_poweroff}, {@code on_reboot} and {@code on_crash} say. Immutable.
 */
public enum LifecycleAction
{
    /** The domain is destroyed: memory, devices, channels, grants and xenstore nodes released. */
    DESTROY("destroy"),
    /** The domain is destroyed and created again from its configuration, under the same name. */
    RESTART("restart"),
    /** The domain is kept as it ended (listed, its console history readable) until destroyed. */
    PRESERVE("preserve"),
    /** The old domain is kept under a new name and a new one is created under the configured name. */
    RENAME_RESTART("rename-restart");

    private final String xlName;

    LifecycleAction(final String xlName)
    {
        this.xlName = xlName;
    }

    /** The name xl.cfg uses. */
    public String xlName()
    {
        return xlName;
    }

    /**
     * @throws IllegalArgumentException naming the value and the accepted ones
     */
    public static LifecycleAction parse(final String text)
    {
        for (final LifecycleAction action : values())
        {
            if (action.xlName.equals(text.toLowerCase(Locale.ROOT)))
            {
                return action;
            }
        }
        throw new IllegalArgumentException("'" + text + "' is not one of destroy, restart, preserve, rename-restart");
    }
}
