package io.javisor.core.toolstack.config;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static io.javisor.core.toolstack.config.XlConfigFixtures.errorOf;
import static io.javisor.core.toolstack.config.XlConfigFixtures.read;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The file format: comments, strings and their escapes, numbers, lists over several lines, and
 * statement ends.
 */
class XlConfigSyntaxTest
{
    private static final String KERNEL = "kernel = '/k'\n";

    private static XlSettings settings(final String text)
    {
        return XlConfigFixtures.reader().settings(XlConfigFixtures.source("s.cfg"), text.getBytes(StandardCharsets.UTF_8), List.of());
    }

    private static XlValue value(final String text)
    {
        return settings("v = " + text).values().get("v");
    }

    private static String string(final String quoted)
    {
        return ((XlValue.Text)value(quoted)).value();
    }

    @Test
    void aHashInsideAStringIsNoComment()
    {
        assertEquals("console=hvc0 # not a comment", read(KERNEL + "name='a'\ncmdline = \"console=hvc0 # not a comment\" # a comment").cmdline());
        assertEquals("a#b", string("'a#b'"));
    }

    @Test
    void commentsAndBlankLinesAreSkippedAnywhere()
    {
        final XlSettings settings = settings("""
            # leading comment

               memory = 64   # trailing comment
            #name = "commented out"
            \t
            """);
        assertEquals(List.of("memory"), List.copyOf(settings.values().keySet()));
        assertEquals(3, settings.get("memory").line());
    }

    @Test
    void escapedQuotesAndBackslashesInBothQuoteStyles()
    {
        assertEquals("say \"hi\"", string("\"say \\\"hi\\\"\""));
        assertEquals("it's", string("'it\\'s'"));
        assertEquals("\"double\" inside single", string("'\"double\" inside single'"));
        assertEquals("'single' inside double", string("\"'single' inside double\""));
        assertEquals("C:\\path", string("'C:\\\\path'"));
    }

    @Test
    void xlsEscapesGiveTheirCharacters()
    {
        assertEquals("\u0007\b\f\n\r\t\u000B", string("\"\\a\\b\\f\\n\\r\\t\\v\""));
        assertEquals("AB", string("'\\x41\\x42'"));
        assertEquals("A\u00ff", string("'\\101\\377'"));
        assertEquals("\u00079", string("'\\79'"), "an octal escape stops at the first non-octal digit");
        assertEquals("\u0001" + "0", string("'\\0010'"), "and after three digits");
    }

    @Test
    void numbersAreDecimalOrHex()
    {
        assertEquals(new XlValue.Number(512, 1), value("512"));
        assertEquals(new XlValue.Number(512, 1), value("0x200"));
        assertEquals(new XlValue.Number(255, 1), value("0XfF"));
        assertEquals(new XlValue.Number(0, 1), value("0"));
        assertEquals(new XlValue.Number(Long.MAX_VALUE, 1), value("9223372036854775807"));
    }

    @Test
    void aListMaySpanLinesHoldCommentsAndEndWithAComma()
    {
        final XlValue.Items list = (XlValue.Items)value("""
            [   # opens here
                "a",   # first
            
                'b'
                ,
                3,
            ]""");
        assertEquals(List.of(new XlValue.Text("a", 2), new XlValue.Text("b", 4), new XlValue.Number(3, 6)), list.items());
        assertEquals(new XlValue.Items(List.of(), 1), value("[]"));
        assertEquals(new XlValue.Items(List.of(), 1), value("[\n\n]"));
        assertEquals(new XlValue.Items(List.of(new XlValue.Text("x", 1)), 1), value("['x',]"));
    }

    @Test
    void statementsEndAtALineEndASemicolonOrTheEndOfTheFile()
    {
        final XlSettings settings = settings("a = 1; b = 2;\n;;\nc = 3");
        assertEquals(List.of("a", "b", "c"), List.copyOf(settings.values().keySet()));
        assertEquals(3, settings.get("c").line());
    }

    @Test
    void whitespaceAroundTokensIsFree()
    {
        assertEquals(settings("memory=64").values(), settings("  memory\t =   64   ").values());
        assertEquals(new XlValue.Items(List.of(new XlValue.Text("a", 1), new XlValue.Text("b", 1)), 1), value("[\"a\",'b']"));
    }

    @Test
    void theToStringOfAValueReadsBackToIt()
    {
        for (final String text : List.of("'plain'", "'tab\\there'", "\"q\\\"uote\"", "'back\\\\slash'", "'\\x01\\x7f'",
            "'\u00e9t\u00e9'", "42", "[ 'a', 1, \"b\" ]", "[]"))
        {
            final XlValue parsed = value(text);
            assertEquals(parsed, value(parsed.toString()), text);
        }
    }

    @Test
    void badStringsAndNumbersNameTheirLineAndKey()
    {
        assertEquals("bad.cfg:2: cmdline: the string is not closed on its line (\" missing)", errorOf("name='a'\ncmdline = \"abc\n\"\n"));
        assertEquals("bad.cfg:1: cmdline: the string is not closed on its line (' missing)", errorOf("cmdline = 'ends with a backslash\\"));
        assertEquals("bad.cfg:1: cmdline: unknown escape '\\q' in a string", errorOf("cmdline = 'a\\qb'"));
        assertEquals("bad.cfg:1: cmdline: unknown escape '\\' before U+00E9 in a string", errorOf("cmdline = 'a\\\u00e9'"));
        assertEquals("bad.cfg:1: cmdline: '\\x' in a string needs two hex digits, as in \\x41", errorOf("cmdline = '\\x4'"));
        assertEquals("bad.cfg:1: cmdline: an octal escape in a string goes up to \\377", errorOf("cmdline = '\\400'"));
        assertEquals("bad.cfg:1: cmdline: a string may not hold a NUL character", errorOf("cmdline = 'a\\0'"));
        assertEquals("bad.cfg:1: cmdline: a string may not hold a NUL character", errorOf("cmdline = 'a\u0000'"));
        assertEquals("bad.cfg:1: memory: '0100' has a leading 0, which xl reads as octal: write it in decimal or after 0x",
            errorOf("memory = 0100"));
        assertEquals("bad.cfg:1: memory: '12k' is not a number (decimal, or hexadecimal after 0x)", errorOf("memory = 12k"));
        assertEquals("bad.cfg:1: memory: '0x' is not a number (decimal, or hexadecimal after 0x)", errorOf("memory = 0x"));
        assertEquals("bad.cfg:1: memory: '9223372036854775808' is larger than 9223372036854775807",
            errorOf("memory = 9223372036854775808"));
    }
}
