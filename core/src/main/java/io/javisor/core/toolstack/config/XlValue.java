package io.javisor.core.toolstack.config;

import java.util.List;

/**
 * The value of one setting: a string, a number, or a list of strings and numbers. Immutable.
 * {@link #toString()} writes the value in xl.cfg syntax, which reads back to an equal value.
 */
public sealed interface XlValue
{
    /** The line the value starts on. */
    int line();

    /** What kind of value it is, for an error message: {@code a string}, {@code a number}, {@code a list}. */
    String kind();

    /**
     * A quoted string, its escapes resolved.
     */
    record Text(String value, int line) implements XlValue
    {
        @Override
        public String kind()
        {
            return "a string";
        }

        @Override
        public String toString()
        {
            return quote(value);
        }
    }

    /**
     * An unquoted number, 0 to 2^63 - 1.
     */
    record Number(long value, int line) implements XlValue
    {
        @Override
        public String kind()
        {
            return "a number";
        }

        @Override
        public String toString()
        {
            return Long.toString(value);
        }
    }

    /**
     * {@code [ ... ]}: each item a {@link Text} or a {@link Number} with the line it is on.
     */
    record Items(List<XlValue> items, int line) implements XlValue
    {
        public Items
        {
            items = List.copyOf(items);
            for (final XlValue item : items)
            {
                if (item instanceof Items)
                {
                    throw new IllegalArgumentException("xl.cfg lists hold strings and numbers, not lists");
                }
            }
        }

        @Override
        public String kind()
        {
            return "a list";
        }

        @Override
        public String toString()
        {
            if (items.isEmpty())
            {
                return "[]";
            }
            final StringBuilder text = new StringBuilder("[ ");
            for (int i = 0; i < items.size(); i++)
            {
                text.append(i == 0 ? "" : ", ").append(items.get(i));
            }
            return text.append(" ]").toString();
        }
    }

    /**
     * {@code value} as a double-quoted xl.cfg string: backslash, double quote and control
     * characters escaped, so the result is one line that the lexer reads back to {@code value}.
     */
    static String quote(final String value)
    {
        final StringBuilder quoted = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length(); i++)
        {
            final char c = value.charAt(i);
            switch (c)
            {
                case '"' -> quoted.append("\\\"");
                case '\\' -> quoted.append("\\\\");
                case '\n' -> quoted.append("\\n");
                case '\r' -> quoted.append("\\r");
                case '\t' -> quoted.append("\\t");
                default ->
                {
                    if (c < ' ' || c == 0x7F)
                    {
                        quoted.append(String.format("\\x%02x", (int)c));
                    }
                    else
                    {
                        quoted.append(c);
                    }
                }
            }
        }
        return quoted.append('"').toString();
    }
}
