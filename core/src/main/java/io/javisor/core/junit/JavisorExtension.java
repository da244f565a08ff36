package io.javisor.core.junit;

import io.javisor.core.Domain;
import io.javisor.core.HvmGuest;
import io.javisor.core.Hypervisor;
import io.javisor.core.toolstack.Toolstack;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.lang.annotation.Annotation;
import java.lang.reflect.Parameter;
import java.util.List;
import java.util.Optional;

/**
 * The JUnit 5 extension behind {@link JavisorTest}: it resolves {@code Hypervisor}, {@code Toolstack}
 * and annotated domain parameters, and after each test (and after the class, for
 * {@link HypervisorScope#CLASS}) tears down what it handed out and fails the test with one line per
 * leak. Each test's or class's state is a {@link TestSession} kept in JUnit's store under the
 * context's unique id, so a test never sees its class's session as its own. Stateless itself; JUnit
 * calls it on the thread that runs the context.
 */
public final class JavisorExtension implements ParameterResolver, BeforeEachCallback, AfterEachCallback, AfterAllCallback
{
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(JavisorExtension.class);
    private static final List<Class<? extends Annotation>> DOMAIN_ANNOTATIONS =
        List.of(JavaDomain.class, GuestDomain.class, XlDomain.class);

    /** The settings of a test class that registers the extension without {@link JavisorTest}. */
    @JavisorTest
    private static final class Defaults
    {
    }

    @Override
    public boolean supportsParameter(final ParameterContext parameter, final ExtensionContext context)
    {
        final Class<?> type = parameter.getParameter().getType();
        return type == Hypervisor.class || type == Toolstack.class ||
            DOMAIN_ANNOTATIONS.stream().anyMatch(parameter::isAnnotated);
    }

    @Override
    public Object resolveParameter(final ParameterContext parameter, final ExtensionContext context)
    {
        final Parameter p = parameter.getParameter();
        final Class<?> type = p.getType();
        final ClassLoader loader = context.getRequiredTestClass().getClassLoader();
        final String what = describe(parameter);
        final Annotation annotation = domainAnnotation(parameter, what);
        try
        {
            if (annotation instanceof JavaDomain spec)
            {
                requireType(what, type, Domain.class);
                return AnnotatedDomains.javaDomain(session(context).hypervisor(), spec, name(spec.name(), p));
            }
            if (annotation instanceof GuestDomain spec)
            {
                requireType(what, type, Guest.class, HvmGuest.class, Domain.class);
                final Guest guest = AnnotatedDomains.guestDomain(session(context).hypervisor(), spec, name(spec.name(), p), loader);
                return type == Guest.class ? guest : type == HvmGuest.class ? guest.vcpu() : guest.domain();
            }
            if (annotation instanceof XlDomain spec)
            {
                requireType(what, type, Guest.class, Domain.class);
                final Guest guest = AnnotatedDomains.xlDomain(session(context).toolstack(), spec, loader);
                return type == Guest.class ? guest : guest.domain();
            }
            return type == Toolstack.class ? session(context).toolstack() : session(context).hypervisor();
        }
        catch (final ParameterResolutionException ex)
        {
            throw ex;
        }
        catch (final RuntimeException ex)
        {
            throw new ParameterResolutionException(what + ": " + oneLine(ex.getMessage()), ex);
        }
    }

    @Override
    public void beforeEach(final ExtensionContext context)
    {
        // A test of a class-scoped hypervisor that already runs starts from here: whatever the test
        // or its @BeforeEach methods make is its own to tear down.
        if (config(context).scope() == HypervisorScope.CLASS && ownSession(context) == null)
        {
            final TestSession classSession = ownSession(classContext(context));
            if (classSession != null)
            {
                store(context).put(key(context), TestSession.sharing(classSession.hypervisor()));
            }
        }
    }

    @Override
    public void afterEach(final ExtensionContext context) throws InterruptedException
    {
        tearDown(context);
    }

    @Override
    public void afterAll(final ExtensionContext context) throws InterruptedException
    {
        tearDown(context);
    }

    private static void tearDown(final ExtensionContext context) throws InterruptedException
    {
        final TestSession session = store(context).remove(key(context), TestSession.class);
        if (session != null)
        {
            final LeakReport report = new LeakReport();
            session.close(report);
            report.throwIfAny(context.getDisplayName());
        }
    }

