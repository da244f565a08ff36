package io.javisor.memory.testing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

import java.lang.reflect.Proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Seeded
class SeededTest
{
    /** A test context whose store holds {@code seed}, as it does once a test took a Seed parameter. */
    private static ExtensionContext contextWith(final Seed seed)
    {
        final ExtensionContext.Store store = (ExtensionContext.Store)Proxy.newProxyInstance(
            SeededTest.class.getClassLoader(), new Class<?>[]{ ExtensionContext.Store.class },
            (proxy, method, args) -> method.getName().equals("get") ? seed : null);
        return (ExtensionContext)Proxy.newProxyInstance(SeededTest.class.getClassLoader(),
            new Class<?>[]{ ExtensionContext.class },
            (proxy, method, args) -> switch (method.getName())
            {
                case "getStore" -> store;
                case "getDisplayName" -> "aTest()";
                default -> null;
            });
    }

    @Test
    void aFailureMessageStartsWithTheSeedAndKeepsExpectedAndActual()
    {
        final AssertionFailedError original = new AssertionFailedError("byte 3", 1, 2);
        final AssertionFailedError thrown = assertThrows(AssertionFailedError.class,
            () -> new Seeded.Extension().handleTestExecutionException(contextWith(new Seed(42)), original));
        assertEquals("seed=42 (rerun with -Djavisor.seed=42): byte 3", thrown.getMessage());
        assertEquals(1, thrown.getExpected().getValue());
        assertEquals(2, thrown.getActual().getValue());
        assertSame(original, thrown.getCause());
    }

    @Test
    void anExceptionBecomesAnAssertionErrorNamingTheSeed()
    {
        final IllegalStateException original = new IllegalStateException("boom");
        final AssertionError thrown = assertThrows(AssertionError.class,
            () -> new Seeded.Extension().handleTestExecutionException(contextWith(new Seed(-7)), original));
        assertEquals("seed=-7 (rerun with -Djavisor.seed=-7): java.lang.IllegalStateException: boom", thrown.getMessage());
        assertSame(original, thrown.getCause());
    }

    @Test
    void withoutASeedTheFailureIsUnchanged()
    {
        final IllegalStateException original = new IllegalStateException("boom");
        assertSame(original, assertThrows(IllegalStateException.class,
            () -> new Seeded.Extension().handleTestExecutionException(contextWith(null), original)));
    }

    @Test
    void anAbortedAssumptionStaysASkip()
    {
        final TestAbortedException original = new TestAbortedException("toolchain not installed");
        assertSame(original, assertThrows(TestAbortedException.class,
            () -> new Seeded.Extension().handleTestExecutionException(contextWith(new Seed(3)), original)));
    }

    @Test
    void thePropertyGivesTheSeed()
    {
        final String before = System.getProperty(Seed.PROPERTY);
        try
        {
            System.setProperty(Seed.PROPERTY, "0x10");
            assertEquals(new Seed(16), Seed.fromPropertyOrRandom());
            System.setProperty(Seed.PROPERTY, "-5");
            assertEquals(new Seed(-5), Seed.fromPropertyOrRandom());
        }
        finally
        {
            if (before == null)
            {
                System.clearProperty(Seed.PROPERTY);
            }
            else
            {
                System.setProperty(Seed.PROPERTY, before);
            }
        }
    }

    @Test
    void aTestGetsOneSeedForAllItsParametersAndStreamsDiffer(final Seed seed, final Seed same)
    {
        assertSame(seed, same);
        assertEquals(seed.splittableRandom().nextLong(), same.splittableRandom().nextLong());
        assertNotEquals(seed.derive(1), seed.derive(2));
        assertTrue(seed.nonZeroInt() != 0);
        assertTrue(seed.toString().startsWith("seed=" + seed.value()));
    }
}
