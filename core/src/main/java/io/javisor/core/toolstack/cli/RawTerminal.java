package io.javisor.core.toolstack.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * This process's controlling terminal in raw mode (no echo, no line editing, no signals, as
 * {@code qemu -nographic} and {@code xl console} leave it) until {@link #close()} restores what it
 * was. Without a terminal (stdin or stdout redirected) it changes nothing. One owner thread.
 */
final class RawTerminal implements AutoCloseable
{
    private final String saved;

    private RawTerminal(final String saved)
    {
        this.saved = saved;
    }

    /** Puts the terminal in raw mode, remembering its settings. */
    static RawTerminal enter()
    {
        final String saved = System.console() != null ? stty("-g") : null;
        if (saved != null)
        {
            stty("raw -echo");
        }
        return new RawTerminal(saved);
    }

    /** Restores the settings {@link #enter()} found. */
    @Override
    public void close()
    {
        if (saved != null)
        {
            stty(saved);
        }
    }

    /** Runs {@code stty ARGS} on the controlling terminal; its output, or null when there is none. */
    private static String stty(final String args)
    {
        try
        {
            final Process process = new ProcessBuilder("/bin/sh", "-c", "stty " + args + " < /dev/tty")
                .redirectErrorStream(true).start();
            final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return process.waitFor() == 0 ? output : null;
        }
        catch (final IOException ex)
        {
            return null;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