    /**
     * This context's session, made on first use: for {@link HypervisorScope#TEST} with a hypervisor
     * of its own; for {@link HypervisorScope#CLASS} on the class's hypervisor, which is made then if
     * it is not there yet.
     */
    private static TestSession session(final ExtensionContext context)
    {
        final TestSession own = ownSession(context);
        if (own != null)
        {
            return own;
        }
        final JavisorTest config = config(context);
        if (config.scope() == HypervisorScope.TEST)
        {
            if (context.getTestMethod().isEmpty())
            {
                throw new ParameterResolutionException("a hypervisor per test cannot be had outside a test (" +
                    context.getDisplayName() + "); use @JavisorTest(scope = HypervisorScope.CLASS) for @BeforeAll methods");
            }
            return put(context, TestSession.withOwnHypervisor(config));
        }
        final ExtensionContext classContext = classContext(context);
        TestSession classSession = ownSession(classContext);
        if (classSession == null)
        {
            classSession = put(classContext, TestSession.withOwnHypervisor(config));
        }
        return classContext == context ? classSession : put(context, TestSession.sharing(classSession.hypervisor()));
    }

    private static TestSession ownSession(final ExtensionContext context)
    {
        return store(context).get(key(context), TestSession.class);
    }

    private static TestSession put(final ExtensionContext context, final TestSession session)
    {
        store(context).put(key(context), session);
        return session;
    }

    private static ExtensionContext.Store store(final ExtensionContext context)
    {
        return context.getStore(NAMESPACE);
    }

    /** Stores look through to their parents' values: the key is the context's own. */
    private static String key(final ExtensionContext context)
    {
        return TestSession.class.getName() + "@" + context.getUniqueId();
    }

    /** The context of the class whose tests these are (a test template's invocation sits two levels down). */
    private static ExtensionContext classContext(final ExtensionContext context)
    {
        ExtensionContext c = context;
        while (c.getTestMethod().isPresent() && c.getParent().isPresent())
        {
            c = c.getParent().get();
        }
        return c;
    }

    /** The {@link JavisorTest} of the test class or of a class it is nested in; the defaults otherwise. */
    private static JavisorTest config(final ExtensionContext context)
    {
        for (Class<?> c = context.getRequiredTestClass(); c != null; c = c.getEnclosingClass())
        {
            final Optional<JavisorTest> found = findAnnotation(c);
            if (found.isPresent())
            {
                return found.get();
            }
        }
        return Defaults.class.getAnnotation(JavisorTest.class);
    }

    private static Optional<JavisorTest> findAnnotation(final Class<?> type)
    {
        final JavisorTest direct = type.getAnnotation(JavisorTest.class);
        if (direct != null)
        {
            return Optional.of(direct);
        }
        // A meta-annotation of the user's own that carries @JavisorTest.
        for (final Annotation annotation : type.getAnnotations())
        {
            final JavisorTest meta = annotation.annotationType().getAnnotation(JavisorTest.class);
            if (meta != null)
            {
                return Optional.of(meta);
            }
        }
        return Optional.empty();
    }

    private static Annotation domainAnnotation(final ParameterContext parameter, final String what)
    {
        Annotation found = null;
        for (final Class<? extends Annotation> type : DOMAIN_ANNOTATIONS)
        {
            final Optional<? extends Annotation> annotation = parameter.findAnnotation(type);
            if (annotation.isPresent())
            {
                if (found != null)
                {
                    throw new ParameterResolutionException(what + ": one of @JavaDomain, @GuestDomain, @XlDomain, not two");
                }
                found = annotation.get();
            }
        }
        return found;
    }

    private static void requireType(final String what, final Class<?> type, final Class<?>... allowed)
    {
        for (final Class<?> a : allowed)
        {
            if (type == a)
            {
                return;
            }
        }
        final StringBuilder names = new StringBuilder();
        for (int i = 0; i < allowed.length; i++)
        {
            names.append(i == 0 ? "" : i == allowed.length - 1 ? " or " : ", ").append(allowed[i].getSimpleName());
        }
        throw new ParameterResolutionException(what + " is a " + names + ", not a " + type.getSimpleName());
    }

    private static String name(final String name, final Parameter parameter)
    {
        return name.isEmpty() ? parameter.getName() : name;
    }

    private static String describe(final ParameterContext parameter)
    {
        final Parameter p = parameter.getParameter();
        final StringBuilder text = new StringBuilder("parameter ").append(parameter.getIndex())
            .append(" '").append(p.getName()).append("'");
        for (final Class<? extends Annotation> type : DOMAIN_ANNOTATIONS)
        {
            if (parameter.isAnnotated(type))
            {
                text.append(" (@").append(type.getSimpleName()).append(')');
            }
        }
        return text.append(" of ").append(p.getDeclaringExecutable().getName()).append("()").toString();
    }

    private static String oneLine(final String message)
    {
        return message == null ? "(no message)" : message.replace('\n', ' ');
    }
}
