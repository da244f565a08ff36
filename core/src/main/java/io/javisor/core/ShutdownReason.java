package io.javisor.core;

/**
 * Why a domain shut down, with Xen's SHUTDOWN_* codes.
 */
public enum ShutdownReason
{
    POWEROFF(0), REBOOT(1), SUSPEND(2), CRASH(3), WATCHDOG(4), SOFT_RESET(5);

    private final int code;

    ShutdownReason(final int code)
    {
        this.code = code;
    }

    public int code()
    {
        return code;
    }
}
