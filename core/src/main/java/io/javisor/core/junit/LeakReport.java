package io.javisor.core.junit;

import java.util.ArrayList;
import java.util.List;

/**
 * What a teardown found: resources that outlived it, and steps of it that failed. Filled and read
 * by the one thread that runs the teardown.
 */
final class LeakReport
{
    private final List<String> findings = new ArrayList<>();
    private final List<Throwable> causes = new ArrayList<>();

    /** Something outlived the teardown; one line saying what. */
    void leak(final String line)
    {
        findings.add(line);
    }

    /** A teardown step threw; the rest of the teardown still ran. */
    void failed(final String step, final Throwable cause)
    {
        findings.add(step + " failed: " + cause);
        causes.add(cause);
    }

    /**
     * @param after what was torn down, e.g. the test's display name.
     * @throws AssertionError listing every finding, one per line, when there is any.
     */
    void throwIfAny(final String after)
    {
        if (findings.isEmpty())
        {
            return;
        }
        final AssertionError error = new AssertionError("javisor teardown after " + after + ":\n  - " +
            String.join("\n  - ", findings));
        causes.forEach(error::addSuppressed);
        throw error;
    }
}
