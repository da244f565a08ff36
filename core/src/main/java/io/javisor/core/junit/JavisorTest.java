package io.javisor.core.junit;

import io.javisor.core.BackendThreading;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A test class whose tests get a javisor {@code Hypervisor} and guest domains as parameters
 * ({@link JavisorExtension}). A parameter of type {@code Hypervisor} is the hypervisor; one annotated
 * {@link JavaDomain}, {@link GuestDomain} or {@link XlDomain} is a domain created for the test; one of
 * type {@code Toolstack} is the toolstack that creates the {@code XlDomain}s.
 * <p>
 * After each test, even a failing one, every domain the test created is destroyed, and then the
 * hypervisor is closed ({@link HypervisorScope#TEST}). The test fails if anything outlived that: a
 * domain that cannot die because something still maps its memory, machine frames not back in the
 * pool, a vCPU or Java guest thread, or (when the hypervisor closes) a back-end thread. Threads are
 * told apart by javisor's thread names, so the thread check assumes that no other test starts
 * javisor guests at the same time (JUnit's default, sequential execution).
 */
@Target({ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(JavisorExtension.class)
public @interface JavisorTest
{
    /** The machine frame pool, in MiB (committed by the host only when touched). */
    int machineMemoryMiB() default 256;

    /** How dom0's back ends use threads (see {@link BackendThreading}). */
    BackendThreading backendThreading() default BackendThreading.SHARED;

    /** A hypervisor per test, or one per class. */
    HypervisorScope scope() default HypervisorScope.TEST;
}
