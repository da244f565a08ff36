package io.javisor.core.toolstack.config;

/**
 * What the toolstack does when a domain powers off, reboots or crashes: {@code on_poweroff},
 * {@code on_reboot}, {@code on_crash}. Immutable (an enum). xl's coredump and soft-reset actions
 * are not offered.
 */
public enum ShutdownAction
{
    /** The domain is destroyed. */
    DESTROY("destroy"),
    /** The domain is destroyed and a new one is built from the same config. */
    RESTART("restart"),
    /** The domain is left as it is, for inspection, until it is destroyed by hand. */
    PRESERVE("preserve"),
    /** The old domain is kept under a new name and a new one is built from the same config. */
    RENAME_RESTART("rename-restart");

    private final String xlName;

    ShutdownAction(final String xlName)
    {
        this.xlName = xlName;
    }

    /** As written in a config: {@code destroy}, {@code restart}, {@code preserve}, {@code rename-restart}. */
    public String xlName()
    {
        return xlName;
    }

    /** The action named {@code xlName} exactly, or null. */
    public static ShutdownAction fromXlName(final String xlName)
    {
        for (final ShutdownAction action : values())
        {
            if (action.xlName.equals(xlName))
            {
                return action;
            }
        }
        return null;
    }

    /** {@code destroy, restart, preserve or rename-restart}. */
    static String choices()
    {
        return "destroy, restart, preserve or rename-restart";
    }
}
