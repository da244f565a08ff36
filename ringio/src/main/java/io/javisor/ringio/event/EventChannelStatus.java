package io.javisor.ringio.event;

/**
 * Port states ({@code EVTCHNSTAT_*}) and the negative errno values that event channel operations
 * return, with Linux's numbers as Xen uses them.
 */
public final class EventChannelStatus
{
    public static final int CLOSED = 0;
    public static final int UNBOUND = 1;
    public static final int INTERDOMAIN = 2;

    public static final int EPERM = -1;
    public static final int ESRCH = -3;
    public static final int EINVAL = -22;
    public static final int ENOSPC = -28;
    public static final int EBUSY = -16;

    private EventChannelStatus()
    {
    }

    public static String describe(final int code)
    {
        return switch (code)
        {
            case EPERM -> "operation not permitted";
            case ESRCH -> "no such domain";
            case EINVAL -> "invalid port or state";
            case ENOSPC -> "no free port";
            case EBUSY -> "port busy";
            default -> code >= 0 ? "ok" : "error " + code;
        };
    }
}
