package io.javisor.core.toolstack.config;

/**
 * One {@code KEY = VALUE} statement and where it was written. Immutable.
 *
 * @param key    as written (keys are case-sensitive).
 * @param value  the value.
 * @param source the file, or the command line, it came from.
 * @param line   the line the key is on.
 */
public record XlSetting(String key, XlValue value, ConfigSource source, int line)
{
    /** Something wrong with this setting: {@code FILE:LINE: KEY: WHY}. */
    public XlConfigException error(final String reason)
    {
        return source.error(line, key, reason);
    }

    /** Something wrong with one item of this setting's list, on the item's own line. */
    public XlConfigException error(final XlValue item, final String reason)
    {
        return source.error(item.line(), key, reason);
    }

    /** Where it was written, for a message about another setting: {@code line 4}, or {@code command line:2}. */
    public String where()
    {
        return ConfigSource.COMMAND_LINE.equals(source.name()) ? source.name() + ":" + line : "line " + line;
    }

    @Override
    public String toString()
    {
        return key + " = " + value;
    }
}
