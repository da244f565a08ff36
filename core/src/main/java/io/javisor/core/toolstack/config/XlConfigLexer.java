package io.javisor.core.toolstack.config;

/**
 * Splits an xl.cfg text into {@link Token}s, one per {@link #next()} call. Not thread-safe: one
 * lexer reads one text on one thread. It never throws on bad input: text that is no token becomes
 * an {@link Token.Kind#ERROR} token, and the parser, which knows the key being read, reports it.
 * <ul>
 *   <li>Spaces, tabs and carriage returns separate tokens; a line feed is a {@link Token.Kind#NEWLINE}.</li>
 *   <li>{@code #} outside a string starts a comment that runs to the end of the line.</li>
 *   <li>Identifiers: {@code [A-Za-z_][A-Za-z0-9_]*}, case-sensitive.</li>
 *   <li>Numbers: decimal, or hexadecimal after {@code 0x}, from 0 to 2^63 - 1, no sign. A decimal
 *   number with a leading 0 is refused: xl reads {@code 010} as octal 8, which nobody means.</li>
 *   <li>Strings in {@code "..."} or {@code '...'}, on one line, with xl's escapes: {@code \\ \" \'
 *   \a \b \f \n \r \t \v}, {@code \xHH} (two hex digits) and {@code \OOO} (one to three octal digits,
 *   at most 0377), both giving the character of that code. An unknown escape is refused (xl drops
 *   it silently), and so is a NUL character, which a C string such as xl's cannot hold.</li>
 * </ul>
 */
final class XlConfigLexer
{
    private static final int MAX_OCTAL_ESCAPE = 0377;
    private static final String NUL = "a string may not hold a NUL character";

    private final String text;
    private int position;
    private int line;

    /**
     * @param firstLine the line number of the text's first line (an override's argument number).
     */
    XlConfigLexer(final String text, final int firstLine)
    {
        this.text = text;
        this.line = firstLine;
    }

    Token next()
    {
        while (position < text.length())
        {
            final char c = text.charAt(position);
            if (c == ' ' || c == '\t' || c == '\r')
            {
                position++;
            }
            else if (c == '#')
            {
                final int newline = text.indexOf('\n', position);
                position = newline < 0 ? text.length() : newline;
            }
            else if (c == '\n')
            {
                position++;
                return Token.of(Token.Kind.NEWLINE, line++);
            }
            else
            {
                return token(c);
            }
        }
        return Token.of(Token.Kind.END, line);
    }

    private Token token(final char c)
    {
        if (isIdentifierStart(c))
        {
            return identifier();
        }
        if (c >= '0' && c <= '9')
        {
            return number();
        }
        if (c == '"' || c == '\'')
        {
            return string(c);
        }
        final Token.Kind punctuation = switch (c)
        {
            case '=' -> Token.Kind.EQUALS;
            case '[' -> Token.Kind.OPEN_LIST;
            case ']' -> Token.Kind.CLOSE_LIST;
            case ',' -> Token.Kind.COMMA;
            case ';' -> Token.Kind.SEMICOLON;
            default -> null;
        };
        if (punctuation == null)
        {
            return error("unexpected character " + describe(c));
        }
        position++;
        return Token.of(punctuation, line);
    }

    private Token identifier()
    {
        final int start = position;
        while (position < text.length() && isIdentifierPart(text.charAt(position)))
        {
            position++;
        }
        return new Token(Token.Kind.IDENTIFIER, text.substring(start, position), 0, line);
    }

    private Token number()
    {
        final int start = position;
        while (position < text.length() && isIdentifierPart(text.charAt(position)))
        {
            position++;
        }
        final String written = text.substring(start, position);
        final boolean hex = written.length() > 2 && (written.startsWith("0x") || written.startsWith("0X"));
        final String digits = hex ? written.substring(2) : written;
        final int radix = hex ? 16 : 10;
        for (int i = 0; i < digits.length(); i++)
        {
            if (digit(digits.charAt(i), radix) < 0)
            {
                return error("'" + written + "' is not a number (decimal, or hexadecimal after 0x)");
            }
        }
        if (!hex && digits.length() > 1 && digits.charAt(0) == '0')
        {
            return error("'" + written + "' has a leading 0, which xl reads as octal: write it in decimal or after 0x");
        }
        try
        {
            return new Token(Token.Kind.NUMBER, written, Long.parseLong(digits, radix), line);
        }
        catch (final NumberFormatException ex)
        {
            return error("'" + written + "' is larger than " + Long.MAX_VALUE);
        }
    }

