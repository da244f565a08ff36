package io.javisor.core.toolstack.config;

/**
 * One token of an xl.cfg text, as {@link XlConfigLexer} reads it. Immutable.
 *
 * @param kind   what it is.
 * @param text   an identifier's name, a string's value with its escapes resolved, a number as
 *               written, or an {@link Kind#ERROR}'s reason; empty for punctuation.
 * @param number a number's value; 0 for other kinds.
 * @param line   the 1-based line the token starts on.
 */
record Token(Token.Kind kind, String text, long number, int line)
{
    enum Kind
    {
        IDENTIFIER, STRING, NUMBER, EQUALS, OPEN_LIST, CLOSE_LIST, COMMA, SEMICOLON,
        /** A line break; a comment ends at one and is part of it. */
        NEWLINE,
        /** The end of the text: every later call gives another. */
        END,
        /** Text that is no token; {@link #text()} says why. */
        ERROR
    }

    static Token of(final Kind kind, final int line)
    {
        return new Token(kind, "", 0, line);
    }

    /** What the token is, for an error message: {@code 'memory'}, {@code a string}, {@code '='}. */
    String describe()
    {
        return switch (kind)
        {
            case IDENTIFIER -> "'" + text + "'";
            case STRING -> "a string";
            case NUMBER -> "the number " + text;
            case EQUALS -> "'='";
            case OPEN_LIST -> "'['";
            case CLOSE_LIST -> "']'";
            case COMMA -> "','";
            case SEMICOLON -> "';'";
            case NEWLINE -> "the end of the line";
            case END -> "the end of the file";
            case ERROR -> text;
        };
    }
}
