package io.javisor.core.toolstack.config;

/**
 * A config file, or a {@code KEY=VALUE} override, that javisor cannot take. Immutable. Its message is
 * one line in the form {@code FILE:LINE: KEY: WHY}; the line is left out when the problem is the
 * file as a whole (a required key missing, a file that cannot be read), the key when the problem
 * comes before one is known (a statement that starts with something else).
 */
public final class XlConfigException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /** The line number of a problem that belongs to no one line. */
    public static final int NO_LINE = 0;

    private final String source;
    private final int line;
    private final String key;
    private final String reason;

    /**
     * @param source the file's name as the user gave it, or {@value ConfigSource#COMMAND_LINE}.
     * @param line   1-based, or {@link #NO_LINE}.
     * @param key    the key the problem is about, or null.
     * @param reason why, in words, on one line.
     */
    public XlConfigException(final String source, final int line, final String key, final String reason)
    {
        super(format(source, line, key, reason));
        this.source = source;
        this.line = line;
        this.key = key;
        this.reason = reason;
    }

    private static String format(final String source, final int line, final String key, final String reason)
    {
        final StringBuilder message = new StringBuilder(source);
        if (line != NO_LINE)
        {
            message.append(':').append(line);
        }
        message.append(": ");
        if (key != null)
        {
            message.append(key).append(": ");
        }
        message.append(reason);
        // One line whatever the user's text held: a reason quoting it never carries a line break out.
        for (int i = 0; i < message.length(); i++)
        {
            if (isLineBreak(message.charAt(i)))
            {
                message.setCharAt(i, ' ');
            }
        }
        return message.toString();
    }

    /** What a terminal or an editor may start a new line at. */
    static boolean isLineBreak(final char c)
    {
        return c == '\n' || c == '\r' || c == 0x0B || c == '\f' || c == 0x85 || c == 0x2028 || c == 0x2029;
    }

    public String source()
    {
        return source;
    }

    /** 1-based, or {@link #NO_LINE}. */
    public int line()
    {
        return line;
    }

    /** The key, or null. */
    public String key()
    {
        return key;
    }

    public String reason()
    {
        return reason;
    }
}