    private Token string(final char quote)
    {
        final int startLine = line;
        final String unclosed = "the string is not closed on its line (" + quote + " missing)";
        final StringBuilder value = new StringBuilder();
        position++;
        while (true)
        {
            if (atEndOfLine())
            {
                return error(unclosed);
            }
            final char c = text.charAt(position++);
            if (c == quote)
            {
                return new Token(Token.Kind.STRING, value.toString(), 0, startLine);
            }
            if (c != '\\')
            {
                if (c == 0)
                {
                    return error(NUL);
                }
                value.append(c);
                continue;
            }
            if (atEndOfLine())
            {
                return error(unclosed);
            }
            final String problem = escape(value);
            if (problem != null)
            {
                return error(problem);
            }
        }
    }

    /**
     * Reads the escape after a backslash, at {@link #position}, into {@code value}.
     *
     * @return null, or why the escape is refused.
     */
    private String escape(final StringBuilder value)
    {
        final char e = text.charAt(position++);
        final int simple = switch (e)
        {
            case '\\', '"', '\'' -> e;
            case 'a' -> 0x07;
            case 'b' -> '\b';
            case 'f' -> '\f';
            case 'n' -> '\n';
            case 'r' -> '\r';
            case 't' -> '\t';
            case 'v' -> 0x0B;
            default -> -1;
        };
        int code = simple;
        if (e == 'x')
        {
            final int high = position < text.length() ? digit(text.charAt(position), 16) : -1;
            final int low = position + 1 < text.length() ? digit(text.charAt(position + 1), 16) : -1;
            if (high < 0 || low < 0)
            {
                return "'\\x' in a string needs two hex digits, as in \\x41";
            }
            position += 2;
            code = high << 4 | low;
        }
        else if (e >= '0' && e <= '7')
        {
            code = e - '0';
            for (int digits = 1; digits < 3 && position < text.length() && digit(text.charAt(position), 8) >= 0; digits++)
            {
                code = code * 8 + digit(text.charAt(position++), 8);
            }
            if (code > MAX_OCTAL_ESCAPE)
            {
                return "an octal escape in a string goes up to \\377";
            }
        }
        else if (simple < 0)
        {
            return "unknown escape " + (e > ' ' && e < 0x7F ? "'\\" + e + "'" : "'\\' before " + describe(e)) + " in a string";
        }
        if (code == 0)
        {
            return NUL;
        }
        value.append((char)code);
        return null;
    }

    private boolean atEndOfLine()
    {
        return position >= text.length() || text.charAt(position) == '\n';
    }

    /** An ASCII digit's value in {@code radix}, else -1 (other scripts' digits are no digits here). */
    private static int digit(final char c, final int radix)
    {
        final int value = c >= '0' && c <= '9' ? c - '0' :
            c >= 'a' && c <= 'z' ? c - 'a' + 10 :
            c >= 'A' && c <= 'Z' ? c - 'A' + 10 : Integer.MAX_VALUE;
        return value < radix ? value : -1;
    }

    private Token error(final String reason)
    {
        // The lexer stops here: the parser reports the first error and reads no further.
        position = text.length();
        return new Token(Token.Kind.ERROR, reason, 0, line);
    }

    private static boolean isIdentifierStart(final char c)
    {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_';
    }

    private static boolean isIdentifierPart(final char c)
    {
        return isIdentifierStart(c) || c >= '0' && c <= '9';
    }

    private static String describe(final char c)
    {
        return c > ' ' && c < 0x7F ? "'" + c + "'" : String.format("U+%04X", (int)c);
    }
}
