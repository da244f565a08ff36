package io.javisor.perf.report;

import java.util.Map;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Benchmark reports carry measurements and ratios, never a verdict against an internal goal.
 */
public final class ReportAssertions
{
    private static final Pattern VERDICT = Pattern.compile("(?i)\\b(goals?|met|missed|pass(ed)?|fail(ed)?)\\b");

    private ReportAssertions()
    {
    }

    /** No verdict word in the text table, none in a metric name (words split at '_'). */
    public static void assertNoVerdicts(final String table, final Map<?, ?> metrics)
    {
        assertFalse(VERDICT.matcher(table).find(), () -> "a verdict in the table:\n" + table);
        for (final Object key : metrics.keySet())
        {
            assertFalse(VERDICT.matcher(key.toString().replace('_', ' ')).find(), () -> "a verdict metric: " + key);
        }
    }
}
