package io.javisor.core.toolstack;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;

/**
 * Keys typed at a console in a test: the given text once the guest is ready (its output started),
 * then the escape key once {@code done} holds (or after 10 s).
 */
final class ConsoleTestKeys extends InputStream
{
    static final int ESCAPE = 0x1D;

    private final byte[] keys;
    private final BooleanSupplier done;
    private final long deadline = System.nanoTime() + 10_000_000_000L;
    private int next;

    ConsoleTestKeys(final String keys, final BooleanSupplier done)
    {
        this.keys = keys.getBytes(StandardCharsets.US_ASCII);
        this.done = done;
    }

    @Override
    public int read()
    {
        try
        {
            if (next == 0)
            {
                Thread.sleep(100); // the guest's greeting first
            }
            if (next < keys.length)
            {
                return keys[next++];
            }
            while (!done.getAsBoolean() && System.nanoTime() < deadline)
            {
                Thread.sleep(10);
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        return ESCAPE;
    }
}
