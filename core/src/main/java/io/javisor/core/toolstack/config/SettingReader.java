package io.javisor.core.toolstack.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Typed reads of one setting's value, each refusing a value of the wrong kind or out of range with
 * the setting's one-line error. Stateless.
 */
final class SettingReader
{
    private SettingReader()
    {
    }

    /**
     * @throws XlConfigException unless the value is a string.
     */
    static String text(final XlSetting setting)
    {
        if (setting.value() instanceof XlValue.Text text)
        {
            return text.value();
        }
        throw wrongKind(setting, setting.value(), XlKey.Kind.TEXT);
    }

    /**
     * A string that must not be empty.
     */
    static String nonEmptyText(final XlSetting setting)
    {
        final String text = text(setting);
        if (text.isEmpty())
        {
            throw setting.error("is empty");
        }
        return text;
    }

    /**
     * @param unit what the number counts, for the message ({@code MiB}), or null.
     * @throws XlConfigException unless the value is a number from {@code min} to {@code max}.
     */
    static int number(final XlSetting setting, final int min, final int max, final String unit)
    {
        if (!(setting.value() instanceof XlValue.Number number))
        {
            throw wrongKind(setting, setting.value(), XlKey.Kind.NUMBER);
        }
        if (number.value() < min || number.value() > max)
        {
            throw setting.error(number.value() + " is not between " + min + " and " + max + (unit == null ? "" : " " + unit));
        }
        return (int)number.value();
    }

    /**
     * @throws XlConfigException unless the value is a list of strings (an empty list is one).
     */
    static List<XlValue.Text> texts(final XlSetting setting)
    {
        if (!(setting.value() instanceof XlValue.Items list))
        {
            throw wrongKind(setting, setting.value(), XlKey.Kind.LIST);
        }
        final List<XlValue.Text> texts = new ArrayList<>(list.items().size());
        for (final XlValue item : list.items())
        {
            if (!(item instanceof XlValue.Text text))
            {
                throw setting.error(item, "list items must be strings, found " + item.kind() + " (" + item + ")");
            }
            texts.add(text);
        }
        return texts;
    }

    /**
     * {@code text}, a path, made absolute against the directory of the setting's source: the
     * config file's own directory, or the working directory for an override.
     *
     * @param at the value or list item the path came from, for the error's line.
     */
    static Path path(final XlSetting setting, final XlValue at, final String text)
    {
        if (text.isEmpty())
        {
            throw setting.error(at, "the path is empty");
        }
        try
        {
            return setting.source().directory().resolve(text);
        }
        catch (final InvalidPathException ex)
        {
            throw setting.error(at, "'" + text + "' is not a valid path: " + ex.getReason());
        }
    }

    private static XlConfigException wrongKind(final XlSetting setting, final XlValue value, final XlKey.Kind expected)
    {
        final String hint;
        if (expected == XlKey.Kind.NUMBER && value instanceof XlValue.Text text && text.value().matches("[0-9]{1,18}"))
        {
            hint = " (write " + text.value() + " without quotes)";
        }
        else if (expected == XlKey.Kind.TEXT && value instanceof XlValue.Number)
        {
            hint = " (write it in quotes)";
        }
        else
        {
            hint = "";
        }
        return setting.error("expected " + expected.description() + ", found " + value.kind() + hint);
    }
}
