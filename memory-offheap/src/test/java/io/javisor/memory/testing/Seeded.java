package io.javisor.memory.testing;

import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * On a test class: every test (and lifecycle) method may take a {@link Seed} parameter, one seed per
 * test invocation ({@code -Djavisor.seed=N} or random), and a failing test's message starts with
 * {@code seed=N (rerun with -Djavisor.seed=N)}.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@ExtendWith(Seeded.Extension.class)
public @interface Seeded
{
    final class Extension implements ParameterResolver, TestExecutionExceptionHandler
    {
        private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(Seeded.class);

        @Override
        public boolean supportsParameter(final ParameterContext parameter, final ExtensionContext context)
        {
            return parameter.getParameter().getType() == Seed.class;
        }

        @Override
        public Object resolveParameter(final ParameterContext parameter, final ExtensionContext context)
        {
            return seedOf(context);
        }

        @Override
        public void handleTestExecutionException(final ExtensionContext context, final Throwable failure) throws Throwable
        {
            final Seed seed = context.getStore(NAMESPACE).get(Seed.class, Seed.class);
            // An aborted assumption is a skip, not a failure: it passes through as it is.
            if (seed == null || failure instanceof TestAbortedException)
            {
                throw failure;
            }
            final String message = seed + ": " + failure.getMessage();
            final Throwable replayable = failure instanceof AssertionFailedError assertion
                ? new AssertionFailedError(message, assertion.getExpected(), assertion.getActual(), failure)
                : new AssertionError(failure instanceof AssertionError ? message : seed + ": " + failure, failure);
            replayable.setStackTrace(failure.getStackTrace());
            System.err.println(context.getDisplayName() + " failed with " + seed);
            throw replayable;
        }

        private static Seed seedOf(final ExtensionContext context)
        {
            return context.getStore(NAMESPACE).computeIfAbsent(Seed.class, k -> Seed.fromPropertyOrRandom(), Seed.class);
        }
    }
}
