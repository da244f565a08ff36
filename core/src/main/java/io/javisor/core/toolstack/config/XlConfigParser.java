package io.javisor.core.toolstack.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads the statements of an xl.cfg text into {@link XlSettings}, giving no meaning to keys or
 * values (that is {@link XlConfigMapper}'s job). Not thread-safe: one parser reads one text once.
 * The grammar is xl's:
 * <pre>
 *   file      = { [ statement ] end }
 *   statement = KEY "=" value
 *   end       = NEWLINE | ";" | end of text
 *   value     = STRING | NUMBER | "[" { NEWLINE } [ item { "," { NEWLINE } item } [ "," { NEWLINE } ] ] "]"
 *   item      = ( STRING | NUMBER ) { NEWLINE }
 * </pre>
 * so a list may span lines (comments included) and end with a comma, and a line may hold several
 * statements separated by {@code ;}. The first problem ends the parse with an {@link XlConfigException}.
 */
final class XlConfigParser
{
    private final ConfigSource source;
    private final XlConfigLexer lexer;
    private final XlSettings.Builder settings;

    private XlConfigParser(final ConfigSource source, final String text, final int firstLine, final XlSettings.Builder settings)
    {
        this.source = source;
        this.lexer = new XlConfigLexer(text, firstLine);
        this.settings = settings;
    }

    /**
     * The settings of a whole file.
     *
     * @throws XlConfigException at the first problem.
     */
    static XlSettings parse(final ConfigSource source, final String text)
    {
        final XlSettings.Builder settings = new XlSettings.Builder();
        new XlConfigParser(source, text, 1, settings).statements();
        return settings.build();
    }

    /**
     * Adds the settings of {@code text}, whose first line is line {@code firstLine} of
     * {@code source}, to {@code settings}.
     *
     * @return how many settings it held.
     * @throws XlConfigException at the first problem, or when a key is in {@code settings} already.
     */
    static int parseInto(final ConfigSource source, final String text, final int firstLine, final XlSettings.Builder settings)
    {
        return new XlConfigParser(source, text, firstLine, settings).statements();
    }

    private int statements()
    {
        int count = 0;
        Token token = lexer.next();
        while (token.kind() != Token.Kind.END)
        {
            switch (token.kind())
            {
                case NEWLINE, SEMICOLON -> token = lexer.next();
                case IDENTIFIER ->
                {
                    statement(token);
                    count++;
                    token = lexer.next();
                }
                default -> throw unexpected(token, null, "a key");
            }
        }
        return count;
    }

    private void statement(final Token keyToken)
    {
        final String key = keyToken.text();
        final Token equals = lexer.next();
        if (equals.kind() != Token.Kind.EQUALS)
        {
            throw unexpected(equals, key, "'=' after the key");
        }
        final XlValue value = value(key, lexer.next());
        settings.add(new XlSetting(key, value, source, keyToken.line()));
        final Token end = lexer.next();
        if (end.kind() != Token.Kind.NEWLINE && end.kind() != Token.Kind.SEMICOLON && end.kind() != Token.Kind.END)
        {
            throw unexpected(end, key, "the end of the line or ';' after the value");
        }
    }

    private XlValue value(final String key, final Token token)
    {
        return switch (token.kind())
        {
            case STRING -> new XlValue.Text(token.text(), token.line());
            case NUMBER -> new XlValue.Number(token.number(), token.line());
            case OPEN_LIST -> list(key, token.line());
            default -> throw unexpected(token, key, "a value (a string, a number or a list)");
        };
    }

    private XlValue.Items list(final String key, final int openLine)
    {
        final List<XlValue> items = new ArrayList<>();
        Token token = skipNewlines();
        if (token.kind() == Token.Kind.CLOSE_LIST)
        {
            return new XlValue.Items(items, openLine);
        }
        while (true)
        {
            items.add(item(key, openLine, token));
            token = skipNewlines();
            if (token.kind() == Token.Kind.CLOSE_LIST)
            {
                return new XlValue.Items(items, openLine);
            }
            if (token.kind() != Token.Kind.COMMA)
            {
                throw unclosedOr(token, key, openLine, "',' or ']' after a list item");
            }
            token = skipNewlines();
            if (token.kind() == Token.Kind.CLOSE_LIST)
            {
                return new XlValue.Items(items, openLine);
            }
        }
    }

    private XlValue item(final String key, final int openLine, final Token token)
    {
        return switch (token.kind())
        {
            case STRING -> new XlValue.Text(token.text(), token.line());
            case NUMBER -> new XlValue.Number(token.number(), token.line());
            case OPEN_LIST -> throw source.error(token.line(), key, "a list may hold strings and numbers, not lists");
            default -> throw unclosedOr(token, key, openLine, "a string or a number in the list");
        };
    }

    private Token skipNewlines()
    {
        Token token = lexer.next();
        while (token.kind() == Token.Kind.NEWLINE)
        {
            token = lexer.next();
        }
        return token;
    }

    private XlConfigException unclosedOr(final Token token, final String key, final int openLine, final String expected)
    {
        if (token.kind() == Token.Kind.END)
        {
            return source.error(openLine, key, "the list is not closed (']' missing)");
        }
        return unexpected(token, key, expected);
    }

    private XlConfigException unexpected(final Token token, final String key, final String expected)
    {
        if (token.kind() == Token.Kind.ERROR)
        {
            return source.error(token.line(), key, token.text());
        }
        return source.error(token.line(), key, "expected " + expected + ", found " + token.describe());
    }
}
