package io.javisor.core.junit;

/**
 * How long the hypervisor a {@link JavisorTest} hands out lives.
 */
public enum HypervisorScope
{
    /** A fresh hypervisor for each test, closed after it (the default: no test sees another's state). */
    TEST,
    /**
     * One hypervisor for all tests of the class, closed after the last one; {@code @BeforeAll} methods
     * may take it and domains. Each test's own domains are still destroyed after that test and checked
     * for leaks, so that tests share the machine, never each other's guests.
     */
    CLASS
}
