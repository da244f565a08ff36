package io.javisor.core.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A {@code Domain} parameter that is a light PV domain with no CPU of its own, created and unpaused
 * for the test with its disks and vifs attached: the test is the guest, driving the PV front ends
 * with the domain's own resources, e.g.
 * {@code BlkFront.attach(domain.resources(), 0, VirtualDevice.deviceId("xvda"), BlkFrontConfig.defaults())}
 * or {@code NetFront.attach(domain.resources(), 0, 0, NetFrontConfig.defaults())} for its first vif.
 */
@Target(ElementType.PARAMETER)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface JavaDomain
{
    /** The domain's name; the parameter's name when empty ({@code argN} unless compiled with {@code -parameters}). */
    String name() default "";

    /** The domain's memory in MiB: its rings and front-end buffers come out of it. */
    int memoryMiB() default 16;

    /** xl.cfg disk specs, e.g. {@code format=ram, vdev=xvda, target=1M}. */
    String[] disk() default {};

    /** xl.cfg vif specs, e.g. {@code mac=00:16:3e:00:00:01, bridge=xenbr0}; handles 0, 1, ... in this order. */
    String[] vif() default {};
}
