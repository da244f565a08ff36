package io.javisor.ringio.ring.stress;

import io.javisor.ringio.ring.FrontRing;
import io.javisor.ringio.testing.JcstressRun;
import io.javisor.ringio.testing.JcstressRun.Verdict;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Runs the jcstress tests of this package ({@link RequestPublication}, {@link ResponsePublication},
 * {@link NoLostWakeup}) in a child JVM as part of {@code mvn test}, and fails if any of them
 * observed a forbidden outcome or could not run; see {@link JcstressRun} for the verdict and where
 * each run's console output and report are kept.
 * <p>
 * 200 ms per iteration, 3 iterations per forked VM. jcstress runs each test in up to four VM
 * configurations (interpreter, C1, C2, C2 with its scheduling randomizers), one fork each: 16
 * forked VMs for four tests, about a minute on two cores.
 */
class SharedRingJcstressTest
{
    @Test
    void ringOrderingHoldsUnderJcstress() throws Exception
    {
        JcstressRun.of(SharedRingJcstressTest.class)
            .expect(
                RequestPublication.class.getName(),
                ResponsePublication.class.getName(),
                NoLostWakeup.class.getName() + ".Requests",
                NoLostWakeup.class.getName() + ".Responses")
            .snapshotPackageOf(FrontRing.class)
            .timeMs(200)
            .iterations(3)
            .timeoutSeconds(240)
            .run();
    }

    // ---- the verdict parser is checked on canned output, so a broken parser cannot pass silently

    @Test
    void verdictAcceptsACleanRun()
    {
        Verdict.parse(cannedOutput(4, 4, 0, 0, 0, "No matches.", "No matches.")).assertAllPassed(List.of("a.B"));
    }

    @Test
    void verdictRejectsFailedTests()
    {
        final String output = cannedOutput(4, 3, 1, 0, 0, "1 matching test results.", "No matches.") +
            "\n...... [FAILED] a.B\n";
        assertThrows(AssertionError.class, () -> Verdict.parse(output).assertAllPassed(List.of("a.B")));
    }

    @Test
    void verdictRejectsErrorsAndMissingTests()
    {
        final String errors = cannedOutput(4, 3, 0, 0, 1, "No matches.", "1 matching test results.");
        assertThrows(AssertionError.class, () -> Verdict.parse(errors).assertAllPassed(List.of("a.B")));

        final String empty = cannedOutput(0, 0, 0, 0, 0, "No matches.", "No matches.");
        assertThrows(AssertionError.class, () -> Verdict.parse(empty).assertAllPassed(List.of("a.B")));

        final String other = cannedOutput(4, 4, 0, 0, 0, "No matches.", "No matches.");
        assertThrows(AssertionError.class, () -> Verdict.parse(other).assertAllPassed(List.of("a.C")));

        assertThrows(AssertionError.class, () -> Verdict.parse("Exception in thread \"main\""));
    }

    private static String cannedOutput(
        final int planned, final int passed, final int failed, final int soft, final int hard,
        final String failedSection, final String errorSection)
    {
        return String.join("\n",
            ".......... [OK] a.B",
            "  (fork: #1 of 1, iteration #1 of 3, JVM args: [-XX:+UseParallelGC])",
            String.format("(ETA:        now) (Sampling Rate: 1 M/sec) (JVMs: 0 starting, 0 running, 0 finishing) " +
                "(CPUs: 2 configured, 0 allocated) (Results: %d planned; %d passed, %d failed, %d soft errs, %d hard errs) ",
                planned, passed, failed, soft, hard),
            "RUN RESULTS:",
            "  Interesting tests: No matches.",
            "",
            "  Failed tests: " + failedSection,
            "",
            "  Error tests: " + errorSection,
            "");
    }
}
