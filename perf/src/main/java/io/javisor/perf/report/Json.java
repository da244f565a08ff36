package io.javisor.perf.report;

import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A small JSON writer for reports: objects (maps with string keys, written in iteration order),
 * arrays (lists), strings, numbers, booleans and null. Non-finite doubles, which JSON cannot
 * express, are written as null.
 */
public final class Json
{
    private Json()
    {
    }

    public static String write(final Object value)
    {
        final StringBuilder out = new StringBuilder(256);
        write(value, out, 0);
        out.append('\n');
        return out.toString();
    }

    private static void write(final Object value, final StringBuilder out, final int depth)
    {
        switch (value)
        {
            case null -> out.append("null");
            case String s -> string(s, out);
            case Boolean b -> out.append(b.booleanValue());
            case Double d -> number(d, out);
            case Float f -> number(f.doubleValue(), out);
            case Number n -> out.append(n); // integral types, BigDecimal, BigInteger: valid JSON text
            case Map<?, ?> map -> object(map, out, depth);
            case List<?> list -> array(list, out, depth);
            default -> string(value.toString(), out);
        }
    }

    private static void object(final Map<?, ?> map, final StringBuilder out, final int depth)
    {
        if (map.isEmpty())
        {
            out.append("{}");
            return;
        }
        out.append("{\n");
        final Iterator<? extends Map.Entry<?, ?>> it = map.entrySet().iterator();
        while (it.hasNext())
        {
            final Map.Entry<?, ?> entry = it.next();
            indent(out, depth + 1);
            string(String.valueOf(entry.getKey()), out);
            out.append(": ");
            write(entry.getValue(), out, depth + 1);
            out.append(it.hasNext() ? ",\n" : "\n");
        }
        indent(out, depth);
        out.append('}');
    }

    private static void array(final List<?> list, final StringBuilder out, final int depth)
    {
        out.append('[');
        for (int i = 0; i < list.size(); i++)
        {
            if (i > 0)
            {
                out.append(", ");
            }
            write(list.get(i), out, depth + 1);
        }
        out.append(']');
    }

    private static void number(final double value, final StringBuilder out)
    {
        if (!Double.isFinite(value))
        {
            out.append("null");
        }
        else if (value == Math.rint(value) && Math.abs(value) < 1e15)
        {
            out.append((long)value).append(".0");
        }
        else
        {
            // Double.toString is valid JSON for finite values ("1.5", "1.0E-5").
            out.append(value);
        }
    }

    private static void string(final String s, final StringBuilder out)
    {
        out.append('"');
        for (int i = 0; i < s.length(); i++)
        {
            final char c = s.charAt(i);
            switch (c)
            {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default ->
                {
                    if (c < 0x20)
                    {
                        out.append(String.format("\\u%04x", (int)c));
                    }
                    else
                    {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static void indent(final StringBuilder out, final int depth)
    {
        out.repeat(' ', 2 * depth);
    }
}
