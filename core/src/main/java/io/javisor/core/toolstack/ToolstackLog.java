package io.javisor.core.toolstack;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The toolstack's own messages (domains created, ended, destroyed, restarted; life-cycle actions
 * and their failures), the last {@link #LINES} of them, for {@code dmesg}. Any thread may append;
 * every method holds this object's monitor.
 */
public final class ToolstackLog
{
    public static final int LINES = 1000;

    private final ArrayDeque<String> lines = new ArrayDeque<>();

    public synchronized void add(final String message)
    {
        if (lines.size() == LINES)
        {
            lines.removeFirst();
        }
        lines.addLast("(" + Instant.now() + ") " + message);
    }

    public synchronized List<String> lines()
    {
        return new ArrayList<>(lines);
    }
}
