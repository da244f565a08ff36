package io.javisor.perf;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JvmOptionsTest
{
    @Test
    void resourceCarriesThePomsOptions()
    {
        final List<String> options = JvmOptions.list();
        assertTrue(options.contains("--enable-native-access=ALL-UNNAMED"), options.toString());
        assertTrue(options.contains("-Dchronicle.analytics.disable=true"), options.toString());
        assertTrue(options.stream().noneMatch(o -> o.contains("${")), options.toString());
    }

    @Test
    void parseSplitsOnWhitespaceAndDropsPlaceholders()
    {
        assertEquals(List.of("-a", "-b=c"), JvmOptions.parse("  -a\n\t-b=c \n"));
        assertEquals(List.of(), JvmOptions.parse("${javisor.jvm.options}"));
    }
}
