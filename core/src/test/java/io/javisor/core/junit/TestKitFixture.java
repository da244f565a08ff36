package io.javisor.core.junit;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A test class that fails or leaks on purpose, run only by {@link JavisorExtensionTest} through
 * JUnit's EngineTestKit (which sets {@link #PARAMETER}); anywhere else (an IDE, a broad
 * {@code -Dtest} pattern) it is skipped.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(TestKitFixture.OnlyUnderTestKit.class)
@interface TestKitFixture
{
    /** The configuration parameter that lets fixtures run. */
    String PARAMETER = "javisor.junit.fixtures";

    /** Enables a fixture only when {@link #PARAMETER} is set. Stateless. */
    final class OnlyUnderTestKit implements ExecutionCondition
    {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(final ExtensionContext context)
        {
            return context.getConfigurationParameter(PARAMETER).isPresent() ?
                ConditionEvaluationResult.enabled("run by JavisorExtensionTest") :
                ConditionEvaluationResult.disabled("a fixture of JavisorExtensionTest, failing on purpose");
        }
    }
}
