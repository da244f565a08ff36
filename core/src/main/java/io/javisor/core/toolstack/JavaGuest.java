package io.javisor.core.toolstack;

import io.javisor.ringio.DomainResources;

/**
 * A guest written in Java, started from an xl.cfg with {@code type = "java"} and
 * {@code class = "..."}: the toolstack creates the domain, attaches its disks and vifs, then calls
 * {@link #run} on a thread of the domain's own. The guest reaches its memory, grants, event channels
 * and xenstore only through {@link Context#resources()}, as any Java guest (e.g. {@code BlkFront.attach},
 * {@code NetFront.attach}). Returning from {@code run} powers the domain off; throwing crashes it.
 * Implementations need a public no-argument constructor.
 */
public interface JavaGuest
{
    /** What a Java guest is given. */
    interface Context
    {
        /** The domain's own resources. */
        DomainResources resources();

        /** Writes to the domain's console (what {@code javisor console} shows). */
        void print(String text);

        /** Reads the next byte typed on the console, or -1 when there is none. */
        int read();

        /** True once the toolstack asked the guest to shut down (shutdown, reboot, destroy). */
        boolean shutdownRequested();

        /** The guest asks for a reboot instead of a power-off when it returns. */
        void requestReboot();
    }

    void run(Context context) throws Exception;
}
