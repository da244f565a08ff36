package io.javisor.core.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A parameter that is a domain created by the toolstack from an xl.cfg, as {@code xl create FILE
 * KEY=VALUE...} does: a {@link Guest} or its {@code Domain}. The config's life-cycle actions hold
 * ({@code on_poweroff = "destroy"} by default, as xl), and paths in it resolve against its directory.
 */
@Target(ElementType.PARAMETER)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface XlDomain
{
    /** The config: a class-path resource (e.g. {@code guests/echo.cfg} from the test's resources) or else a file. */
    String value();

    /** {@code KEY=VALUE} settings that replace the file's, as on xl's command line. */
    String[] overrides() default {};
}
